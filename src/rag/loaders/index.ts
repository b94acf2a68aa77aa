/**
 * Reading documents: the bytes (refusing a file over the size limit before reading it) and their
 * hash first, so an unchanged document is skipped before it is parsed; then the loader for its type.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { httpRequest } from '../../http/index.js';
import { SkynetteError, errorMessage } from '../../util/errors.js';
import type { LoadedDocument } from '../types.js';
import { csvToText } from './csv.js';
import { loaderForContentType, loaderForName, sniffLoader, type LoaderKind } from './detect.js';
import { extractDocxText } from './docx.js';
import { htmlToReadableText } from './html.js';
import { jsonToText } from './json.js';
import { extractPdfText } from './pdf.js';
import type { DocumentSource } from './sources.js';
import { decodeUtf8Text, markdownTitle } from './text.js';

export { expandSources, isUrl, DEFAULT_EXCLUDE, DEFAULT_INCLUDE, type DocumentSource, type SourceProblem, type ExpandOptions } from './sources.js';
export { SUPPORTED_EXTENSIONS } from './detect.js';

/** Larger documents are refused unread (override with maxBytes / --max-size-mb). */
export const DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface RawDocument {
  source: string;
  /** A name for type detection and the default title (file name, last URL segment). */
  name: string;
  bytes: Uint8Array;
  contentType?: string;
  contentHash: string;
  /** A loader named by the caller (text sources). */
  kind?: LoaderKind;
  title?: string;
}

export interface ReadOptions {
  maxBytes?: number;
  signal?: AbortSignal;
  /** Per URL request (default 30 s). */
  timeoutMs?: number;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function formatMb(bytes: number): string {
  return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function tooLarge(source: string, size: number | undefined, limit: number): SkynetteError {
  const what = size === undefined ? 'is larger than' : `is ${formatMb(size)}, more than`;
  return new SkynetteError('DOCUMENT_TOO_LARGE', `${source} ${what} the ${formatMb(limit)} limit for one document; split it, or raise the limit (--max-size-mb)`, {
    path: source,
    details: { size_bytes: size, limit_bytes: limit },
  });
}

export async function readDocument(source: DocumentSource, options: ReadOptions = {}): Promise<RawDocument> {
  const limit = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  if (source.kind === 'text') {
    const bytes = Buffer.from(source.text, 'utf8');
    if (bytes.length > limit) throw tooLarge(source.source, bytes.length, limit);
    return { source: source.source, name: source.source, bytes, contentHash: sha256(bytes), kind: source.type ?? 'text', title: source.title };
  }
  if (source.kind === 'file') {
    // Checked before anything is read: a 200 MB file costs one stat.
    if (source.size > limit) throw tooLarge(source.source, source.size, limit);
    const bytes = await readFileLimited(source.path, limit);
    return { source: source.source, name: basename(source.path), bytes, contentHash: sha256(bytes) };
  }
  let response;
  try {
    response = await httpRequest<Buffer>({ url: source.url, responseType: 'binary', maxResponseBytes: limit, signal: options.signal, timeoutMs: options.timeoutMs, retry: true });
  } catch (error) {
    if (error instanceof SkynetteError && error.code === 'HTTP_TOO_LARGE') throw tooLarge(source.source, (error.details as { declared_bytes?: number })?.declared_bytes, limit);
    throw error;
  }
  const bytes = response.body;
  const name = decodeURIComponent(new URL(source.url).pathname.split('/').filter(Boolean).pop() ?? new URL(source.url).hostname);
  return { source: source.source, name, bytes, contentType: response.contentType, contentHash: sha256(bytes) };
}

async function readFileLimited(path: string, limit: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new SkynetteError('PATH_UNREADABLE', `cannot read ${path}: ${errorMessage(error)}`, { path, cause: error });
  }
  try {
    const info = await handle.stat();
    // The file may have grown since it was listed.
    if (info.size > limit) throw tooLarge(path, info.size, limit);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function chooseLoader(raw: RawDocument): LoaderKind {
  return raw.kind ?? loaderForName(raw.name) ?? loaderForContentType(raw.contentType) ?? sniffLoader(raw.bytes) ?? 'text';
}

function titleFromName(name: string): string {
  const base = basename(name);
  return base.slice(0, base.length - extname(base).length) || base;
}

/** Parses the bytes with the loader for their type. Throws a SkynetteError naming the document. */
export async function parseDocument(raw: RawDocument): Promise<LoadedDocument> {
  const source = raw.source;
  if (raw.bytes.length === 0) throw emptyDocument(source, 'is empty (0 bytes)');
  const kind = chooseLoader(raw);
  const base = { source, contentHash: raw.contentHash, sizeBytes: raw.bytes.length };
  let doc: LoadedDocument;
  switch (kind) {
    case 'pdf': {
      const pdf = await extractPdfText(raw.bytes, source);
      doc = { ...base, type: 'pdf', format: 'plain', text: pdf.text, title: raw.title ?? pdf.title ?? titleFromName(raw.name), metadata: { pages: pdf.pages }, segments: pdf.segments };
      break;
    }
    case 'docx': {
      const docx = await extractDocxText(raw.bytes, source);
      doc = { ...base, type: 'docx', format: 'markdown', text: docx.text, title: raw.title ?? docx.title ?? titleFromName(raw.name), metadata: {} };
      break;
    }
    case 'html': {
      const html = htmlToReadableText(decodeUtf8Text(raw.bytes, source));
      doc = { ...base, type: 'html', format: 'markdown', text: html.text, title: raw.title ?? html.title ?? titleFromName(raw.name), metadata: {} };
      break;
    }
    case 'csv':
    case 'tsv': {
      const csv = csvToText(decodeUtf8Text(raw.bytes, source), source, kind === 'tsv' ? '\t' : ',');
      doc = { ...base, type: 'csv', format: 'plain', text: csv.text, title: raw.title ?? titleFromName(raw.name), metadata: { rows: csv.rows, columns: csv.columns }, segments: csv.segments };
      break;
    }
    case 'json':
    case 'jsonl': {
      const json = jsonToText(decodeUtf8Text(raw.bytes, source), source, kind === 'jsonl');
      doc = { ...base, type: 'json', format: 'plain', text: json.text, title: raw.title ?? titleFromName(raw.name), metadata: { records: json.records }, segments: json.segments };
      break;
    }
    case 'markdown': {
      const text = decodeUtf8Text(raw.bytes, source);
      doc = { ...base, type: 'markdown', format: 'markdown', text, title: raw.title ?? markdownTitle(text) ?? titleFromName(raw.name), metadata: {} };
      break;
    }
    default: {
      const text = decodeUtf8Text(raw.bytes, source);
      doc = { ...base, type: 'text', format: 'plain', text, title: raw.title ?? titleFromName(raw.name), metadata: {} };
    }
  }
  if (!doc.text.trim()) throw emptyDocument(source, 'has no text to index');
  return doc;
}

function emptyDocument(source: string, why: string): SkynetteError {
  return new SkynetteError('DOCUMENT_EMPTY', `${source} ${why}; nothing to add`, { path: source });
}
