/**
 * One Skynette server process: opens the data dir (migrations run on open), picks up edited
 * workflow files, resumes every execution a previous process left unfinished, serves the active
 * workflows, then listens. `close()` is the graceful stop: no new work, running executions get the
 * grace period, the rest stay checkpointed as `running` for the next start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ExecutionRecord } from '../engine/execution.js';
import { openContext } from '../executions/context.js';
import { watchWorkflowFiles, type WorkflowWatcher } from '../library/watch.js';
import { startRetention } from './retention.js';
import type { SyncReport } from '../library/sync.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { errorMessage } from '../util/errors.js';
import { ApiTokenSource } from './api-token.js';
import { buildApp, type BuiltApp } from './app.js';
import type { ServerContext } from './context.js';
import { ExecutionService } from './execution-service.js';
import { createServerLogger } from './logger.js';
import { ServerMetrics } from './metrics.js';
import { resolveServerOptions, type ServerFlags, type ServerOptions } from './options.js';
import { WebhookSecrets } from './webhooks/auth.js';
import { WebhookRegistry } from './webhooks/webhook-registry.js';
import { WorkflowRuntime } from './workflow-runtime.js';

export interface StartServerOptions extends ServerFlags {
  env?: NodeJS.ProcessEnv;
  /** A logger of the caller's (tests); default: JSON lines on stderr. */
  log?: Logger;
}

export interface StartReport {
  resumed: number;
  resumeFailed: number;
  activated: number;
  activationFailed: number;
  tokenCreated: boolean;
  startedInMs: number;
}

