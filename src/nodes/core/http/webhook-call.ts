/**
 * webhook-call: sends a JSON payload to another system's webhook, optionally signed with
 * HMAC-SHA256 the way Skynette's own webhook trigger checks it (X-Skynette-Signature: sha256=<hex>
 * over the exact body bytes).
 */
import { createHmac } from 'node:crypto';
import { defineNode, field } from '../../sdk.js';
import { httpRequest, type HttpMethod } from '../../../http/index.js';
import { mergeHeaders } from './credential-auth.js';
import { headerRecord, httpNodeOutput } from './response-output.js';

export const SIGNATURE_HEADER = 'X-Skynette-Signature';

interface WebhookCallConfig {
  url: string;
  method: HttpMethod;
  payload?: unknown;
  body?: unknown;
  headers?: Record<string, unknown>;
  auth_header?: string;
  timeout?: number;
  secret?: string;
  request_timeout_ms: number;
  fail_on_error_status: boolean;
  retries: number;
}

export function webhookSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const webhookCallNode = defineNode<WebhookCallConfig>({
  type: 'webhook-call',
  name: 'Call webhook',
  description: 'Sends a JSON payload to a webhook URL, optionally signed with HMAC-SHA256.',
  category: 'http',
  fields: {
    url: field.string({ required: true, placeholder: 'https://example.com/hooks/incoming' }),
    method: field.select(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], { default: 'POST' }),
    payload: field.json({ description: "the JSON to send; when empty, the previous node's output ($prev)" }),
    body: field.json({ description: 'the name the original Skynette used for payload; payload wins when both are set' }),
    headers: field.json({ shape: 'object' }),
    auth_header: field.secret({ description: 'Authorization header value, e.g. "Bearer …"' }),
    timeout: field.number({ min: 0.001, description: 'timeout in seconds (the original field); request_timeout_ms when unset' }),
    secret: field.secret({ description: `signs the body: ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the body>` }),
    request_timeout_ms: field.number({ default: 30_000, min: 1, integer: true }),
    fail_on_error_status: field.boolean({ default: true, description: 'a 4xx/5xx response fails the node; when off it is output with ok: false' }),
    retries: field.number({ default: 0, min: 0, max: 10, integer: true, description: 'retries on 429 and 5xx, waiting as Retry-After asks' }),
  },
  async run(ctx) {
    const config = ctx.config;
    const isEmpty = (v: unknown) => v === undefined || v === null || v === '';
    const given = isEmpty(config.payload) ? config.body : config.payload;
    const payload = isEmpty(given) ? ctx.input : given;
    // Serialized once here so the signature covers exactly the bytes sent.
    const body = JSON.stringify(payload ?? null);
    const extra: Record<string, string> = { 'content-type': 'application/json' };
    if (config.secret) extra[SIGNATURE_HEADER] = webhookSignature(config.secret, body);
    if (config.auth_header) extra.authorization = config.auth_header;
    const sendsBody = config.method !== 'GET';
    const response = await httpRequest({
      method: config.method,
      url: config.url,
      headers: mergeHeaders(headerRecord(config.headers), extra),
      body: sendsBody ? { type: 'raw', data: body, contentType: 'application/json' } : undefined,
      timeoutMs: config.timeout ? Math.round(config.timeout * 1000) : config.request_timeout_ms,
      signal: ctx.signal,
      retry: config.retries > 0 ? { retries: config.retries } : false,
      throwOnStatus: config.fail_on_error_status,
      secrets: [config.secret, config.auth_header].filter((s): s is string => Boolean(s)),
      log: ctx.log,
    });
    ctx.log.debug(`webhook answered HTTP ${response.status} (${response.url})`);
    const output = httpNodeOutput(response);
    // The original node answered {response, status_code, headers, success}; keep those names too.
    return { ...output, response: output.body, status_code: output.status, success: output.ok };
  },
});
