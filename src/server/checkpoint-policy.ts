/**
 * When the server writes an execution's progress. A node with an effect outside the run (an HTTP
 * call, a file written) is checkpointed as it starts and as it finishes, so after a crash it is
 * never run again once finished, and a node that was cut off shows the attempt it lost. A node
 * without such an effect (set, if, switch, merge, log, code, triggers) can run again after a crash
 * with the same result, so its result is written together with the next write instead of on its
 * own. A webhook → set → respond run is then one transaction instead of eight.
 */
import type { ExecutionHooks, ExecutionRecord, NodeResult } from '../engine/execution.js';
import { findNode } from '../nodes/registry.js';
import type { ExecutionStore } from '../store/index.js';

/** Whether a node type declared itself replayable (see NodeDefinition.replayable). */
export function isReplayable(nodeType: string): boolean {
  return findNode(nodeType)?.replayable === true;
}

export interface CheckpointOptions {
  /**
   * Write nothing until the first effectful node or the end. For runs whose caller waits for the
   * result: a crash before any write loses a run whose caller got no answer either.
   */
  deferCreate: boolean;
  /** Called after every write that reached the database. */
  onPersisted?(): void;
}

/** Hooks that persist a run through the execution store, as described above: one commit per write. */
export function checkpointPolicyHooks(store: ExecutionStore, options: CheckpointOptions): ExecutionHooks {
  let created = false;
  /** Results of replayable nodes not written yet. */
  const pending: NodeResult[] = [];
  const persisted = () => options.onPersisted?.();

  /** Writes what is pending (and `finished`, `starting`) in one transaction, with the execution row if it is not written yet. */
  async function write(record: ExecutionRecord, finished: NodeResult | undefined, starting: NodeResult | undefined): Promise<void> {
    const results = pending.splice(0);
    if (finished) results.push(finished);
    await store.saveNodes(record, results, starting, { createExecution: !created });
    created = true;
    persisted();
  }

  return {
    async onExecutionStart(record) {
      if (options.deferCreate) return;
      await store.create(record);
      created = true;
      persisted();
    },
    onNodeStart(record, result) {
      if (isReplayable(result.node_type)) return;
      return write(record, undefined, result);
    },
    onNodeFinish(record, result) {
      if (isReplayable(result.node_type) || result.status === 'skipped' || result.status === 'disabled') {
        if (!pending.includes(result)) pending.push(result);
        return;
      }
      return write(record, result, undefined);
    },
    async onExecutionFinish(record) {
      // finish() writes the execution row whole, so a run never written before needs nothing else.
      const results = created ? pending.splice(0) : record.node_results;
      pending.length = 0;
      await store.finish(record, results);
      created = true;
      persisted();
    },
  };
}
