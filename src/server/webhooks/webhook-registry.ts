/**
 * The webhooks being served: for each active workflow, its webhook triggers with everything a
 * request needs prepared once per version (the workflow object, whose compiled form the engine
 * caches, the trigger config, the rate limiter). A request reads no workflow from the database.
 * `/webhook-test/` resolves against the latest saved version of every workflow instead.
 */
import type { Workflow } from '../../workflow/model.js';
import type { WorkflowStore } from '../../store/index.js';
import { RateLimiter } from './rate-limit.js';
import { WebhookRoutesTable, type RouteMatch, type RouteSpec } from './routes-table.js';
import { webhookTriggers, type WebhookTrigger } from './trigger-config.js';

export interface WebhookTarget {
  workflow: Workflow;
  trigger: WebhookTrigger;
  /** false when the workflow's settings.save_executions is false. */
  save: boolean;
  limiter?: RateLimiter;
  /** Identifies this trigger of this version (secret cache key). */
  key: string;
  test: boolean;
}

export interface WebhookInfo {
  node_id: string;
  method: string;
  path: string;
  url: string;
  test_url: string;
  auth_type: string;
  response_mode: string;
}

function targetsOf(workflow: Workflow, test: boolean): Array<RouteSpec<WebhookTarget>> {
  const save = workflow.settings.save_executions !== false;
  return webhookTriggers(workflow).map((trigger) => ({
    method: trigger.config.method,
    path: trigger.path,
    target: {
      workflow,
      trigger,
      save,
      limiter: trigger.config.rate_limit_per_minute ? new RateLimiter(trigger.config.rate_limit_per_minute) : undefined,
      key: `${test ? 'test:' : ''}${workflow.id}@${workflow.version}/${trigger.nodeId}`,
      test,
    },
  }));
}

export class WebhookRegistry {
  readonly live = new WebhookRoutesTable<WebhookTarget>();
  private readonly testCache = new Map<string, { version: number; updatedAt: string; table: WebhookRoutesTable<WebhookTarget> }>();

  constructor(
    private readonly workflowStore: WorkflowStore,
    private readonly baseUrl: () => string,
  ) {}

  /** The webhook triggers a workflow would serve (checks their config; throws on a bad one). */
  specsOf(workflow: Workflow): Array<RouteSpec<WebhookTarget>> {
    return targetsOf(workflow, false);
  }

  /** Serves a workflow's webhooks (replacing those of its earlier version); throws WEBHOOK_CONFLICT. */
  register(workflow: Workflow): number {
    return this.live.replace(workflow.id, targetsOf(workflow, false)).length;
  }

  /** Throws WEBHOOK_CONFLICT when the workflow's webhooks clash with another active one. */
  checkConflicts(workflow: Workflow): void {
    this.live.assertFree(workflow.id, targetsOf(workflow, false));
  }

  unregister(workflowId: string): void {
    this.live.remove(workflowId);
  }

  isServing(workflowId: string): boolean {
    return this.live.routesOf(workflowId).length > 0;
  }

  describe(workflow: Workflow): WebhookInfo[] {
    const base = this.baseUrl();
    return webhookTriggers(workflow).map((t) => ({
      node_id: t.nodeId,
      method: t.config.method,
      path: t.path,
      url: `${base}/webhook/${t.path}`,
      test_url: `${base}/webhook-test/${t.path}`,
      auth_type: t.config.auth_type,
      response_mode: t.config.response_mode,
    }));
  }

  matchLive(method: string, path: string): RouteMatch<WebhookTarget> {
    return this.live.match(method, path);
  }

  /** For /webhook-test/: the most recently changed saved workflow with a trigger on this path. */
  async matchTest(method: string, path: string): Promise<RouteMatch<WebhookTarget>> {
    const { items } = await this.workflowStore.list({ limit: 100_000 });
    items.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
    const seen = new Set<string>();
    let allowed: string[] | undefined;
    for (const summary of items) {
      seen.add(summary.id);
      let cached = this.testCache.get(summary.id);
      if (!cached || cached.version !== summary.current_version || cached.updatedAt !== summary.updated_at) {
        const stored = await this.workflowStore.get(summary.id);
        if (!stored) continue;
        const table = new WebhookRoutesTable<WebhookTarget>();
        try {
          // Triggers of one workflow may share a path in a draft; the first one wins for testing.
          const specs = targetsOf(stored.workflow, true);
          for (const spec of specs) {
            try {
              table.replace(`${summary.id}/${spec.target.trigger.nodeId}`, [spec]);
            } catch {
              // A duplicate inside one draft: skipped.
            }
          }
        } catch {
          // A draft whose webhook config is broken serves no test webhook.
        }
        cached = { version: summary.current_version, updatedAt: summary.updated_at, table };
        this.testCache.set(summary.id, cached);
      }
      const match = cached.table.match(method, path);
      if (match && 'route' in match) return match;
      if (match) allowed = [...(allowed ?? []), ...match.allowed];
    }
    for (const id of this.testCache.keys()) if (!seen.has(id)) this.testCache.delete(id);
    return allowed ? { allowed } : null;
  }
}
