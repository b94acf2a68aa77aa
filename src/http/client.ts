/**
 * The one HTTP helper every node and app integration uses: timeouts joined with the caller's
 * signal, counted redirects, retry on 429/5xx honouring Retry-After, size-limited bodies parsed by
 * content type, and errors that name the status and the service's own message without ever
 * showing a secret from the headers or the URL.
 */
import { SkynetteError } from '../util/errors.js';
import { encodeBody, type EncodedBody } from './body.js';
import { collectSecrets, isSecretName, redactHeaders, redactUrl, scrubSecrets } from './redact.js';
import { BodyTooLarge, DEFAULT_MAX_RESPONSE_BYTES, formatBytes, parseBody, readBodyLimited, serviceMessage, decodeText } from './response.js';
import { backoffDelay, parseRetryAfter, retryPolicy, sleep, type RetryPolicy } from './retry.js';
import type { HttpMethod, HttpRequestOptions, HttpResponse, QueryParams } from './types.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_REDIRECTS = 5;
const METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// An error body is read only for its message; no need to hold megabytes of it.
const ERROR_BODY_BYTES = 64 * 1024;

/** Everything an error message or log line may show about the request, already cleaned. */
interface RequestView {
  method: HttpMethod;
  secrets: string[];
  clean(text: string): string;
  describe(url?: URL): string;
}

function queryText(value: unknown): string {
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function mergeQuery(url: URL, query: QueryParams | undefined): void {
  if (!query) return;
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    url.searchParams.delete(name);
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, queryText(item));
    else url.searchParams.append(name, queryText(value));
  }
}

