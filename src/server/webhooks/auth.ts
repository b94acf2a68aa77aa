/**
 * Webhook authentication, every mode compared in constant time: a token in a header or a query
 * parameter, HTTP Basic, a Bearer token, or an HMAC-SHA256 signature of the raw body (hex, with or
 * without the `sha256=` prefix). Secrets come from the vault (auth_credential) or the trigger's
 * auth_token, and are cached briefly so a request costs no database read.
 */
import { createHmac } from 'node:crypto';
import { SkynetteError } from '../../util/errors.js';
import { constantTimeEqual } from '../api-token.js';
import type { WebhookTrigger } from './trigger-config.js';

export interface WebhookSecret {
  /** The token (header, query, bearer) or HMAC key. */
  token?: string;
  /** Basic auth. */
  username?: string;
  password?: string;
}

export type AuthOutcome = { ok: true } | { ok: false; challenge: string; message: string };

const REALM = 'realm="skynette"';

export function challengeFor(trigger: WebhookTrigger): string {
  switch (trigger.config.auth_type) {
    case 'basic':
      return `Basic ${REALM}, charset="UTF-8"`;
    case 'bearer':
      return `Bearer ${REALM}`;
    case 'query':
      return `Token ${REALM}, param="${trigger.config.query_param}"`;
    case 'hmac_sha256':
      return `HMAC-SHA256 ${REALM}, header="${trigger.secretHeader}"`;
    default:
      return `Token ${REALM}, header="${trigger.secretHeader}"`;
  }
}

/** The secret a trigger checks against: from its credential when it names one, else auth_token. */
export function secretFromCredential(trigger: WebhookTrigger, credential: Record<string, unknown> | undefined): WebhookSecret {
  const auth = trigger.config.auth_type;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  if (credential) {
    if (auth === 'basic') return { username: text(credential.username), password: typeof credential.password === 'string' ? credential.password : undefined };
    return { token: text(credential.token) ?? text(credential.key) ?? text(credential.secret) ?? text(credential.password) };
  }
  const token = trigger.config.auth_token;
  if (auth === 'basic' && token) {
    const colon = token.indexOf(':');
    return colon < 0 ? { username: token, password: '' } : { username: token.slice(0, colon), password: token.slice(colon + 1) };
  }
  return { token };
}

function fail(trigger: WebhookTrigger, message: string): AuthOutcome {
  return { ok: false, challenge: challengeFor(trigger), message };
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Checks the parts of a request that come before its body (all modes but hmac_sha256). */
export function checkHeaderAuth(trigger: WebhookTrigger, secret: WebhookSecret, headers: Record<string, string | string[] | undefined>, query: Record<string, unknown>): AuthOutcome {
  const auth = trigger.config.auth_type;
  switch (auth) {
    case 'none':
    case 'hmac_sha256':
      return { ok: true };
    case 'header': {
      const given = headerValue(headers, trigger.secretHeader);
      if (given === undefined) return fail(trigger, `missing the ${trigger.secretHeader} header`);
      return secret.token !== undefined && constantTimeEqual(given, secret.token) ? { ok: true } : fail(trigger, `wrong token in the ${trigger.secretHeader} header`);
    }
    case 'query': {
      const raw = query[trigger.config.query_param];
      const given = Array.isArray(raw) ? raw[0] : raw;
      if (typeof given !== 'string') return fail(trigger, `missing the ${trigger.config.query_param} query parameter`);
      return secret.token !== undefined && constantTimeEqual(given, secret.token) ? { ok: true } : fail(trigger, `wrong token in the ${trigger.config.query_param} query parameter`);
    }
    case 'bearer': {
      const header = headerValue(headers, 'authorization');
      const m = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
      if (!m) return fail(trigger, 'missing an Authorization: Bearer header');
      return secret.token !== undefined && constantTimeEqual(m[1], secret.token) ? { ok: true } : fail(trigger, 'wrong bearer token');
    }
    case 'basic': {
      const header = headerValue(headers, 'authorization');
      const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim()) : null;
      if (!m) return fail(trigger, 'missing an Authorization: Basic header');
      const decoded = Buffer.from(m[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? '' : decoded.slice(colon + 1);
      if (secret.username === undefined || secret.password === undefined) return fail(trigger, 'wrong user name or password');
      // Both compared, always, so the time does not tell which one was wrong.
      const userOk = constantTimeEqual(user, secret.username);
      const passwordOk = constantTimeEqual(password, secret.password);
      return userOk && passwordOk ? { ok: true } : fail(trigger, 'wrong user name or password');
    }
  }
}

/** Checks an HMAC-SHA256 signature of the raw body. */
export function checkSignature(trigger: WebhookTrigger, secret: WebhookSecret, headers: Record<string, string | string[] | undefined>, rawBody: Buffer): AuthOutcome {
  const given = headerValue(headers, trigger.secretHeader);
  if (given === undefined) return fail(trigger, `missing the ${trigger.secretHeader} signature header`);
  if (secret.token === undefined) return fail(trigger, 'wrong signature');
  const signature = given.trim().replace(/^sha256=/i, '').toLowerCase();
  const expected = createHmac('sha256', secret.token).update(rawBody).digest('hex');
  return constantTimeEqual(signature, expected) ? { ok: true } : fail(trigger, 'wrong signature');
}

/** Caches each trigger's secret for a short time (a rotated credential takes effect within it). */
export class WebhookSecrets {
  private readonly cache = new Map<string, { secret: WebhookSecret; at: number }>();

  constructor(
    private readonly getCredential: ((reference: string) => Promise<Record<string, unknown>>) | undefined,
    private readonly ttlMs = 30_000,
  ) {}

  async get(cacheKey: string, trigger: WebhookTrigger): Promise<WebhookSecret> {
    if (trigger.config.auth_type === 'none') return {};
    const hit = this.cache.get(cacheKey);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.secret;
    let credential: Record<string, unknown> | undefined;
    if (trigger.config.auth_credential) {
      if (!this.getCredential) throw new SkynetteError('NO_CREDENTIALS', 'the server has no credential vault');
      credential = await this.getCredential(trigger.config.auth_credential);
    }
    const secret = secretFromCredential(trigger, credential);
    this.cache.set(cacheKey, { secret, at: now });
    return secret;
  }

  /** After a credential changed through the API. */
  clear(): void {
    this.cache.clear();
  }
}
