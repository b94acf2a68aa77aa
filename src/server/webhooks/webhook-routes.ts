/**
 * `/webhook/<path>` and `/webhook-test/<path>`. Before the body is read: the route (404, 405),
 * the rate limit (429), the content type (415) and every auth mode but HMAC (401). The body comes
 * in raw (413 above the limit), is checked against its HMAC signature when the trigger asks for
 * one, then parsed by its content type. The answer follows the trigger's response_mode.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ExecutionRecord, NodeResult } from '../../engine/execution.js';
import { findNode } from '../../nodes/registry.js';
import type { WebhookReply } from '../../nodes/core/triggers/webhook-response.js';
import { errorBody } from '../http-errors.js';
import type { ExecutionService } from '../execution-service.js';
import type { ServerMetrics } from '../metrics.js';
import { checkHeaderAuth, checkSignature, type WebhookSecrets } from './auth.js';
import { bodyKind, parseWebhookBody, unsupportedMediaType } from './body.js';
import type { WebhookRegistry, WebhookTarget } from './webhook-registry.js';

export interface WebhookRoutesOptions {
  registry: WebhookRegistry;
  executions: ExecutionService;
  secrets: WebhookSecrets;
  metrics: ServerMetrics;
  log: Logger;
  dataDir: string;
  bodyLimit: number;
}

interface Matched {
  target: WebhookTarget;
  params: Record<string, string>;
}

const LIVE_PREFIX = '/webhook/';
const TEST_PREFIX = '/webhook-test/';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
/** Headers a workflow may not set on its reply: the server frames the response itself. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer']);
const REDACTED = '***';

function requestPath(url: string, prefix: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url.slice(prefix.length) : url.slice(prefix.length, query);
  return path.replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function send(reply: FastifyReply, status: number, code: string, message: string, details: unknown = null): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(errorBody(code, message, details)));
}

function isWebhookResponse(result: NodeResult): boolean {
  return result.status === 'completed' && (result.node_type === 'webhook-response' || findNode(result.node_type)?.type === 'webhook-response');
}

/** What a workflow's last node produced: the last result that ran. */
function lastOutput(record: ExecutionRecord): unknown {
  for (let i = record.node_results.length - 1; i >= 0; i--) {
    const r = record.node_results[i];
    if (r.status === 'completed' || r.status === 'disabled' || (r.status === 'failed' && r.continued)) return r.output;
  }
  return null;
}

function isJsonType(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function sendWorkflowReply(reply: FastifyReply, answer: WebhookReply): FastifyReply {
  let contentType = answer.content_type || 'application/json';
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    const lower = name.toLowerCase();
    if (FRAMING_HEADERS.has(lower)) continue;
    if (lower === 'content-type') contentType = value;
    else reply.header(name, value);
  }
  reply.code(answer.status_code).type(contentType);
  const body = answer.body;
  if (isJsonType(contentType)) return reply.send(JSON.stringify(body ?? null));
  if (typeof body === 'string') return reply.send(body);
  if (body && typeof body === 'object' && typeof (body as { data_base64?: unknown }).data_base64 === 'string') {
    return reply.send(Buffer.from((body as { data_base64: string }).data_base64, 'base64'));
  }
  return reply.send(body === null || body === undefined ? '' : JSON.stringify(body));
}

function failedReply(reply: FastifyReply, record: ExecutionRecord): FastifyReply {
  const status = record.status === 'cancelled' ? 'was cancelled' : 'failed';
  return send(reply, 500, 'EXECUTION_FAILED', `the workflow ${status}; see execution ${record.id}`, { execution_id: record.id });
}

