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

/** Node types whose run has no effect outside the execution and may be repeated after a crash. */
export const REPLAYABLE_NODE_TYPES: ReadonlySet<string> = new Set([
  'manual_trigger',
  'webhook-trigger',
  'schedule_trigger',
  'set_variable',
  'log_debug',
  'if_else',
  'switch',
  'merge',
  'code',
  'webhook-response',
]);

const canonical = new Map<string, boolean>();

export function isReplayable(nodeType: string): boolean {
  let replayable = canonical.get(nodeType);
  if (replayable === undefined) {
    const type = findNode(nodeType)?.type ?? nodeType;
    replayable = REPLAYABLE_NODE_TYPES.has(type);
    canonical.set(nodeType, replayable);
  }
  return replayable;
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

/** Hooks that persist a run through the execution store, as described above. */
export function checkpointPolicyHooks(store: ExecutionStore, options: CheckpointOptions): ExecutionHooks {
  let created = false;
  const pending: NodeResult[] = [];
  const persisted = () => options.onPersisted?.();

  async function flush(record: ExecutionRecord, running?: NodeResult): Promise<void> {
    if (!created) {
      // One transaction for the execution and everything before this node; the running node is
      // written with the attempt it is about to make.
      if (running) running.attempts++;
      try {
        await store.save(record);
      } finally {
        if (running) running.attempts--;
      }
      created = true;
      pending.length = 0;
      persisted();
      return;
    }
    for (const result of pending.splice(0)) await store.saveCheckpoint(record, result);
    if (running) await store.saveNodeStart(record, running);
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
      return flush(record, result);
    },
    onNodeFinish(record, result) {
      if (isReplayable(result.node_type) || result.status === 'skipped' || result.status === 'disabled') {
        if (!pending.includes(result)) pending.push(result);
        return;
      }
      if (!created) return flush(record).then(() => store.saveCheckpoint(record, result)).then(persisted);
      return store.saveCheckpoint(record, result).then(persisted);
    },
    async onExecutionFinish(record) {
      if (!created || pending.length > 0) await store.save(record);
      else await store.finish(record);
      created = true;
      pending.length = 0;
      persisted();
    },
  };
}