export interface RunningServer {
  url: string;
  options: ServerOptions;
  context: ServerContext;
  app: BuiltApp['app'];
  report: StartReport;
  /** The graceful stop; resolves once the database is closed. Safe to call twice. */
  close(reason?: string): Promise<{ finished: boolean; leftRunning: string[] }>;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function urlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

export async function startServer(startOptions: StartServerOptions = {}): Promise<RunningServer> {
  const started = performance.now();
  const env = startOptions.env ?? process.env;
  const options = resolveServerOptions(startOptions, env);
  const log = startOptions.log ?? createServerLogger(options.logLevel);
  const data = await openContext({ dataDir: options.dataDir, env });
  try {
    return await assemble(options, log, data, started);
  } catch (error) {
    await data.close().catch(() => {});
    throw error;
  }
}

async function assemble(options: ServerOptions, log: Logger, data: Awaited<ReturnType<typeof openContext>>, started: number): Promise<RunningServer> {
  const token = new ApiTokenSource(options.dataDir);
  let baseUrl = options.publicUrl ?? urlFor(options.host, options.port);
  const runDataDir = join(options.dataDir, 'executions');

  const sync = await data.library.sync();
  for (const bad of sync.invalid) log.warn({ file: bad.file, errors: bad.errors.slice(0, 10) }, 'a workflow file does not validate and was ignored');
  if (sync.created.length || sync.updated.length) log.info({ created: sync.created.length, updated: sync.updated.length }, 'picked up changed workflow files');

  // Read at scrape time, when `executions` exists.
  const metrics: ServerMetrics = new ServerMetrics((): number => executions.runningCount);
  const executions: ExecutionService = new ExecutionService({ store: data.store.executionStore, metrics, log, dataDir: runDataDir, getCredential: data.vault.resolveCredential });
  const webhooks = new WebhookRegistry(data.store.workflowStore, () => baseUrl);
  const scheduler = new Scheduler({
    stateFile: join(options.dataDir, 'schedules.json'),
    log,
    onSkip: (fire) => metrics.scheduleRuns.inc([fire.workflowId, 'skipped_overlap']),
    run: (fire, workflow) => {
      metrics.scheduleRuns.inc([fire.workflowId, fire.catchUp ? 'catch_up' : 'started']);
      const handle = executions.start({
        workflow,
        mode: 'schedule',
        triggerNodeId: fire.nodeId,
        trigger: {
          scheduled_at: fire.scheduledAt.toISOString(),
          fired_at: new Date().toISOString(),
          catch_up: fire.catchUp,
          schedule: fire.spec.kind === 'cron' ? fire.spec.pattern : `every ${fire.spec.periodMs / 60_000} min`,
          timezone: fire.spec.kind === 'cron' ? fire.spec.timezone : null,
        },
        save: workflow.settings.save_executions !== false,
      });
      return handle.done;
    },
  });
  const runtime = new WorkflowRuntime({ workflowStore: data.store.workflowStore, webhooks, scheduler, log });
  const ctx: ServerContext = {
    options,
    data,
    runDataDir,
    executions,
    runtime,
    webhooks,
    secrets: new WebhookSecrets(data.vault.resolveCredential),
    metrics,
    log,
    token,
    baseUrl: () => baseUrl,
  };

  const resumed = await resumeInterrupted(ctx);
  const activation = await runtime.startAll();
  const watcher = watchWorkflowFiles(data.library, (report) => void pickedUp(ctx, report), (error) => log.warn({ error: errorMessage(error) }, 'watching the workflow files failed'));
  const retention = startRetention(ctx);
  const built = buildApp(ctx, packageVersion());
  try {
    await built.app.listen({ host: options.host, port: options.port });
  } catch (error) {
    watcher.close();
    retention.stop();
    runtime.stop();
    await executions.freeze(500);
    metrics.stop();
    throw error;
  }
  const address = built.app.server.address() as AddressInfo;
  const url = urlFor(options.host, address.port);
  if (!options.publicUrl) baseUrl = url;

  const report: StartReport = {
    resumed: resumed.started,
    resumeFailed: resumed.failed,
    activated: activation.served,
    activationFailed: activation.failed.length,
    tokenCreated: token.createdNow,
    startedInMs: Math.round(performance.now() - started),
  };
  log.info({ url, data_dir: options.dataDir, ...report }, 'skynette is listening');

  let closing: Promise<{ finished: boolean; leftRunning: string[] }> | undefined;
  const close = (reason = 'stop') => {
    closing ??= (retention.stop(), shutdown(ctx, built, watcher, reason));
    return closing;
  };
  return { url, options, context: ctx, app: built.app, report, close };
}

/** Workflow files edited while the server runs: an active workflow serves its new version at once. */
async function pickedUp(ctx: ServerContext, report: SyncReport): Promise<void> {
  const { log } = ctx;
  for (const bad of report.invalid) log.warn({ file: bad.file, errors: bad.errors.slice(0, 10) }, 'a workflow file does not validate and was ignored');
  for (const c of report.created) log.info({ file: c.file, workflow_id: c.id }, 'picked up a new workflow file');
  for (const u of report.updated) {
    log.info({ file: u.file, workflow_id: u.id, version: u.version }, 'picked up a changed workflow file');
    try {
      const stored = await ctx.data.store.workflowStore.get(u.id);
      if (stored) ctx.runtime.updated(stored);
    } catch (error) {
      log.error({ workflow_id: u.id, error: errorMessage(error) }, 'the changed workflow could not be served');
    }
  }
}

/** Restarts every execution a previous process left running or queued, from its checkpoints. */
async function resumeInterrupted(ctx: ServerContext): Promise<{ started: number; failed: number }> {
  const { executionStore, workflowStore } = ctx.data.store;
  const interrupted = await executionStore.findInterrupted();
  let started = 0;
  let failed = 0;
  for (const record of interrupted) {
    const version = await workflowStore.getVersion(record.workflow_id, record.workflow_version).catch(() => null);
    if (!version) {
      failed++;
      await markUnresumable(ctx, record, `version ${record.workflow_version} of workflow "${record.workflow_name}" no longer exists, so the interrupted execution cannot resume`);
      continue;
    }
    try {
      ctx.executions.start({ workflow: version.workflow, mode: record.mode, resumeFrom: record });
      ctx.metrics.resumed.inc();
      started++;
    } catch (error) {
      failed++;
      await markUnresumable(ctx, record, `the interrupted execution could not resume: ${errorMessage(error)}`);
    }
  }
  if (interrupted.length) ctx.log.info({ resumed: started, failed }, 'resumed interrupted executions');
  return { started, failed };
}

async function markUnresumable(ctx: ServerContext, record: ExecutionRecord, message: string): Promise<void> {
  const finishedAt = new Date();
  record.status = 'failed';
  record.error = { code: 'RESUME_FAILED', message };
  record.finished_at = finishedAt.toISOString();
  record.duration_ms = Math.max(0, finishedAt.getTime() - new Date(record.started_at).getTime());
  await ctx.data.store.executionStore.finish(record);
  ctx.log.error({ execution_id: record.id, workflow_id: record.workflow_id }, message);
}

async function shutdown(ctx: ServerContext, built: BuiltApp, watcher: WorkflowWatcher, reason: string): Promise<{ finished: boolean; leftRunning: string[] }> {
  const { log, executions } = ctx;
  log.info({ reason, running: executions.runningCount, grace_ms: ctx.options.graceMs }, 'stopping: no new requests; waiting for running executions');
  watcher.close();
  ctx.runtime.stop();
  // Stops accepting connections now; resolves once in-flight requests have their answers.
  const closed = built.app.close();
  const finished = await executions.drain(ctx.options.graceMs);
  let leftRunning: string[] = [];
  if (!finished) {
    leftRunning = await executions.freeze();
    log.warn({ executions: leftRunning }, `stopping: ${leftRunning.length} execution(s) still running after the grace period stay checkpointed and resume at the next start`);
  } else {
    await executions.freeze(0);
  }
  built.answerWaitingWebhooks();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(timer);
  built.app.server.closeAllConnections();
  ctx.metrics.stop();
  await ctx.data.close();
  log.info({ left_running: leftRunning.length }, 'stopped');
  return { finished, leftRunning };
}
