/** The output shape shared by http_request and webhook-call. */
import type { HttpResponse } from '../../../http/index.js';

export interface BinaryBody {
  data_base64: string;
  content_type: string;
  size: number;
}

export interface HttpNodeOutput {
  ok: boolean;
  status: number;
  status_text: string;
  headers: Record<string, string>;
  body: unknown;
  url: string;
}

export function httpNodeOutput(response: HttpResponse): HttpNodeOutput {
  let body = response.body;
  if (Buffer.isBuffer(body)) {
    const binary: BinaryBody = {
      data_base64: body.toString('base64'),
      content_type: response.contentType || 'application/octet-stream',
      size: body.length,
    };
    body = binary;
  }
  return {
    ok: response.ok,
    status: response.status,
    status_text: response.statusText,
    headers: response.headers,
    body,
    url: response.url,
  };
}

/** Header values from a json field: null/undefined dropped, everything else as text. */
export function headerRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    out[name] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}
