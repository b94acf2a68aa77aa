/**
 * Engine hooks that persist a run step by step: the execution at start, each node as it starts
 * and as it finishes, and the final record.
 *
 * A finished node's result is committed together with the start of the node after it (or with the
 * final record), in one transaction: still before the next node starts, so every finished node is
 * on disk before anything else runs, at one commit per node instead of two. Between a node's
 * finish and the next start the engine only decides what runs next (no node code, no side
 * effects); should it ever wait there, the result is committed on the next turn of the event loop.
 */
import type { ExecutionHooks, ExecutionRecord, NodeResult } from '../engine/execution.js';
import type { ExecutionStore } from './execution-store.js';

interface Pending {
  record: ExecutionRecord;
  results: NodeResult[];
  timer: NodeJS.Immediate;
}

export function checkpointHooks(executionStore: ExecutionStore): ExecutionHooks {
  // One hooks object may serve many concurrent runs: everything is keyed by execution id.
  const pending = new Map<string, Pending>();
  /** A background write still under way, which the run's next write must follow (Postgres has several connections). */
  const inflight = new Map<string, Promise<void>>();
  const failures = new Map<string, unknown>();

  /** The results waiting to be written; throws a background write's failure. */
  async function take(id: string): Promise<NodeResult[]> {
    const writing = inflight.get(id);
    if (writing) await writing;
    const failure = failures.get(id);
    if (failure !== undefined) {
      failures.delete(id);
      throw failure;
    }
    const entry = pending.get(id);
    if (!entry) return [];
    pending.delete(id);
    clearImmediate(entry.timer);
    return entry.results;
  }

  function flushLater(id: string): void {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    // Nobody awaits this write: a failure is kept and thrown at the run's next hook, which fails the run.
    const writing = executionStore
      .saveNodes(entry.record, entry.results)
      .catch((error: unknown) => void failures.set(id, error))
      .finally(() => inflight.delete(id));
    inflight.set(id, writing);
  }

  return {
    onExecutionStart: (execution) => executionStore.create(execution),
    onNodeStart: async (execution, result) => executionStore.saveNodes(execution, await take(execution.id), result),
    onNodeFinish: (execution, result) => {
      const entry = pending.get(execution.id);
      if (entry) entry.results.push(result);
      else pending.set(execution.id, { record: execution, results: [result], timer: setImmediate(flushLater, execution.id) });
    },
    onExecutionFinish: async (execution) => {
      let finished: NodeResult[];
      try {
        finished = await take(execution.id);
      } catch (error) {
        // The last node results could not be saved: store the final record anyway, then report.
        await executionStore.finish(execution).catch(() => {});
        throw error;
      }
      await executionStore.finish(execution, finished);
    },
  };
}
