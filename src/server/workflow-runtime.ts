/**
 * Active workflows: what serving one means (its webhooks registered, its schedules armed, the
 * `active` flag stored) and keeping that in step when a workflow is saved, deactivated or deleted.
 * Route claims are checked and made synchronously, so of two activations racing for one path
 * exactly one wins and the other gets 409.
 */
import type { Logger } from 'pino';
import { compileWorkflow } from '../engine/compile.js';
import { findNode } from '../nodes/registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { scheduleTriggers } from '../scheduler/scheduler.js';
import type { StoredWorkflow, WorkflowStore } from '../store/index.js';
import { SkynetteError, errorMessage } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { ApiError } from './http-errors.js';
import type { WebhookInfo, WebhookRegistry } from './webhooks/webhook-registry.js';

export interface ScheduleInfo {
  node_id: string;
  schedule: string;
  timezone: string | null;
  next_runs: string[];
}

export interface ActivationInfo {
  id: string;
  name: string;
  version: number;
  active: boolean;
  webhooks: WebhookInfo[];
  schedules: ScheduleInfo[];
}

export interface WorkflowRuntimeOptions {
  workflowStore: WorkflowStore;
  webhooks: WebhookRegistry;
  scheduler: Scheduler;
  log: Logger;
}

/** A stored workflow that cannot be served as it is: 422 with the reasons. */
function notServable(workflow: Workflow, error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SkynetteError) {
    if (error.code === 'WEBHOOK_CONFLICT') return new ApiError(409, error.code, error.message, error.details ?? null);
    const details = Array.isArray(error.details) ? error.details : error.path ? [{ path: error.path, message: error.message }] : null;
    return new ApiError(422, error.code === 'INVALID_WORKFLOW' ? 'WORKFLOW_INVALID' : error.code, `workflow "${workflow.name}" cannot be activated: ${error.message}`, details);
  }
  return new ApiError(422, 'WORKFLOW_NOT_ACTIVATABLE', `workflow "${workflow.name}" cannot be activated: ${errorMessage(error)}`);
}

function hasServedTrigger(workflow: Workflow): boolean {
  return workflow.nodes.some((n) => {
    const type = findNode(n.type)?.type;
    return n.enabled && (type === 'webhook-trigger' || type === 'schedule_trigger');
  });
}

export class WorkflowRuntime {
  /** Workflows served now, by id: the version being served. */
  private readonly served = new Map<string, Workflow>();

  constructor(private readonly options: WorkflowRuntimeOptions) {}

  isActive(id: string): boolean {
    return this.served.has(id);
  }

  servedWorkflow(id: string): Workflow | undefined {
    return this.served.get(id);
  }

  /** Checks that a workflow can be served: valid, a webhook or schedule trigger, sound trigger config. */
  check(workflow: Workflow): void {
    try {
      compileWorkflow(workflow);
      if (!hasServedTrigger(workflow)) {
        throw new ApiError(422, 'WORKFLOW_NOT_ACTIVATABLE', `workflow "${workflow.name}" has no webhook-trigger or schedule_trigger, so there is nothing to activate; run it with POST /api/v1/workflows/${workflow.id}/run instead`);
      }
      this.options.webhooks.specsOf(workflow);
      scheduleTriggers(workflow);
    } catch (error) {
      throw notServable(workflow, error);
    }
  }

  /** Serves a workflow version: webhooks first (may throw 409), then schedules. */
  private serve(workflow: Workflow, schedule: { fresh: boolean; catchUp?: boolean }): void {
    this.check(workflow);
    try {
      this.options.webhooks.register(workflow);
    } catch (error) {
      throw notServable(workflow, error);
    }
    try {
      this.options.scheduler.set(workflow, schedule);
    } catch (error) {
      this.options.webhooks.unregister(workflow.id);
      throw notServable(workflow, error);
    }
    this.served.set(workflow.id, workflow);
  }

