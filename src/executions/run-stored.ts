/**
 * Running stored workflows so that every step is saved: a fresh run, a resume of an interrupted
 * execution, and a retry of a finished one from a chosen node.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SkynetteError } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { runWorkflow, type RunOptions } from '../engine/runner.js';
import { combineHooks, type ExecutionHooks, type ExecutionRecord } from '../engine/execution.js';
import { checkpointHooks } from '../store/index.js';
import type { SkynetteContext } from './context.js';
import { nodesToRerun } from './rerun-set.js';

export interface StoredRunOptions {
  trigger?: unknown;
  mode?: string;
  triggerNodeId?: string;
  signal?: AbortSignal;
  /** Extra hooks after the store's (the CLI prints each node here). */
  hooks?: ExecutionHooks;
}

function runOptions(ctx: SkynetteContext, workflow: Workflow, options: StoredRunOptions, extra: Partial<RunOptions>): RunOptions {
  const saving = workflow.settings.save_executions !== false;
  return {
    mode: options.mode,
    trigger: options.trigger,
    triggerNodeId: options.triggerNodeId,
    signal: options.signal,
    dataDir: join(ctx.dataDir, 'executions'),
    getCredential: ctx.vault.resolveCredential,
    hooks: combineHooks(saving ? checkpointHooks(ctx.store.executionStore) : undefined, options.hooks),
    ...extra,
  };
}

export async function runStoredWorkflow(ctx: SkynetteContext, workflow: Workflow, options: StoredRunOptions = {}): Promise<ExecutionRecord> {
  return runWorkflow(workflow, runOptions(ctx, workflow, { mode: 'manual', ...options }, {}));
}

async function workflowVersionOf(ctx: SkynetteContext, record: ExecutionRecord, latest: boolean): Promise<Workflow> {
  if (latest) {
    const stored = await ctx.store.workflowStore.get(record.workflow_id);
    if (!stored) throw new SkynetteError('WORKFLOW_NOT_FOUND', `the workflow "${record.workflow_name}" (${record.workflow_id}) of execution ${record.id} no longer exists`);
    return stored.workflow;
  }
  const version = await ctx.store.workflowStore.getVersion(record.workflow_id, record.workflow_version);
  if (!version) {
    throw new SkynetteError(
      'WORKFLOW_VERSION_NOT_FOUND',
      `version ${record.workflow_version} of workflow "${record.workflow_name}" (${record.workflow_id}) is no longer stored; retry with --latest to use the newest version`,
    );
  }
  return version.workflow;
}

/** Continues an execution a dead process left running: finished nodes are reused, the rest run. */
export async function resumeExecution(ctx: SkynetteContext, id: string, options: StoredRunOptions = {}): Promise<ExecutionRecord> {
  const record = await ctx.store.executionStore.require(id);
  if (record.status !== 'running' && record.status !== 'queued') {
    throw new SkynetteError('NOT_INTERRUPTED', `execution ${id} is ${record.status}, not interrupted; use \`skynette executions retry ${id}\` to run it again`);
  }
  const workflow = await workflowVersionOf(ctx, record, false);
  return runWorkflow(workflow, runOptions(ctx, workflow, options, { resumeFrom: record, mode: record.mode, trigger: record.trigger_data }));
}

export interface RetryOptions extends StoredRunOptions {
  /** Rerun from this node (id or name); default: the node that failed, else the whole workflow. */
  fromNode?: string;
  /** Use the newest version of the workflow instead of the one the execution ran. */
  latest?: boolean;
}

/** Runs a finished execution again as a new execution, reusing the stored outputs before `fromNode`. */
export async function retryExecution(ctx: SkynetteContext, id: string, options: RetryOptions = {}): Promise<ExecutionRecord> {
  const record = await ctx.store.executionStore.require(id);
  if (record.status === 'running' || record.status === 'queued') {
    throw new SkynetteError('STILL_RUNNING', `execution ${id} is ${record.status}; resume it with \`skynette executions resume ${id}\` instead`);
  }
  const workflow = await workflowVersionOf(ctx, record, options.latest ?? false);
  let from = options.fromNode;
  if (from !== undefined) {
    const node = workflow.nodes.find((n) => n.id === from || n.name === from);
    if (!node) throw new SkynetteError('NODE_NOT_FOUND', `the workflow has no node "${from}"; its nodes are ${workflow.nodes.map((n) => n.id).join(', ')}`);
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
  const prior: ExecutionRecord = {
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
  };
  return runWorkflow(workflow, runOptions(ctx, workflow, options, { resumeFrom: prior, mode: 'retry', trigger: record.trigger_data }));
}
