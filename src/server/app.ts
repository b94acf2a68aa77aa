/**
 * The Fastify application: guards, error mapping, health and metrics, the REST API and the
 * webhook routes. Built from a ServerContext so tests and the `start` command share it.
 */
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { SkynetteError, errorMessage } from '../util/errors.js';
import type { ServerContext } from './context.js';
import { ApiError, errorBody, problemDetails, statusForError } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import { registerRequestGuards } from './request-guards.js';
import { registerCredentialRoutes } from './routes/credentials.js';
import { registerExecutionRoutes } from './routes/executions.js';
import { registerNodeRoutes } from './routes/nodes.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerWorkflowRoutes } from './routes/workflows.js';
import { registerWebhookRoutes } from './webhooks/webhook-routes.js';

/** Fastify's own error codes, as the API words them. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than this endpoint accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'this endpoint takes application/json (workflows also application/yaml)' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
};

export interface BuiltApp {
  app: FastifyInstance;
  /** Answers 503 to webhook callers still waiting for a run (at shutdown). */
  answerWaitingWebhooks(): number;
}

export function buildApp(ctx: ServerContext, version: string): BuiltApp {
  const { options, log } = ctx;
  const instance = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: !/^(1|true|yes)$/i.test(options.env.SKYNETTE_LOG_REQUESTS ?? '') }),
    bodyLimit: options.apiBodyLimit,
    trustProxy: options.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestIdHeader: false,
  });
  // Typed with the generic logger, as every route module takes it.
  const app = instance as unknown as FastifyInstance;

  app.setErrorHandler((error: FastifyError | SkynetteError | Error, request, reply) => {
    const fastifyCode = (error as FastifyError).code;
    const known = fastifyCode ? FASTIFY_ERRORS[fastifyCode] : undefined;
    if (known) return reply.code(known.status).send(errorBody(known.code, known.message ?? error.message));
    if (error instanceof SkynetteError) {
      const status = statusForError(error);
      if (status < 500 || error instanceof ApiError) {
        return reply.code(status).send(errorBody(error.code, error.message, error instanceof ApiError ? (error.details ?? null) : problemDetails(error)));
      }
    }
    const status = (error as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(fastifyCode ?? 'BAD_REQUEST', error.message));
    }
    // Anything else is ours to fix: the log has it, the answer does not.
    log.error({ err: error, url: request.url, method: request.method, request_id: request.id }, 'request failed');
    const code = error instanceof SkynetteError && statusForError(error) === 503 ? 'SERVICE_UNAVAILABLE' : 'INTERNAL';
    return reply.code(code === 'INTERNAL' ? 500 : 503).send(errorBody(code, `the server could not handle this request (request id ${request.id}); the details are in the server log`));
  });

  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));

  registerRequestGuards(app, { host: options.host, allowedHosts: options.allowedHosts, corsOrigins: options.corsOrigins, token: ctx.token });

  // An empty body sent as JSON (curl -X POST -H 'content-type: application/json') is no body.
  const parseJson = instance.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });
  // Workflows may come as YAML text too.
  app.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml'], { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.data.store.database.db);
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', error: errorMessage(error) });
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render()));

  const openapi = () => openApiDocument(version, ctx.baseUrl());
  app.get('/api/v1/openapi.json', async () => openapi());
  registerWorkflowRoutes(app, ctx);
  registerExecutionRoutes(app, ctx);
  registerNodeRoutes(app);
  registerCredentialRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);

  const webhooks = registerWebhookRoutes(app, {
    registry: ctx.webhooks,
    executions: ctx.executions,
    secrets: ctx.secrets,
    metrics: ctx.metrics,
    log,
    dataDir: ctx.runDataDir,
    bodyLimit: options.webhookBodyLimit,
  });

  return { app, answerWaitingWebhooks: () => webhooks.answerWaiting() };
}
