/**
 * Provider failures in one vocabulary. Each provider turns its SDK's or wire protocol's errors into
 * an AiProviderError with a kind; the gateway decides from the kind whether another provider is
 * tried (network, timeout, 5xx, 429, auth, a broken reply) or the call fails (a bad request).
 */
import { SkynetteError } from '../util/errors.js';

export type FailureKind =
  | 'network'
  | 'timeout'
  | 'server'
  | 'rate_limit'
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'bad_response'
  | 'context_length'
  | 'not_configured'
  | 'budget'
  | 'cancelled'
  | 'unsupported'
  | 'local_failure';

const CODES: Record<FailureKind, string> = {
  network: 'AI_NETWORK',
  timeout: 'AI_TIMEOUT',
  server: 'AI_SERVER_ERROR',
  rate_limit: 'AI_RATE_LIMITED',
  auth: 'AI_AUTH_FAILED',
  not_found: 'AI_MODEL_NOT_FOUND',
  bad_request: 'AI_BAD_REQUEST',
  bad_response: 'AI_BAD_RESPONSE',
  context_length: 'AI_CONTEXT_TOO_LONG',
  not_configured: 'AI_NOT_CONFIGURED',
  budget: 'AI_BUDGET_EXCEEDED',
  cancelled: 'AI_CANCELLED',
  unsupported: 'AI_UNSUPPORTED',
  local_failure: 'AI_LOCAL_MODEL_FAILED',
};

/** Kinds after which the next provider is tried. not_found only when the model was not chosen by the caller. */
const FALLBACK_KINDS = new Set<FailureKind>(['network', 'timeout', 'server', 'rate_limit', 'auth', 'bad_response', 'context_length', 'not_configured', 'budget', 'unsupported', 'local_failure']);

export class AiProviderError extends SkynetteError {
  readonly kind: FailureKind;
  readonly provider: string;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(provider: string, kind: FailureKind, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown; code?: string; details?: unknown } = {}) {
    super(options.code ?? CODES[kind], `${provider}: ${message}`, { cause: options.cause, details: options.details ?? { provider, kind, status: options.status } });
    this.name = 'AiProviderError';
    this.kind = kind;
    this.provider = provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function canFallBack(error: unknown, modelPinned: boolean): boolean {
  if (!(error instanceof AiProviderError)) return false;
  if (error.kind === 'not_found') return !modelPinned;
  return FALLBACK_KINDS.has(error.kind);
}

export function kindForStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 413) return 'context_length';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** A short text for an error body that may be an HTML page, JSON, or plain text. */
export function describeErrorBody(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  if (typeof body === 'string') {
    const text = body.trim();
    if (/^<(!doctype|html|head|body)/i.test(text) || /<\/html>/i.test(text)) {
      const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
      const heading = /<h1[^>]*>([^<]*)<\/h1>/i.exec(text)?.[1]?.trim();
      return `an HTML page instead of an API reply${title || heading ? ` ("${(title || heading)!.slice(0, 120)}")` : ''}; is the base URL right?`;
    }
    try {
      return describeErrorBody(JSON.parse(text));
    } catch {
      return text.slice(0, 300);
    }
  }
  if (typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const inner = b.error;
    if (typeof inner === 'string') return inner.slice(0, 300);
    if (inner && typeof inner === 'object') {
      const message = (inner as Record<string, unknown>).message;
      if (typeof message === 'string') return message.slice(0, 300);
    }
    if (typeof b.message === 'string') return b.message.slice(0, 300);
    try {
      return JSON.stringify(body).slice(0, 300);
    } catch {
      return '';
    }
  }
  return String(body).slice(0, 300);
}

/** True when the message or code of a 400/404 reply says the model does not exist. */
export function mentionsUnknownModel(text: string): boolean {
  return /model[^.]*(not found|does not exist|not exist|unknown|invalid|not available)|unknown model|no such model|model_not_found/i.test(text);
}

/** True when a 400 reply says the prompt is longer than the model's context. */
export function mentionsContextLength(text: string): boolean {
  return /context[ _-]?length|maximum context|too many tokens|prompt is too long|context window|exceeds the context/i.test(text);
}
