/**
 * What a retry through the API runs: the workflow version and a starting record holding the
 * reused node results, by the same rules as `skynette executions retry` (src/executions): from a
 * chosen node (default: the node that failed), with that node, everything after it and its loop
 * run again. The run itself goes through the server's execution service, so it can be cancelled,
 * counted and stopped at shutdown like any other.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionRecord } from '../engine/execution.js';
import { nodesToRerun } from '../executions/rerun-set.js';
import type { WorkflowStore } from '../store/index.js';
import type { Workflow } from '../workflow/model.js';
import { ApiError } from './http-errors.js';

export interface RetryPlan {
  workflow: Workflow;
  /** Pass as resumeFrom: a new id, the reused results, variables as they stood before the rerun part. */
  start: ExecutionRecord;
}

export async function planRetry(workflowStore: WorkflowStore, record: ExecutionRecord, options: { fromNode?: string; latest?: boolean }): Promise<RetryPlan> {
  if (record.status === 'running' || record.status === 'queued') {
    throw new ApiError(409, 'EXECUTION_RUNNING', `execution ${record.id} is still ${record.status}; cancel it first or wait for it to finish`);
  }
  let workflow: Workflow;
  if (options.latest) {
    const stored = await workflowStore.get(record.workflow_id);
    if (!stored) throw new ApiError(404, 'WORKFLOW_NOT_FOUND', `the workflow "${record.workflow_name}" (${record.workflow_id}) of execution ${record.id} no longer exists`);
    workflow = stored.workflow;
  } else {
    const version = await workflowStore.getVersion(record.workflow_id, record.workflow_version).catch(() => null);
    if (!version) {
      throw new ApiError(
        422,
        'WORKFLOW_VERSION_NOT_FOUND',
        `version ${record.workflow_version} of workflow "${record.workflow_name}" is no longer stored; retry with {"version": "latest"}`,
      );
    }
    workflow = version.workflow;
  }
  let from = options.fromNode;
  if (from !== undefined) {
    const node = workflow.nodes.find((n) => n.id === from || n.name === from);
    if (!node) {
      throw new ApiError(400, 'VALIDATION_FAILED', `the workflow has no node "${from}"`, [{ path: 'body.from_node', message: `no node "${from}"; the nodes are ${workflow.nodes.map((n) => n.id).join(', ')}` }]);
    }
    from = node.id;
  } else {
    from = record.node_results.find((r) => r.status === 'failed' && !r.continued)?.node_id;
  }
  const rerun = from === undefined ? new Set(workflow.nodes.map((n) => n.id)) : nodesToRerun(workflow, from);
  const known = new Set(workflow.nodes.map((n) => n.id));
  const reused = record.node_results
    .filter((r) => known.has(r.node_id) && !rerun.has(r.node_id) && r.status !== 'running' && r.status !== 'cancelled' && (r.status !== 'failed' || r.continued))
    .map((r) => structuredClone(r));
  const variables: Record<string, unknown> = { ...workflow.variables };
  for (const r of reused) {
    const out = r.output as { name?: unknown; value?: unknown } | null;
    if (r.node_type === 'set_variable' && r.status === 'completed' && out && typeof out.name === 'string') variables[out.name] = out.value;
  }
  return {
    workflow,
    start: {
      ...record,
      id: randomUUID(),
      workflow_version: workflow.version,
      status: 'running',
      mode: 'retry',
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
      error: null,
      node_results: reused,
      variables,
    },
  };
}