function buildUrl(options: HttpRequestOptions): URL {
  const text = String(options.url ?? '').trim();
  let url: URL;
  try {
    // `/v1/items` under base `https://host/api` means https://host/api/v1/items, not https://host/v1/items
    url = options.baseUrl ? new URL(text.replace(/^\/+/, ''), options.baseUrl.replace(/\/*$/, '/')) : new URL(text);
  } catch {
    const shown = redactUrl(text) || '(empty)';
    throw new SkynetteError('HTTP_BAD_URL', `"${shown}" is not a valid URL; write it in full, like https://api.example.com/v1/items`, {
      path: 'url',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SkynetteError('HTTP_BAD_URL', `only http and https URLs can be requested, not ${url.protocol} (${redactUrl(url)})`, {
      path: 'url',
    });
  }
  mergeQuery(url, options.query);
  return url;
}

function buildHeaders(options: HttpRequestOptions): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined || value === null) continue;
    try {
      headers.set(name, String(value));
    } catch {
      // fetch's own message quotes the value, which may be a secret
      const shown = isSecretName(name) ? '' : ` (${JSON.stringify(String(value).slice(0, 80))})`;
      throw new SkynetteError('HTTP_BAD_HEADER', `header "${name}" has a name or value that HTTP does not allow${shown}`, {
        path: `headers.${name}`,
      });
    }
  }
  return headers;
}

/** fetch refuses URLs with `user:pass@`; send them as Basic auth instead, as curl does. */
function moveUserinfoToHeader(url: URL, headers: Headers): void {
  if (!url.username && !url.password) return;
  if (!headers.has('authorization')) {
    const userinfo = `${decodeLoosely(url.username)}:${decodeLoosely(url.password)}`;
    headers.set('authorization', `Basic ${Buffer.from(userinfo).toString('base64')}`);
  }
  url.username = '';
  url.password = '';
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown })?.cause ?? error;
  if (cause && typeof cause === 'object') {
    const c = cause as { code?: unknown; errors?: Array<{ code?: unknown }> };
    if (typeof c.code === 'string') return c.code;
    const inner = c.errors?.find((e) => typeof e?.code === 'string');
    if (inner) return String(inner.code);
  }
  return undefined;
}

function networkExplanation(code: string | undefined, detail: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: is the service running, and are the host and port right?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found: check the host name, or the DNS and network of this machine';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed by the other side before the response was complete';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'could not connect in time: the host may be down or blocked by a firewall';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host is unreachable from this machine';
  }
  if (code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return `TLS certificate problem (${code}): ${detail}`;
  if (detail === 'bad port') return 'fetch refuses to connect to this port (it belongs to another protocol); use another port';
  return detail || 'network error';
}

function innermostMessage(error: unknown): string {
  let current: unknown = error;
  let message = '';
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.message && current.message !== 'fetch failed') message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}

interface AttemptResult {
  response: Response;
  bytes: Buffer;
  finalUrl: URL;
  redirects: number;
  retryDelay?: number;
  retryAfterTooLong?: number;
}

interface AttemptPlan {
  method: HttpMethod;
  url: URL;
  headers: Headers;
  body: EncodedBody | undefined;
  attempt: number;
  policy: RetryPolicy | undefined;
}

async function sendOnce(options: HttpRequestOptions, plan: AttemptPlan, view: RequestView): Promise<AttemptResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  let method = plan.method;
  let url = plan.url;
  let body = plan.body;
  const headers = new Headers(plan.headers);
  let redirects = 0;
  try {
    for (;;) {
      const response = await fetch(url, { method, headers, body: body?.payload, redirect: 'manual', signal });
      const location = response.headers.get('location');
      if (options.redirect === 'manual' || !REDIRECT_STATUSES.has(response.status) || !location) {
        const retry = retryDecision(response, plan);
        const errorish = retry.retryDelay !== undefined || (response.status >= 400 && options.throwOnStatus !== false);
        const bytes = await readBodyLimited(response, errorish ? Math.min(ERROR_BODY_BYTES, maxBytes) : maxBytes, errorish);
        return { response, bytes, finalUrl: url, redirects, ...retry };
      }
      await response.body?.cancel().catch(() => undefined);
      if (redirects >= maxRedirects) {
        throw new SkynetteError(
          'HTTP_TOO_MANY_REDIRECTS',
          `${view.describe(plan.url)} was redirected more than ${maxRedirects} time${maxRedirects === 1 ? '' : 's'} (last to ${view.clean(redactUrl(new URL(location, url)))}); raise max_redirects or request the final URL`,
          { details: { redirects, max_redirects: maxRedirects } },
        );
      }
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new SkynetteError('HTTP_BAD_REDIRECT', `${view.describe(plan.url)} redirected to a non-HTTP URL (${view.clean(redactUrl(next))})`);
      }
      redirects++;
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers.delete('content-type');
        headers.delete('content-length');
      }
      if (next.origin !== url.origin) {
        // credentials meant for one host are not handed to another
        for (const name of [...headers.keys()]) if (isSecretName(name)) headers.delete(name);
      }
      url = next;
    }
  } catch (error) {
    if (error instanceof SkynetteError) throw error;
    if (error instanceof BodyTooLarge) {
      const declared = error.declared !== undefined ? ` (it declares ${formatBytes(error.declared)})` : '';
      throw new SkynetteError(
        'HTTP_TOO_LARGE',
        `the response to ${view.describe(url)} is larger than the ${formatBytes(error.limit)} limit${declared}; raise the limit or request less data`,
        { details: { limit_bytes: error.limit, declared_bytes: error.declared } },
      );
    }
    if (options.signal?.aborted) {
      throw new SkynetteError('HTTP_ABORTED', `${view.describe(url)} was cancelled`, { cause: options.signal.reason });
    }
    if (timeout.aborted) {
      throw new SkynetteError('HTTP_TIMEOUT', `${view.describe(url)} timed out after ${timeoutMs} ms with no complete response`, {
        details: { timeout_ms: timeoutMs },
      });
    }
    const code = causeCode(error);
    const detail = view.clean(innermostMessage(error));
    // The original error is not attached as cause: fetch's messages may quote header values.
    throw new SkynetteError('HTTP_NETWORK', `${view.describe(url)} failed: ${networkExplanation(code, detail)}`, {
      details: { code, reason: detail },
    });
  }
}

function retryDecision(response: Response, plan: AttemptPlan): { retryDelay?: number; retryAfterTooLong?: number } {
  const policy = plan.policy;
  if (!policy || plan.attempt > policy.retries || !policy.statuses.includes(response.status)) return {};
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return { retryAfterTooLong: retryAfter };
  return { retryDelay: retryAfter ?? backoffDelay(policy, plan.attempt) };
}

function lowerCaseHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name === 'set-cookie') continue;
    out[name] = value;
  }
  const cookies = headers.getSetCookie();
  if (cookies.length) out['set-cookie'] = cookies.join(', ');
  return out;
}

