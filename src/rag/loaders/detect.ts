/** Which loader reads a document: by file extension or content type, then by its first bytes. */
import { extname } from 'node:path';
import type { DocumentType } from '../types.js';

export type LoaderKind = DocumentType | 'tsv' | 'jsonl';

const BY_EXTENSION: Record<string, LoaderKind> = {
  '.txt': 'text', '.text': 'text', '.log': 'text', '.rst': 'text', '.adoc': 'text',
  '.md': 'markdown', '.markdown': 'markdown', '.mdx': 'markdown',
  '.html': 'html', '.htm': 'html', '.xhtml': 'html',
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.csv': 'csv', '.tsv': 'tsv',
  '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl',
};

/** Extensions a folder walk picks up when no include globs are given. */
export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION);

const BY_CONTENT_TYPE: Record<string, LoaderKind> = {
  'text/plain': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
};

export function loaderForName(name: string): LoaderKind | undefined {
  return BY_EXTENSION[extname(name).toLowerCase()];
}

export function loaderForContentType(contentType: string | undefined): LoaderKind | undefined {
  if (!contentType) return undefined;
  return BY_CONTENT_TYPE[contentType.split(';')[0].trim().toLowerCase()];
}

/** A guess from the bytes, for names without a known extension. */
export function sniffLoader(bytes: Uint8Array): LoaderKind | undefined {
  const head = Buffer.from(bytes.subarray(0, 1024));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head[0] === 0x50 && head[1] === 0x4b && Buffer.from(bytes.subarray(0, 64 * 1024)).includes('word/')) return 'docx';
  const start = head.toString('utf8').trimStart().slice(0, 64).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  return undefined;
}
