/**
 * Engine hooks that persist a run step by step: the execution, each node as it starts and as it
 * finishes, and the final record.
 *
 * Writes are grouped so that each commits before anything further runs, at one commit per node:
 * - the execution row is written with the first node's start (before any node runs);
 * - a finished node's result is written with the start of the node after it (or with the final
 *   record), so every finished node is on disk before the next node starts.
 * Between a node's finish and the next start the engine only decides what runs next (no node code,
 * no side effects); should it ever wait there, the result is written on the next turn of the event
 * loop instead.
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
  /** Executions started whose row is not written yet. */
  const unsaved = new Set<string>();
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
      .saveNodes(entry.record, entry.results, undefined, { createExecution: unsaved.delete(id) })
      .catch((error: unknown) => void failures.set(id, error))
      .finally(() => inflight.delete(id));
    inflight.set(id, writing);
  }

  return {
    onExecutionStart: (execution) => {
      unsaved.add(execution.id);
    },
    onNodeStart: async (execution, result) => {
      const finished = await take(execution.id);
      await executionStore.saveNodes(execution, finished, result, { createExecution: unsaved.delete(execution.id) });
    },
    onNodeFinish: (execution, result) => {
      const entry = pending.get(execution.id);
      if (entry) entry.results.push(result);
      else pending.set(execution.id, { record: execution, results: [result], timer: setImmediate(flushLater, execution.id) });
    },
    onExecutionFinish: async (execution) => {
      // Never written (no node started): the final record carries everything.
      const whole = unsaved.delete(execution.id);
      let finished: NodeResult[];
      try {
        finished = await take(execution.id);
      } catch (error) {
        // The last node results could not be saved: store the final record anyway, then report.
        await executionStore.finish(execution).catch(() => {});
        throw error;
      }
      await executionStore.finish(execution, whole ? execution.node_results : finished);
    },
  };
}