export function registerWebhookRoutes(app: FastifyInstance, options: WebhookRoutesOptions): { answerWaiting(): number } {
  const { registry, executions, secrets, metrics, log, dataDir } = options;
  const matches = new WeakMap<FastifyRequest, Matched>();
  const waiting = new Set<{ reply: FastifyReply; executionId: string }>();

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

    scope.addHook('onResponse', async (_request, reply) => {
      metrics.webhookRequests.inc([String(reply.statusCode)]);
    });

    scope.addHook('onRequest', async (request, reply) => {
      const test = request.url.startsWith(TEST_PREFIX);
      const path = requestPath(request.url, test ? TEST_PREFIX : LIVE_PREFIX);
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const found = test ? await registry.matchTest(method, path) : registry.matchLive(method, path);
      if (!found) return send(reply, 404, 'WEBHOOK_NOT_FOUND', `no ${test ? 'saved' : 'active'} workflow has a webhook at /${test ? 'webhook-test' : 'webhook'}/${path}`);
      if ('allowed' in found) {
        const allowed = [...new Set(found.allowed.flatMap((m) => (m === 'ANY' ? METHODS : [m])))];
        reply.header('allow', allowed.join(', '));
        return send(reply, 405, 'METHOD_NOT_ALLOWED', `the webhook at /${path} takes ${allowed.join(', ')}, not ${request.method}`);
      }
      const target = found.route.target;
      if (target.limiter) {
        const wait = target.limiter.take();
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          return send(reply, 429, 'RATE_LIMITED', `this webhook takes at most ${target.limiter.perMinute} requests a minute; retry in ${wait} s`);
        }
      }
      if (hasBody(request) && bodyKind(request.headers['content-type']) === null) {
        const error = unsupportedMediaType(request.headers['content-type']);
        return send(reply, 415, error.code, error.message);
      }
      const trigger = target.trigger;
      if (trigger.config.auth_type !== 'none' && trigger.config.auth_type !== 'hmac_sha256') {
        const secret = await secrets.get(target.key, trigger);
        const outcome = checkHeaderAuth(trigger, secret, request.headers, request.query as Record<string, unknown>);
        if (!outcome.ok) {
          reply.header('www-authenticate', outcome.challenge);
          return send(reply, 401, 'UNAUTHORIZED', `authentication failed: ${outcome.message}`);
        }
      }
      matches.set(request, { target, params: found.params });
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const matched = matches.get(request);
      if (!matched) return send(reply, 404, 'WEBHOOK_NOT_FOUND', 'no webhook here');
      const { target, params } = matched;
      const trigger = target.trigger;
      const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
      if (trigger.config.auth_type === 'hmac_sha256') {
        const secret = await secrets.get(target.key, trigger);
        const outcome = checkSignature(trigger, secret, request.headers, raw ?? Buffer.alloc(0));
        if (!outcome.ok) {
          reply.header('www-authenticate', outcome.challenge);
          return send(reply, 401, 'UNAUTHORIZED', `authentication failed: ${outcome.message}`);
        }
      }
      const executionId = randomUUID();
      const parsed = await parseWebhookBody(request.headers['content-type'], raw, () => join(dataDir, 'webhook-files', executionId));
      const headers: Record<string, unknown> = { ...request.headers };
      const query: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
      // Secrets that authenticated the request are not kept in the execution record.
      if (trigger.config.auth_type === 'header' && headers[trigger.secretHeader] !== undefined) headers[trigger.secretHeader] = REDACTED;
      if ((trigger.config.auth_type === 'bearer' || trigger.config.auth_type === 'basic') && headers.authorization !== undefined) headers.authorization = REDACTED;
      if (trigger.config.auth_type === 'query' && query[trigger.config.query_param] !== undefined) query[trigger.config.query_param] = REDACTED;
      const triggerData: Record<string, unknown> = {
        method: request.method,
        path: request.url.split('?')[0],
        params,
        headers,
        query,
        body: parsed.body,
        client_ip: request.ip,
        received_at: new Date().toISOString(),
      };
      if (parsed.files) triggerData.files = parsed.files;

      const mode = trigger.config.response_mode;
      let answer: WebhookReply | undefined;
      let deliver: (() => void) | undefined;
      const replied = new Promise<void>((resolve) => {
        deliver = resolve;
      });
      const handle = executions.start({
        workflow: target.workflow,
        mode: target.test ? 'webhook-test' : 'webhook',
        trigger: triggerData,
        triggerNodeId: trigger.nodeId,
        executionId,
        save: target.save,
        deferCreate: mode !== 'immediate',
        onNodeFinish:
          mode === 'response_node'
            ? (_record, result) => {
                if (answer || !isWebhookResponse(result)) return;
                answer = result.output as WebhookReply;
                // Unsaved runs answer at once; saved ones once the answer is on disk.
                if (!target.save) deliver?.();
              }
            : undefined,
        onPersisted: mode === 'response_node' ? () => answer && deliver?.() : undefined,
      });

      if (mode === 'immediate') {
        try {
          await handle.accepted;
        } catch (error) {
          log.error({ execution_id: executionId, error: (error as Error).message }, 'webhook: the execution could not be saved');
          return send(reply, 500, 'EXECUTION_NOT_SAVED', 'the execution could not be saved; see the server log');
        }
        return reply.code(202).send({ execution_id: executionId, workflow_id: target.workflow.id, status: 'accepted' });
      }

      const entry = { reply, executionId };
      waiting.add(entry);
      try {
        // The run's end, or (response_node) its webhook-response node's answer, whichever is first.
        const record = await Promise.race([handle.done, replied.then(() => undefined)]);
        if (reply.sent) return reply;
        if (answer) return sendWorkflowReply(reply, answer);
        if (!record) return send(reply, 500, 'EXECUTION_FAILED', `the workflow gave no answer; see execution ${executionId}`);
        if (record.status !== 'completed') return failedReply(reply, record);
        return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(lastOutput(record) ?? null));
      } finally {
        waiting.delete(entry);
      }
    };

    for (const prefix of [LIVE_PREFIX, TEST_PREFIX]) {
      scope.route({ method: METHODS, url: `${prefix}*`, handler, exposeHeadRoute: false });
    }
  });

  return {
    /** At shutdown: callers still waiting for a run get 503 (the run resumes at the next start). */
    answerWaiting() {
      let count = 0;
      for (const { reply, executionId } of waiting) {
        if (reply.sent) continue;
        count++;
        send(reply, 503, 'SHUTTING_DOWN', `the server stopped before the workflow finished (execution ${executionId}; if it was saved, it resumes at the next start)`, { execution_id: executionId });
      }
      waiting.clear();
      return count;
    },
  };
}

