/**
 * webhook-response: the reply to the request that started the workflow (webhook-trigger with
 * response_mode response_node). The server answers as soon as this node has run; nodes after it
 * keep running. Outside a webhook run it only hands on what it would have answered.
 */
import { defineNode, field } from '../../sdk.js';

interface WebhookResponseConfig {
  status_code: number;
  body?: unknown;
  headers?: Record<string, unknown>;
  content_type: string;
}

export interface WebhookReply {
  status_code: number;
  headers: Record<string, string>;
  body: unknown;
  content_type: string;
}

export const webhookResponse = defineNode<WebhookResponseConfig>({
  type: 'webhook-response',
  name: 'Webhook Response',
  description: 'Answers the webhook request that started the workflow: status, headers, body and content type.',
  category: 'http',
  replayable: true,
  fields: {
    status_code: field.number({ default: 200, min: 100, max: 599, integer: true }),
    body: field.expression({ description: "what to send; text is sent as is, anything else as JSON; default: the previous node's output" }),
    headers: field.json({ shape: 'object', description: 'extra response headers, e.g. {"X-Request-Id": "{{ $trigger.headers[\'x-request-id\'] }}"}' }),
    content_type: field.string({ default: 'application/json', placeholder: 'application/json' }),
  },
  run({ config, input, rawConfig }): WebhookReply {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(config.headers ?? {})) {
      if (value !== undefined && value !== null) headers[name] = typeof value === 'string' ? value : String(value);
    }
    const body = 'body' in rawConfig && rawConfig.body !== '' ? config.body : input;
    return { status_code: config.status_code, headers, body: body ?? null, content_type: config.content_type };
  },
});
