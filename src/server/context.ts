/**
 * Everything the routes of one server process share.
 */
import type { Logger } from 'pino';
import type { SkynetteContext } from '../executions/context.js';
import type { ApiTokenSource } from './api-token.js';
import type { ExecutionService } from './execution-service.js';
import type { ServerMetrics } from './metrics.js';
import type { ServerOptions } from './options.js';
import type { WebhookSecrets } from './webhooks/auth.js';
import type { WebhookRegistry } from './webhooks/webhook-registry.js';
import type { WorkflowRuntime } from './workflow-runtime.js';

export interface ServerContext {
  options: ServerOptions;
  /** Store, workflow library and credential vault of the data dir. */
  data: SkynetteContext;
  /** Where runs keep their files (binary data, uploads): `<data dir>/executions`. */
  runDataDir: string;
  executions: ExecutionService;
  runtime: WorkflowRuntime;
  webhooks: WebhookRegistry;
  secrets: WebhookSecrets;
  metrics: ServerMetrics;
  log: Logger;
  token: ApiTokenSource;
  /** The URL the server is reached at (after listening; SKYNETTE_PUBLIC_URL when set). */
  baseUrl(): string;
}
