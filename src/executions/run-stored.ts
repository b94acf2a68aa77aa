/**
 * Running stored workflows so that every step is saved: a fresh run, a resume of an interrupted
 * execution, and a retry of a finished one from a chosen node.
 */
import { join } from 'node:path';
import { SkynetteError } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { runWorkflow, type RunOptions } from '../engine/runner.js';
import { combineHooks, type ExecutionHooks, type ExecutionRecord } from '../engine/execution.js';
import { checkpointHooks } from '../store/index.js';
import type { SkynetteContext } from './context.js';
import { planRetry, workflowOfExecution, type RetryChoice } from './retry-plan.js';

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

/** Continues an execution a dead process left running: finished nodes are reused, the rest run. */
export async function resumeExecution(ctx: SkynetteContext, id: string, options: StoredRunOptions = {}): Promise<ExecutionRecord> {
  const record = await ctx.store.executionStore.require(id);
  if (record.status !== 'running' && record.status !== 'queued') {
    throw new SkynetteError('NOT_INTERRUPTED', `execution ${id} is ${record.status}, not interrupted; use \`skynette executions retry ${id}\` to run it again`);
  }
  const workflow = await workflowOfExecution(ctx.store.workflowStore, record, false);
  return runWorkflow(workflow, runOptions(ctx, workflow, options, { resumeFrom: record, mode: record.mode, trigger: record.trigger_data }));
}

export interface RetryOptions extends StoredRunOptions, RetryChoice {}

/** Runs a finished execution again as a new execution, reusing the stored outputs before `fromNode`. */
export async function retryExecution(ctx: SkynetteContext, id: string, options: RetryOptions = {}): Promise<ExecutionRecord> {
  const record = await ctx.store.executionStore.require(id);
  const { workflow, start } = await planRetry(ctx.store.workflowStore, record, options);
  return runWorkflow(workflow, runOptions(ctx, workflow, options, { resumeFrom: start, mode: 'retry', trigger: record.trigger_data }));
}
