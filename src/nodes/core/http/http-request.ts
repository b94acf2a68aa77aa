/** http_request: any HTTP call, through the shared helper. */
import { defineNode, field } from '../../sdk.js';
import { httpRequest, isMultipartFile, type HttpMethod, type RequestBody, type ResponseParseMode } from '../../../http/index.js';
import { SkynetteError } from '../../../util/errors.js';
import { credentialAuth, HTTP_CREDENTIAL_TYPES, mergeHeaders, type CredentialAuth } from './credential-auth.js';
import { headerRecord, httpNodeOutput } from './response-output.js';

type BodyType = 'none' | 'json' | 'form' | 'raw' | 'multipart';

interface HttpRequestConfig {
  method: HttpMethod;
  url: string;
  headers?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body_type: BodyType;
  body?: unknown;
  request_timeout_ms: number;
  follow_redirects: boolean;
  max_redirects: number;
  response_type: ResponseParseMode;
  fail_on_error_status: boolean;
  retries: number;
  max_response_mb: number;
  credential?: string;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A JSON body given as text that is already JSON is sent as written, not quoted again. */
function jsonBody(body: unknown): RequestBody {
  if (typeof body === 'string') {
    try {
      JSON.parse(body);
      return { type: 'raw', data: body, contentType: 'application/json' };
    } catch {
      // plain text: sent as a JSON string below
    }
  }
  return { type: 'json', data: body };
}

function requestBody(type: BodyType, body: unknown): RequestBody | undefined {
  if (type === 'none' || isAbsent(body)) return undefined;
  switch (type) {
    case 'json':
      return jsonBody(body);
    case 'form':
    case 'multipart':
      if (!isPlainObject(body)) {
        throw new SkynetteError('INVALID_CONFIG', `config.body: a ${type} body must be an object of field names to values`, { path: 'config.body' });
      }
      return { type, data: body };
    case 'raw':
      if (typeof body === 'string') return { type: 'raw', data: body };
      if (isMultipartFile(body) || (isPlainObject(body) && typeof body.data_base64 === 'string')) {
        const file = body as { data_base64?: string; text?: string; content_type?: string };
        const data = file.data_base64 !== undefined ? Buffer.from(file.data_base64, 'base64') : (file.text ?? '');
        return { type: 'raw', data, contentType: file.content_type };
      }
      return { type: 'raw', data: JSON.stringify(body), contentType: 'application/json' };
  }
}

function isAbsoluteUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim());
}

export const httpRequestNode = defineNode<HttpRequestConfig>({
  type: 'http_request',
  name: 'HTTP request',
  description: 'Calls any HTTP API and outputs its status, headers and parsed body.',
  category: 'http',
  credential_types: HTTP_CREDENTIAL_TYPES,
  fields: {
    method: field.select(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'], { default: 'GET' }),
    url: field.string({
      required: true,
      placeholder: 'https://api.example.com/v1/items',
      description: 'full URL; with a credential that has a base_url, a path like /v1/items is enough',
    }),
    headers: field.json({ shape: 'object', description: 'request headers, e.g. {"Accept": "application/json"}' }),
    query: field.json({ shape: 'object', description: 'query parameters, merged into the URL (a list value repeats the name)' }),
    body_type: field.select(['none', 'json', 'form', 'raw', 'multipart'], {
      default: 'json',
      description:
        'how `body` is sent; nothing is sent while `body` is empty, so GET needs no change. json: objects are serialized, text that is already JSON is sent as written. form: urlencoded object. raw: text as is, or {data_base64, content_type} bytes. multipart: object whose values are text or files {filename, content_type, data_base64 | text}',
    }),
    body: field.json({ description: 'the request body (see body_type); not allowed with GET or HEAD' }),
    request_timeout_ms: field.number({ default: 30_000, min: 1, integer: true, description: 'per attempt, including reading the response' }),
    follow_redirects: field.boolean({ default: true, description: 'when off, a 3xx response is the output (with its location header)' }),
    max_redirects: field.number({ default: 5, min: 0, max: 50, integer: true }),
    response_type: field.select(['auto', 'json', 'text', 'binary'], {
      default: 'auto',
      description: 'auto parses JSON and text by content type; binary outputs {data_base64, content_type, size}',
    }),
    fail_on_error_status: field.boolean({
      default: true,
      description: 'a 4xx/5xx response fails the node with the status and the service message; when off it is output with ok: false',
    }),
    retries: field.number({ default: 0, min: 0, max: 10, integer: true, description: 'retries on 429 and 5xx, waiting as Retry-After asks' }),
    max_response_mb: field.number({ default: 16, min: 0.001, max: 1024, description: 'a larger response fails the node' }),
    credential: field.credential(HTTP_CREDENTIAL_TYPES, { description: 'adds Authorization (bearer, basic_auth) or the API key header or query parameter' }),
  },
  async run(ctx) {
    const config = ctx.config;
    const auth: CredentialAuth | undefined = config.credential ? await credentialAuth(ctx, config.credential) : undefined;
    const response = await httpRequest({
      method: config.method,
      url: config.url,
      baseUrl: auth?.baseUrl && !isAbsoluteUrl(config.url) ? auth.baseUrl : undefined,
      headers: mergeHeaders(headerRecord(config.headers), auth?.headers ?? {}),
      query: { ...(config.query as Record<string, never> | undefined), ...auth?.query },
      body: requestBody(config.body_type, config.body),
      timeoutMs: config.request_timeout_ms,
      signal: ctx.signal,
      redirect: config.follow_redirects ? 'follow' : 'manual',
      maxRedirects: config.max_redirects,
      retry: config.retries > 0 ? { retries: config.retries } : false,
      responseType: config.response_type,
      maxResponseBytes: Math.round(config.max_response_mb * 1024 * 1024),
      throwOnStatus: config.fail_on_error_status,
      secrets: auth?.secrets,
      log: ctx.log,
    });
    ctx.log.debug(`HTTP ${response.status} from ${config.method} ${response.url} (${response.size} bytes)`);
    return httpNodeOutput(response);
  },
});
