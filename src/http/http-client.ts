/**
 * A client with defaults bound once (base URL, auth headers, retry, signal, logger), so an app
 * integration writes `client.request({ method: 'POST', url: '/chat.postMessage', body })`.
 */
import { httpRequest } from './client.js';
import type { HttpRequestOptions, HttpResponse } from './types.js';

export type HttpClientDefaults = Omit<Partial<HttpRequestOptions>, 'url' | 'body' | 'query' | 'method'>;

export interface HttpClient {
  request<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>>;
}

export function createHttpClient(defaults: HttpClientDefaults = {}): HttpClient {
  return {
    request<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>> {
      return httpRequest<T>({
        ...defaults,
        ...options,
        headers: { ...defaults.headers, ...options.headers },
        secrets: [...(defaults.secrets ?? []), ...(options.secrets ?? [])],
      });
    },
  };
}
