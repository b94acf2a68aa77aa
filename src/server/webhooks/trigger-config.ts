/**
 * The webhook triggers of a workflow, read once per version: config with defaults applied, path
 * normalised, and the auth settings checked, so a request never meets a half-configured webhook.
 */
import { applyConfigFields } from '../../nodes/config-check.js';
import { webhookTrigger } from '../../nodes/core/triggers/webhook-trigger.js';
import { findNode } from '../../nodes/registry.js';
import { SkynetteError } from '../../util/errors.js';
import type { Workflow } from '../../workflow/model.js';
import { normalizeWebhookPath, type WebhookMethod } from './routes-table.js';

export type WebhookAuthType = 'none' | 'header' | 'query' | 'basic' | 'bearer' | 'hmac_sha256';
export type WebhookResponseMode = 'immediate' | 'last_node' | 'response_node';

export interface WebhookTriggerConfig {
  path: string;
  method: WebhookMethod;
  auth_type: WebhookAuthType;
  auth_token?: string;
  auth_credential?: string;
  header_name: string;
  query_param: string;
  response_mode: WebhookResponseMode;
  rate_limit_per_minute?: number;
}

export interface WebhookTrigger {
  nodeId: string;
  /** Normalised, e.g. `orders/:id`. */
  path: string;
  config: WebhookTriggerConfig;
  /** The header that carries the token or signature (lower-case). */
  secretHeader: string;
}

/** The header an HMAC signature comes in when the trigger names none (what webhook-call sends). */
export const DEFAULT_SIGNATURE_HEADER = 'x-skynette-signature';

export function webhookTriggers(workflow: Workflow): WebhookTrigger[] {
  const found: WebhookTrigger[] = [];
  workflow.nodes.forEach((node, index) => {
    if (!node.enabled || findNode(node.type)?.type !== 'webhook-trigger') return;
    const at = `nodes[${index}].config`;
    const config = applyConfigFields<WebhookTriggerConfig>(webhookTrigger.fields, node.config, at);
    let path: string;
    try {
      path = normalizeWebhookPath(config.path);
    } catch (error) {
      throw new SkynetteError('INVALID_CONFIG', `${at}.path: ${(error as Error).message}`, { path: `${at}.path`, details: [{ path: `${at}.path`, message: (error as Error).message }] });
    }
    if (config.auth_type !== 'none' && !config.auth_token && !config.auth_credential) {
      throw new SkynetteError(
        'WEBHOOK_AUTH_INCOMPLETE',
        `${at}: auth_type is ${config.auth_type} but neither auth_credential nor auth_token is set; add a credential (skynette credentials add) and name it in auth_credential`,
        { path: `${at}.auth_credential`, details: [{ path: `${at}.auth_credential`, message: 'required when auth_type is not none' }] },
      );
    }
    const namedHeader = typeof node.config.header_name === 'string' && node.config.header_name.trim() !== '';
    const secretHeader = config.auth_type === 'hmac_sha256' && !namedHeader ? DEFAULT_SIGNATURE_HEADER : config.header_name.trim().toLowerCase();
    found.push({ nodeId: node.id, path, config, secretHeader });
  });
  return found;
}
