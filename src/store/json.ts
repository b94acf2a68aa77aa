/**
 * JSON in text columns, and the canonical form used to tell whether a workflow changed.
 */
import { createHash } from 'node:crypto';
import { SkynetteError } from '../util/errors.js';

/** JSON text for a column; undefined becomes null so the column never holds "undefined". */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

export function toJsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toJson(value);
}

export function fromJson<T>(text: string | null | undefined, fallback: T, where: string): T {
  if (text === null || text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SkynetteError('DB_DATA_DAMAGED', `stored JSON in ${where} is damaged and cannot be read`, { cause: error, path: where });
  }
}

/** JSON with object keys sorted at every level and no whitespace: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',') + ']';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => JSON.stringify(k) + ':' + canonicalJson((value as Record<string, unknown>)[k]));
  return '{' + entries.join(',') + '}';
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
