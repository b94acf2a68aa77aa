/**
 * Engine hooks that persist a run step by step: the execution at start, each node as it starts
 * and as it finishes, and the final record. The engine awaits each hook before going on, so every
 * finished node is on disk before the next node starts.
 */
import type { ExecutionHooks } from '../engine/execution.js';
import type { ExecutionStore } from './execution-store.js';

export function checkpointHooks(executionStore: ExecutionStore): ExecutionHooks {
  return {
    onExecutionStart: (execution) => executionStore.create(execution),
    onNodeStart: (execution, result) => executionStore.saveNodeStart(execution, result),
    onNodeFinish: (execution, result) => executionStore.saveCheckpoint(execution, result),
    onExecutionFinish: (execution) => executionStore.finish(execution),
  };
}
