/**
 * The execution record: what one run of a workflow did, node by node. The store persists it after
 * every node (a checkpoint), so its shape is the contract between the engine and storage.
 */

export type ExecutionStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export type NodeStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'disabled' | 'cancelled';

export interface ExecutionErrorInfo {
  message: string;
  code: string;
  node?: string;
  path?: string;
}

export interface NodeLogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  at: string;
}

export interface NodeResult {
  /** Unique within the execution: the node id, prefixed by loop iterations, e.g. `loop_1[2]/set_x`. */
  key: string;
  node_id: string;
  node_name: string;
  node_type: string;
  status: NodeStatus;
  output: unknown;
  /** Output ports the output left on (empty for skipped nodes). */
  ports: string[];
  error: ExecutionErrorInfo | null;
  /** Set when on_error continue/retry_then continue let the run go on after this node failed. */
  continued?: boolean;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  logs: NodeLogLine[];
}

export interface ExecutionRecord {
  id: string;
  workflow_id: string;
  workflow_name: string;
  workflow_version: number;
  status: ExecutionStatus;
  /** How it was started: manual, cli, webhook, schedule, retry, ... */
  mode: string;
  trigger_data: unknown;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: ExecutionErrorInfo | null;
  /** Every node run in the order it started. */
  node_results: NodeResult[];
  /** `$vars` as they are now (after the last finished node). */
  variables: Record<string, unknown>;
}

/**
 * Hooks the engine awaits at each step, so a store can checkpoint before the next node starts.
 * A hook that throws fails the execution (a checkpoint that cannot be saved must not be ignored).
 */
export interface ExecutionHooks {
  onExecutionStart?(execution: ExecutionRecord): void | Promise<void>;
  onNodeStart?(execution: ExecutionRecord, result: NodeResult): void | Promise<void>;
  onNodeFinish?(execution: ExecutionRecord, result: NodeResult): void | Promise<void>;
  onExecutionFinish?(execution: ExecutionRecord): void | Promise<void>;
}

/** Final outputs keyed by node id (the latest run of a node inside a loop wins). */
export function resultsByNode(execution: ExecutionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of execution.node_results) if (r.status !== 'skipped') out[r.node_id] = r.output;
  return out;
}

export function statusByNode(execution: ExecutionRecord): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {};
  for (const r of execution.node_results) {
    // A node that ran in some loop iterations and was skipped in others shows its last real status.
    if (r.status === 'skipped' && out[r.node_id] && out[r.node_id] !== 'skipped') continue;
    out[r.node_id] = r.status;
  }
  return out;
}

/** Several hook sets as one, each awaited in turn (e.g. the store's checkpoints, then the CLI's printing). */
export function combineHooks(...sets: Array<ExecutionHooks | undefined>): ExecutionHooks {
  const list = sets.filter((s): s is ExecutionHooks => s !== undefined);
  if (list.length === 1) return list[0];
  return {
    async onExecutionStart(execution) {
      for (const h of list) await h.onExecutionStart?.(execution);
    },
    async onNodeStart(execution, result) {
      for (const h of list) await h.onNodeStart?.(execution, result);
    },
    async onNodeFinish(execution, result) {
      for (const h of list) await h.onNodeFinish?.(execution, result);
    },
    async onExecutionFinish(execution) {
      for (const h of list) await h.onExecutionFinish?.(execution);
    },
  };
}
