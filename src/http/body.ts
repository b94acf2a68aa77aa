/** Turns a RequestBody into what fetch sends, with the content type it implies. */
import { SkynetteError } from '../util/errors.js';
import type { MultipartFile, RequestBody } from './types.js';

export interface EncodedBody {
  payload: string | Blob | FormData;
  /** undefined for multipart: fetch writes the content type with its boundary. */
  contentType: string | undefined;
}

export function isMultipartFile(value: unknown): value is MultipartFile {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.filename === 'string' && (typeof v.data_base64 === 'string' || typeof v.text === 'string');
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function appendForm(params: URLSearchParams, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) appendForm(params, name, item);
    return;
  }
  params.append(name, fieldText(value));
}

function filePart(file: MultipartFile, field: string): Blob {
  const type = file.content_type ?? (file.text !== undefined ? 'text/plain;charset=utf-8' : 'application/octet-stream');
  if (file.data_base64 !== undefined) {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(file.data_base64.replace(/\s+/g, ''))) {
      throw new SkynetteError('HTTP_BAD_BODY', `multipart field "${field}": data_base64 of file "${file.filename}" is not base64`, {
        path: `body.${field}`,
      });
    }
    return new Blob([Buffer.from(file.data_base64, 'base64')], { type });
  }
  return new Blob([file.text ?? ''], { type });
}

function appendMultipart(form: FormData, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) appendMultipart(form, name, item);
    return;
  }
  if (isMultipartFile(value)) form.append(name, filePart(value, name), value.filename);
  else form.append(name, fieldText(value));
}

function requireObject(body: RequestBody): Record<string, unknown> {
  const data = body.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SkynetteError('HTTP_BAD_BODY', `a ${body.type} body must be an object of field names to values`, { path: 'body' });
  }
  return data as Record<string, unknown>;
}

export function encodeBody(body: RequestBody): EncodedBody {
  switch (body.type) {
    case 'json': {
      const text = JSON.stringify(body.data);
      // JSON.stringify(undefined) is undefined; send JSON null rather than an invalid empty body.
      return { payload: text ?? 'null', contentType: 'application/json' };
    }
    case 'form': {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(requireObject(body))) appendForm(params, name, value);
      return { payload: params.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    case 'raw':
      if (typeof body.data === 'string') return { payload: body.data, contentType: body.contentType ?? 'text/plain;charset=utf-8' };
      return { payload: new Blob([Buffer.from(body.data)]), contentType: body.contentType ?? 'application/octet-stream' };
    case 'multipart': {
      const form = new FormData();
      for (const [name, value] of Object.entries(requireObject(body))) appendMultipart(form, name, value);
      return { payload: form, contentType: undefined };
    }
    default:
      throw new SkynetteError('HTTP_BAD_BODY', `unknown body type "${(body as { type: unknown }).type}"`, { path: 'body.type' });
  }
}
