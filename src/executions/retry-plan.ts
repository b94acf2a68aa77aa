/**
 * What a retry runs: the workflow version, and a starting record that holds the node results to
 * reuse. From a chosen node (default: the node that failed), that node, everything after it and
 * its enclosing loop run again; the rest is reused. Used by `skynette executions retry` and the API.
 */
import { randomUUID } from 'node:crypto';
import { SkynetteError } from '../util/errors.js';
import type { ExecutionRecord } from '../engine/execution.js';
import type { Workflow } from '../workflow/model.js';
import type { WorkflowStore } from '../store/index.js';
import { nodesToRerun } from './rerun-set.js';

export interface RetryPlan {
  workflow: Workflow;
  /** Pass as resumeFrom: a new id, the reused results, variables as they stood before the rerun part. */
  start: ExecutionRecord;
}

export interface RetryChoice {
  /** Rerun from this node (id or name); default: the node that failed, else the whole workflow. */
  fromNode?: string;
  /** Use the newest version of the workflow instead of the one the execution ran. */
  latest?: boolean;
}

/** The workflow an execution ran (or the newest version of it). */
export async function workflowOfExecution(workflowStore: WorkflowStore, record: ExecutionRecord, latest: boolean): Promise<Workflow> {
  if (latest) {
    const stored = await workflowStore.get(record.workflow_id);
    if (!stored) throw new SkynetteError('WORKFLOW_NOT_FOUND', `the workflow "${record.workflow_name}" (${record.workflow_id}) of execution ${record.id} no longer exists`);
    return stored.workflow;
  }
  const version = await workflowStore.getVersion(record.workflow_id, record.workflow_version).catch(() => null);
  if (!version) {
    throw new SkynetteError(
      'WORKFLOW_VERSION_NOT_FOUND',
      `version ${record.workflow_version} of workflow "${record.workflow_name}" (${record.workflow_id}) is no longer stored; retry with the latest version instead`,
    );
  }
  return version.workflow;
}

export async function planRetry(workflowStore: WorkflowStore, record: ExecutionRecord, choice: RetryChoice = {}): Promise<RetryPlan> {
  if (record.status === 'running' || record.status === 'queued') {
    throw new SkynetteError('EXECUTION_RUNNING', `execution ${record.id} is still ${record.status}; resume or cancel it instead`);
  }
  const workflow = await workflowOfExecution(workflowStore, record, choice.latest ?? false);
  let from = choice.fromNode;
  if (from !== undefined) {
    const node = workflow.nodes.find((n) => n.id === from || n.name === from);
    if (!node) {
      throw new SkynetteError('NODE_NOT_FOUND', `the workflow has no node "${from}"; its nodes are ${workflow.nodes.map((n) => n.id).join(', ')}`, { path: 'from_node' });
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
  // Variables as they stood before the rerun part: the workflow's own, replayed through the reused set_variable results.
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