function statusError(result: AttemptResult, view: RequestView): SkynetteError {
  const { response, bytes } = result;
  const contentType = response.headers.get('content-type') ?? '';
  const text = view.clean(decodeText(bytes, contentType));
  const message = serviceMessage(text, contentType);
  const statusLine = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const waited = result.retryAfterTooLong !== undefined ? ` (the service asks to retry after ${Math.ceil(result.retryAfterTooLong / 1000)} s)` : '';
  return new SkynetteError('HTTP_STATUS', `${view.describe(result.finalUrl)} returned ${statusLine}${message ? `: ${message}` : ''}${waited}`, {
    details: {
      status: response.status,
      status_text: response.statusText,
      body: message === undefined ? '' : text.slice(0, 500),
      url: view.clean(redactUrl(result.finalUrl)),
      retry_after_ms: parseRetryAfter(response.headers.get('retry-after')),
    },
  });
}

function requestView(method: HttpMethod, url: URL, headers: Headers, extra: string[] | undefined): RequestView {
  const secrets = collectSecrets(url, headers, extra ?? []);
  const clean = (text: string) => scrubSecrets(text, secrets);
  return {
    method,
    secrets,
    clean,
    describe: (target = url) => `${method} ${clean(redactUrl(target))}`,
  };
}

export async function httpRequest<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>> {
  const method = String(options.method ?? 'GET').toUpperCase() as HttpMethod;
  if (!METHODS.includes(method)) {
    throw new SkynetteError('HTTP_BAD_METHOD', `unknown HTTP method "${options.method}"; use one of ${METHODS.join(', ')}`, { path: 'method' });
  }
  const url = buildUrl(options);
  const headers = buildHeaders(options);
  const asGiven = new URL(url);
  moveUserinfoToHeader(url, headers);
  const view = requestView(method, url, headers, [...collectSecrets(asGiven, undefined), ...(options.secrets ?? [])]);
  if (options.body && (method === 'GET' || method === 'HEAD')) {
    throw new SkynetteError('HTTP_BAD_BODY', `a ${method} request cannot carry a body; use POST, PUT or PATCH, or send the data as query parameters`, {
      path: 'body',
    });
  }
  const body = options.body ? encodeBody(options.body) : undefined;
  if (body) {
    if (body.contentType === undefined) headers.delete('content-type');
    else if (!headers.has('content-type')) headers.set('content-type', body.contentType);
  }
  const policy = retryPolicy(options.retry);
  const log = options.log;

  for (let attempt = 1; ; attempt++) {
    log?.debug(`HTTP ${view.describe()}${attempt > 1 ? ` (attempt ${attempt})` : ''}`, {
      method,
      url: view.clean(redactUrl(url)),
      headers: redactHeaders(headers),
    });
    let result: AttemptResult;
    try {
      result = await sendOnce(options, { method, url, headers, body, attempt, policy }, view);
    } catch (error) {
      if (policy?.onNetworkError && attempt <= policy.retries && error instanceof SkynetteError && error.code === 'HTTP_NETWORK') {
        const delay = backoffDelay(policy, attempt);
        log?.warn(`${error.message}; retrying in ${delay} ms (retry ${attempt} of ${policy.retries})`);
        await wait(delay, options.signal, view);
        continue;
      }
      throw error;
    }
    const { response } = result;
    if (result.retryDelay !== undefined && policy) {
      log?.warn(`${view.describe()} returned HTTP ${response.status}; retrying in ${result.retryDelay} ms (retry ${attempt} of ${policy.retries})`, {
        status: response.status,
        retry_after: response.headers.get('retry-after') ?? undefined,
      });
      await wait(result.retryDelay, options.signal, view);
      continue;
    }
    if (response.status >= 400 && options.throwOnStatus !== false) throw statusError(result, view);
    const contentType = response.headers.get('content-type') ?? '';
    const parsed = parseBody(result.bytes, contentType, options.responseType ?? 'auto', () => view.describe(result.finalUrl));
    return {
      ok: response.ok,
      status: response.status,
      statusText: response.statusText,
      headers: lowerCaseHeaders(response.headers),
      body: parsed as T,
      url: view.clean(redactUrl(result.finalUrl)),
      contentType,
      size: result.bytes.length,
      redirects: result.redirects,
      attempts: attempt,
    };
  }
}

async function wait(ms: number, signal: AbortSignal | undefined, view: RequestView): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (reason) {
    throw new SkynetteError('HTTP_ABORTED', `${view.describe()} was cancelled while waiting to retry`, { cause: reason });
  }
}
