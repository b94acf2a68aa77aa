/**
 * Reads the image an analysis node is given: a file path, an http(s) URL (downloaded), a data:
 * URL, plain base64, or a binary object ({data_base64 | path, content_type}) from read_file or an
 * HTTP node.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { ImagePart } from '../../ai/types.js';
import { httpRequest } from '../../http/index.js';
import { SkynetteError } from '../../util/errors.js';

export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

/** The media type from the first bytes (a wrong extension is common). */
export function sniffImageType(bytes: Buffer): string | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && (bytes.subarray(0, 6).toString('ascii') === 'GIF87a' || bytes.subarray(0, 6).toString('ascii') === 'GIF89a')) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('ascii') === 'RIFF' && bytes.subarray(8, 12).toString('ascii') === 'WEBP') return 'image/webp';
  return undefined;
}

function bad(message: string): SkynetteError {
  return new SkynetteError('AI_BAD_IMAGE', `config.image: ${message}`, { path: 'config.image' });
}

function fromBytes(bytes: Buffer, declared?: string): ImagePart {
  if (bytes.length === 0) throw bad('the image is empty');
  if (bytes.length > MAX_IMAGE_BYTES) throw bad(`the image is ${(bytes.length / 1024 / 1024).toFixed(1)} MB; the limit is 20 MB`);
  const media = sniffImageType(bytes) ?? declared;
  if (!media || !Object.values(TYPES).includes(media)) throw bad('not a PNG, JPEG, GIF or WebP image');
  return { type: 'image', data_base64: bytes.toString('base64'), media_type: media };
}

async function fromFile(path: string, declared?: string): Promise<ImagePart> {
  const full = path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : isAbsolute(path) ? path : resolve(path);
  let size: number;
  try {
    size = (await stat(full)).size;
  } catch {
    throw bad(`no image file at ${full}`);
  }
  if (size > MAX_IMAGE_BYTES) throw bad(`${full} is ${(size / 1024 / 1024).toFixed(1)} MB; the limit is 20 MB`);
  return fromBytes(await readFile(full), declared ?? TYPES[extname(full).toLowerCase()]);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Downloads the image, so every provider gets the bytes (Ollama takes no URLs). */
async function fromUrl(url: string, signal?: AbortSignal): Promise<ImagePart> {
  try {
    const response = await httpRequest<Buffer>({ url, responseType: 'binary', timeoutMs: 30_000, signal, maxResponseBytes: MAX_IMAGE_BYTES, retry: true });
    return fromBytes(response.body, response.contentType.split(';')[0].trim().toLowerCase() || undefined);
  } catch (error) {
    if (error instanceof SkynetteError && error.code === 'AI_BAD_IMAGE') throw error;
    throw bad(`could not download the image: ${(error as Error).message}`);
  }
}

export async function readImageInput(value: unknown, signal?: AbortSignal): Promise<ImagePart> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const declared = typeof v.content_type === 'string' ? v.content_type : typeof v.media_type === 'string' ? v.media_type : undefined;
    if (typeof v.data_base64 === 'string') return fromBytes(Buffer.from(v.data_base64, 'base64'), declared);
    if (typeof v.path === 'string') return fromFile(v.path, declared);
    if (typeof v.url === 'string') return readImageInput(v.url, signal);
    throw bad('an object needs data_base64, path or url');
  }
  if (typeof value !== 'string' || !value.trim()) throw bad('give an image: a file path, a URL, a data: URL, base64, or a file object from read_file');
  const text = value.trim();
  const data = /^data:(image\/[a-z+.-]+);base64,(.*)$/is.exec(text);
  if (data) return fromBytes(Buffer.from(data[2], 'base64'), data[1].toLowerCase());
  if (/^https?:\/\//i.test(text)) return fromUrl(text, signal);
  const compact = text.replace(/\s+/g, '');
  const looksBase64 = compact.length >= 64 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact);
  if (looksBase64 && !(await exists(text))) return fromBytes(Buffer.from(compact, 'base64'));
  return fromFile(text);
}