  private unserve(id: string): void {
    this.options.webhooks.unregister(id);
    this.options.scheduler.remove(id);
    this.served.delete(id);
  }

  async activate(ref: string): Promise<ActivationInfo> {
    const stored = await this.options.workflowStore.require(ref);
    const wasServed = this.served.get(stored.id);
    this.serve(stored.workflow, { fresh: !wasServed });
    try {
      if (!stored.active) await this.options.workflowStore.setActive(stored.id, true);
    } catch (error) {
      if (wasServed) this.serve(wasServed, { fresh: false });
      else this.unserve(stored.id);
      throw error;
    }
    this.options.log.info({ workflow_id: stored.id, version: stored.workflow.version }, 'workflow activated');
    return this.info(stored.workflow, true);
  }

  async deactivate(ref: string): Promise<ActivationInfo> {
    const stored = await this.options.workflowStore.require(ref);
    this.unserve(stored.id);
    if (stored.active) await this.options.workflowStore.setActive(stored.id, false);
    this.options.log.info({ workflow_id: stored.id }, 'workflow deactivated');
    return this.info(stored.workflow, false);
  }

  /**
   * Before a new version of a workflow is saved: an active workflow's new version must still be
   * servable and must not take another workflow's webhook path (throws 422 / 409, nothing saved).
   */
  checkUpdate(workflow: Workflow): void {
    if (!this.served.has(workflow.id)) return;
    this.check(workflow);
    try {
      this.options.webhooks.checkConflicts(workflow);
    } catch (error) {
      throw notServable(workflow, error);
    }
  }

  /** After a save: an active workflow serves its new version from now on. */
  updated(stored: StoredWorkflow): void {
    if (!this.served.has(stored.id)) return;
    try {
      this.serve(stored.workflow, { fresh: false });
    } catch (error) {
      // Saved by another path (files) into something that cannot be served: stop serving it.
      this.unserve(stored.id);
      this.options.log.error({ workflow_id: stored.id, error: errorMessage(error) }, 'the new version of an active workflow cannot be served; it is no longer served');
    }
  }

  deleted(id: string): void {
    this.unserve(id);
  }

  /**
   * At start: serves every workflow stored as active and catches up missed schedule runs. A
   * workflow that cannot be served is logged and skipped; the rest still start.
   */
  async startAll(): Promise<{ served: number; failed: Array<{ id: string; error: string }> }> {
    const failed: Array<{ id: string; error: string }> = [];
    let served = 0;
    const pageSize = 500;
    for (let offset = 0; ; offset += pageSize) {
      const { items } = await this.options.workflowStore.list({ limit: pageSize, offset });
      for (const summary of items) {
        if (!summary.active) continue;
        try {
          const stored = await this.options.workflowStore.require(summary.id);
          this.serve(stored.workflow, { fresh: false, catchUp: true });
          served++;
        } catch (error) {
          failed.push({ id: summary.id, error: errorMessage(error) });
          this.options.log.error({ workflow_id: summary.id, error: errorMessage(error) }, 'an active workflow could not be served at start');
        }
      }
      if (items.length < pageSize) break;
    }
    return { served, failed };
  }

  info(workflow: Workflow, active = this.served.has(workflow.id)): ActivationInfo {
    let webhooks: WebhookInfo[] = [];
    try {
      webhooks = this.options.webhooks.describe(workflow);
    } catch {
      // A broken trigger config shows no webhook.
    }
    return {
      id: workflow.id,
      name: workflow.name,
      version: workflow.version,
      active,
      webhooks,
      schedules: active ? this.schedulesOf(workflow.id) : [],
    };
  }

  /** Next run times of an active workflow's schedule triggers (none when it is not active). */
  schedulesOf(id: string): ScheduleInfo[] {
    return this.served.has(id) ? this.options.scheduler.nextRuns(id) : [];
  }

  stop(): void {
    this.options.scheduler.stop();
  }
}
