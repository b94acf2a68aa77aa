/**
 * Shared pieces of the REST routes: query strings checked with zod (every bad parameter reported
 * with its path), cursors for offset-paged lists, and the `{data, next_cursor}` list shape.
 */
import { z } from 'zod';
import { ApiError, validationError } from '../http-errors.js';

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export function page<T>(data: T[], nextCursor: string | null = null): Page<T> {
  return { data, next_cursor: nextCursor };
}

/** Parses query, params or body with a zod schema; 400 with every problem's path otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'query' | 'body' | 'params'): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw validationError(
    result.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
    `the request ${where === 'body' ? 'body' : where === 'query' ? 'query string' : 'path'}`,
  );
}

export const limitSchema = z.coerce.number().int().min(1).max(1000).default(50);

/** Lists paged by position: the cursor holds the offset of the next page. */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeOffsetCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof value.o === 'number' && Number.isInteger(value.o) && value.o >= 0) return value.o;
  } catch {
    // Reported below.
  }
  throw validationError([{ path: 'query.cursor', message: 'not a cursor from a previous page of this list' }], 'the request query string');
}

/** `true`, `1`, `yes` (any case) or an empty `?wait`. */
export const booleanParam = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || typeof v === 'boolean') return v ?? false;
    const lower = v.trim().toLowerCase();
    if (['', 'true', '1', 'yes'].includes(lower)) return true;
    if (['false', '0', 'no'].includes(lower)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true or false' });
    return z.NEVER;
  });

export function conflict(code: string, message: string, details: unknown = null): ApiError {
  return new ApiError(409, code, message, details);
}
