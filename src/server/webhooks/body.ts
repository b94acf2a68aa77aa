/**
 * A webhook body, parsed strictly by its declared content type: JSON, urlencoded form, text, or
 * multipart form data (whose file parts, and only those, become files of the execution). Nothing
 * inside a JSON body is ever taken for a file. Other content types are refused (415).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../http-errors.js';

export interface WebhookFile {
  field: string;
  filename: string;
  content_type: string;
  size: number;
  /** Where the bytes were stored: `<data dir>/executions/webhook-files/<execution id>/<n>-<name>`. */
  path: string;
}

export interface ParsedBody {
  body: unknown;
  files?: WebhookFile[];
}

export type BodyKind = 'json' | 'form' | 'text' | 'multipart';

const TEXT_TYPES = new Set(['application/xml', 'application/javascript', 'application/x-ndjson', 'application/yaml', 'application/x-yaml']);

/** The media type without parameters, lower-case; '' when there is none. */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** How a body of this content type is read, or null when webhooks do not accept it (or it has none). */
export function bodyKind(contentType: string | undefined): BodyKind | null {
  const type = mediaType(contentType);
  if (type === '') return null;
  if (type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (type.startsWith('text/') || TEXT_TYPES.has(type) || type.endsWith('+xml')) return 'text';
  return null;
}

export function unsupportedMediaType(contentType: string | undefined): ApiError {
  const given = mediaType(contentType);
  return new ApiError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `webhooks accept JSON, urlencoded forms, multipart form data and text; ${given ? `got content type "${given}"` : 'the request has a body but no Content-Type header'}`,
  );
}

function badBody(message: string): ApiError {
  return new ApiError(400, 'WEBHOOK_BODY_INVALID', message);
}

const DANGEROUS_KEY = /"(?:__proto__|constructor|prototype)"\s*:/;

/** JSON.parse, refusing keys that could reach an object prototype when the data is merged later. */
export function parseJsonStrict(text: string): unknown {
  if (!DANGEROUS_KEY.test(text)) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => {
    if (key === '__proto__' || ((key === 'constructor' || key === 'prototype') && value !== null && typeof value === 'object')) {
      throw new SyntaxError(`the key "${key}" is not allowed`);
    }
    return value;
  });
}

function formObject(params: Iterable<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of params) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[name] = [existing, value];
  }
  // A plain object again, so the data serialises and compares like any other.
  return { ...out };
}

function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '').slice(0, 100);
  return cleaned || 'file';
}

/** Reads a raw body; `binaryDir` is where multipart files go (created on the first file). */
export async function parseWebhookBody(contentType: string | undefined, raw: Buffer | undefined, binaryDir: () => string): Promise<ParsedBody> {
  if (!raw || raw.length === 0) return { body: null };
  const kind = bodyKind(contentType);
  if (kind === null) throw unsupportedMediaType(contentType);
  switch (kind) {
    case 'json':
      try {
        return { body: parseJsonStrict(raw.toString('utf8')) };
      } catch (error) {
        throw badBody(`the body is not valid JSON: ${(error as Error).message}`);
      }
    case 'form':
      return { body: formObject(new URLSearchParams(raw.toString('utf8'))) };
    case 'text':
      return { body: raw.toString('utf8') };
    case 'multipart':
      return parseMultipart(contentType!, raw, binaryDir);
  }
}

async function parseMultipart(contentType: string, raw: Buffer, binaryDir: () => string): Promise<ParsedBody> {
  let form: FormData;
  try {
    form = await new Response(new Blob([new Uint8Array(raw)]), { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw badBody(`the multipart body could not be read: ${(error as Error).message}`);
  }
  const fields: Array<[string, string]> = [];
  const files: WebhookFile[] = [];
  let dir: string | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      fields.push([name, value]);
      continue;
    }
    dir ??= binaryDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const filename = value.name || 'file';
    const path = join(dir, `${files.length + 1}-${safeFileName(filename)}`);
    const bytes = Buffer.from(await value.arrayBuffer());
    await writeFile(path, bytes, { mode: 0o600 });
    files.push({ field: name, filename, content_type: value.type || 'application/octet-stream', size: bytes.length, path });
  }
  return { body: formObject(fields), files };
}
