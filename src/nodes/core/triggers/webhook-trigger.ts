import { defineNode, field } from '../../sdk.js';

/** The server serves these webhooks; run() hands on the request it received. */
export const webhookTrigger = defineNode({
  type: 'webhook-trigger',
  name: 'Webhook Trigger',
  description: 'Starts the workflow when an HTTP request arrives at /webhook/<path>.',
  category: 'trigger',
  replayable: true,
  kind: 'trigger',
  fields: {
    path: field.string({ default: '/webhook', required: true, description: 'URL path; parameters such as /orders/:id are allowed' }),
    method: field.select(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'ANY'], { default: 'POST' }),
    auth_type: field.select(['none', 'header', 'query', 'basic', 'bearer', 'hmac_sha256'], { default: 'none' }),
    auth_token: field.secret({ description: 'token, user:password (basic) or HMAC secret; prefer auth_credential' }),
    auth_credential: field.credential(['api_key', 'bearer', 'basic_auth'], { description: 'take the secret from the credential vault' }),
    header_name: field.string({ default: 'X-Webhook-Token', description: 'header carrying the token (header) or the signature (hmac_sha256)' }),
    query_param: field.string({ default: 'token', description: 'query parameter carrying the token (query)' }),
    response_mode: field.select(['immediate', 'last_node', 'response_node'], {
      default: 'immediate',
      description: 'immediate: 202 with the execution id; last_node: the last node output; response_node: a webhook-response node sets the reply',
    }),
    rate_limit_per_minute: field.number({ min: 1, integer: true, description: 'answer 429 above this many requests per minute' }),
  },
  run: ({ trigger }) => trigger,
});
