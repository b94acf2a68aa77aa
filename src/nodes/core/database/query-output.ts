/**
 * The output shapes every SQL node shares, and the parameter list/object they all accept.
 *   rows returned:  { rows: [...], row_count, columns }
 *   otherwise:      { affected_rows, last_insert_id }
 * Values become JSON data: dates as ISO text, binary as base64 text, integers beyond 2^53 as text.
 */
import { SkynetteError } from '../../../util/errors.js';

export interface RowsOutput {
  rows: Array<Record<string, unknown>>;
  row_count: number;
  columns: string[];
}

export interface WriteOutput {
  affected_rows: number;
  last_insert_id: number | string | null;
}

export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

export function rowsOutput(rows: Array<Record<string, unknown>>, columns: string[]): RowsOutput {
  const out = rows.map((row) => {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(row)) copy[key] = jsonValue(row[key]);
    return copy;
  });
  return { rows: out, row_count: out.length, columns };
}

export function writeOutput(affectedRows: number | bigint | null | undefined, lastInsertId: unknown): WriteOutput {
  const id = jsonValue(lastInsertId);
  return {
    affected_rows: Number(affectedRows ?? 0),
    // 0 means "no row id was generated" in both SQLite and MySQL.
    last_insert_id: id === 0 || id === '0' || id === undefined || id === null ? null : (id as number | string),
  };
}

export type QueryParameters = unknown[] | Record<string, unknown> | undefined;

/** Reads config.parameters: a list (positional placeholders), an object (named ones), or nothing. */
export function readParameters(value: unknown): QueryParameters {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (Array.isArray(parsed)) return parsed;
  if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
  throw new SkynetteError(
    'INVALID_CONFIG',
    'config.parameters: expected a list of values for ? / $1 placeholders, or an object of values for :name placeholders' +
      (typeof value !== 'object' ? ' (to pass one value, put it in a list: [value])' : ''),
    { path: 'config.parameters' },
  );
}

export function isEmptyParameters(parameters: QueryParameters): boolean {
  if (parameters === undefined) return true;
  return Array.isArray(parameters) ? parameters.length === 0 : Object.keys(parameters).length === 0;
}

/** A hint for a failed query that was probably written with {{ }} expressions inside the SQL. */
export function expressionHint(query: string): string {
  return query.includes('{{')
    ? ' (the query text is sent as written: {{ }} expressions are not filled into SQL, which would allow SQL injection; ' +
        'use placeholders and pass the values in parameters)'
    : '';
}
