/** The shared HTTP helper: import from here, not from the files behind it. */
export { httpRequest, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_REDIRECTS } from './client.js';
export { createHttpClient, type HttpClient, type HttpClientDefaults } from './http-client.js';
export { redactUrl, redactHeaders, isSecretName, collectSecrets, scrubSecrets, REDACTED } from './redact.js';
export { DEFAULT_MAX_RESPONSE_BYTES } from './response.js';
export { DEFAULT_RETRY_STATUSES, parseRetryAfter } from './retry.js';
export { isMultipartFile } from './body.js';
export type {
  HttpMethod,
  HttpRequestOptions,
  HttpResponse,
  HttpLogger,
  MultipartFile,
  QueryParams,
  QueryValue,
  RequestBody,
  ResponseParseMode,
  RetryOptions,
} from './types.js';
