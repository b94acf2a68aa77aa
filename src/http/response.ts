/** Reading a response body within a size limit, parsing it, and finding a service's error message. */
import { SkynetteError } from '../util/errors.js';
import type { ResponseParseMode } from './types.js';

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const ERROR_EXCERPT_CHARS = 500;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number, readonly declared?: number) {
    super('response body too large');
  }
}

/**
 * Reads the whole body, stopping (and cancelling the stream) once it passes `limit` bytes.
 * With `truncate`, stops quietly at the limit instead: enough of an error body for its message.
 */
export async function readBodyLimited(response: Response, limit: number, truncate = false): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (!truncate && Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge(limit, declared);
  }
  if (!response.body) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      if (truncate) {
        chunks.push(value.subarray(0, value.byteLength - (total - limit)));
        break;
      }
      throw new BodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function mimeType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

export function isJsonType(contentType: string): boolean {
  const mime = mimeType(contentType);
  return mime === 'application/json' || mime.endsWith('+json') || mime === 'text/json' || mime === 'application/x-ndjson';
}

function isTextType(contentType: string): boolean {
  const mime = mimeType(contentType);
  return (
    mime.startsWith('text/') ||
    mime.endsWith('+xml') ||
    ['application/xml', 'application/javascript', 'application/x-www-form-urlencoded', 'application/graphql', 'application/yaml', 'application/x-yaml'].includes(mime)
  );
}

function charset(contentType: string): string {
  const match = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match ? match[1] : 'utf-8';
}

export function decodeText(bytes: Buffer, contentType: string): string {
  try {
    return new TextDecoder(charset(contentType)).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * `auto`: JSON content types parse as JSON (falling back to text when the service lied about it),
 * text types decode as text, no content type decodes as text when it is valid UTF-8, anything else
 * stays bytes. An empty body is null in auto and json modes.
 */
export function parseBody(bytes: Buffer, contentType: string, mode: ResponseParseMode, describe: () => string): unknown {
  switch (mode) {
    case 'binary':
      return bytes;
    case 'text':
      return decodeText(bytes, contentType);
    case 'json': {
      const text = decodeText(bytes, contentType);
      if (text.trim() === '') return null;
      try {
        return JSON.parse(text);
      } catch (error) {
        throw new SkynetteError('HTTP_BAD_JSON', `${describe()} returned a body that is not valid JSON (${(error as Error).message}): ${excerpt(text)}`, {
          details: { body: excerpt(text) },
        });
      }
    }
    case 'auto': {
      if (bytes.length === 0) return null;
      if (isJsonType(contentType)) {
        const text = decodeText(bytes, contentType);
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      }
      if (isTextType(contentType)) return decodeText(bytes, contentType);
      if (!contentType && isValidUtf8(bytes)) return bytes.toString('utf8');
      return bytes;
    }
  }
}

export function excerpt(text: string, max = ERROR_EXCERPT_CHARS): string {
  const flat = text.trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    for (const key of ['message', 'error_description', 'detail', 'title', 'error', 'msg', 'description']) {
      const found = messageOf(v[key]);
      if (found) return found;
    }
  }
  if (Array.isArray(value) && value.length) return messageOf(value[0]);
  return undefined;
}

/**
 * The service's own explanation of an error response: a JSON `error` / `message` (and the common
 * variants: error.message, error_description, detail, errors[0].message), else the body's first
 * 500 characters.
 */
export function serviceMessage(text: string, contentType: string): string | undefined {
  if (!text.trim()) return undefined;
  const looksJson = isJsonType(contentType) || /^\s*[{[]/.test(text);
  if (looksJson) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const p = parsed as Record<string, unknown>;
        const error = p.error;
        const code = typeof error === 'string' ? error : undefined;
        const found = messageOf(error) ?? messageOf(p.message) ?? messageOf(p.error_description) ?? messageOf(p.detail) ?? messageOf(p.errors) ?? messageOf(p.title);
        if (found) {
          // OAuth style: {"error": "invalid_grant", "error_description": "..."}: keep both parts.
          const description = messageOf(p.error_description) ?? messageOf(p.message);
          if (code && description && description !== code) return excerpt(`${code}: ${description}`);
          return excerpt(found);
        }
      }
    } catch {
      // not JSON after all: use the text
    }
  }
  return excerpt(text);
}
