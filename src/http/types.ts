/** The options and results of the shared HTTP helper. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export type QueryValue = string | number | boolean | null | undefined | Array<string | number | boolean>;
export type QueryParams = Record<string, QueryValue | Record<string, unknown>>;

/**
 * A file part of a multipart body. The same shape as a binary response body or a file read with
 * read_file's `binary` encoding, plus a filename, so one node's output feeds the next directly.
 */
export interface MultipartFile {
  filename: string;
  content_type?: string;
  data_base64?: string;
  text?: string;
}

export type RequestBody =
  | { type: 'json'; data: unknown }
  | { type: 'form'; data: Record<string, unknown> }
  | { type: 'raw'; data: string | Uint8Array; contentType?: string }
  /** Each value is a text field, a MultipartFile, or a list of either. */
  | { type: 'multipart'; data: Record<string, unknown> };

export type ResponseParseMode = 'auto' | 'json' | 'text' | 'binary';

export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** Status codes that are retried (default 429, 500, 502, 503, 504). */
  statuses?: number[];
  /** First backoff delay when the server sends no Retry-After (default 500 ms, doubling). */
  baseDelayMs?: number;
  /** Longest backoff delay (default 30 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown instead (default 60 s). */
  maxRetryAfterMs?: number;
  /** Also retry connection failures; off by default because a POST may have reached the server. */
  onNetworkError?: boolean;
}

export interface HttpLogger {
  debug(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
}

export interface HttpRequestOptions {
  method?: HttpMethod | Lowercase<HttpMethod>;
  url: string | URL;
  /** Resolves a relative `url` (a credential's base_url, an integration's API root). */
  baseUrl?: string;
  headers?: Record<string, string | number | boolean | null | undefined>;
  /** Merged into the URL: a name given here replaces the same name already in the URL. */
  query?: QueryParams;
  body?: RequestBody;
  /** Per attempt, including reading the response body (default 30 000 ms). */
  timeoutMs?: number;
  /** The caller's cancellation (a node's ctx.signal). */
  signal?: AbortSignal;
  /** `follow` (default) or `manual`: a 3xx is then returned as the response. */
  redirect?: 'follow' | 'manual';
  /** Default 5. */
  maxRedirects?: number;
  /** Off when absent or false; `true` uses the defaults of RetryOptions. */
  retry?: boolean | RetryOptions;
  /** Default `auto`: JSON for JSON content types, text for text types, bytes otherwise. */
  responseType?: ResponseParseMode;
  /** Default 16 MB. */
  maxResponseBytes?: number;
  /** Throw an HTTP_STATUS error for a 4xx/5xx response (default true). */
  throwOnStatus?: boolean;
  /** Extra values to keep out of errors and logs (a token embedded in a URL path, say). */
  secrets?: string[];
  log?: HttpLogger;
}

export interface HttpResponse<T = unknown> {
  ok: boolean;
  status: number;
  statusText: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed per responseType; a Buffer for binary; null for an empty body in auto/json mode. */
  body: T;
  /** The final URL after redirects, with secrets redacted. */
  url: string;
  contentType: string;
  /** Bytes of the (decompressed) body. */
  size: number;
  redirects: number;
  attempts: number;
}
