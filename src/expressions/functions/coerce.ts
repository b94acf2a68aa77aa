/**
 * Argument checks shared by the built-ins. Messages read as the tail of "name(): ..." because the
 * evaluator prefixes the function name, e.g. `round(): expects digits to be a number, got text "a"`.
 */
import { fault } from '../fault.js';
import { describe, isPlainObject, readValue, toText, type PlainObject } from '../values.js';

export function text(value: unknown, param: string): string {
  if (typeof value === 'string') return value;
  // Missing data reads as empty text so `upper($prev.name)` works before a field is filled in.
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return toText(value);
  fault(`${expects(param, 'text')}, got ${describe(value)}`);
}

export function optionalText(value: unknown, param: string): string | null {
  return value === null || value === undefined ? null : text(value, param);
}

export function number(value: unknown, param: string): number {
  if (typeof value === 'number') return value;
  fault(`${expects(param, 'a number')}, got ${describe(value)}`);
}

export function integer(value: unknown, param: string): number {
  const n = number(value, param);
  if (!Number.isInteger(n)) fault(`expects ${param} to be a whole number, got ${n}`);
  return n;
}

export function optionalInteger(value: unknown, param: string): number | null {
  return value === null || value === undefined ? null : integer(value, param);
}

export function list(value: unknown, param: string): unknown[] {
  if (Array.isArray(value)) return value;
  // Missing data reads as an empty list, matching how paths turn missing data into null.
  if (value === null || value === undefined) return [];
  fault(`${expects(param, 'a list')}, got ${describe(value)}`);
}

export function object(value: unknown, param: string): PlainObject {
  if (isPlainObject(value)) return value;
  if (value === null || value === undefined) return {};
  fault(`${expects(param, 'an object')}, got ${describe(value)}`);
}

export function boolean(value: unknown, param: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null || value === undefined) return false;
  fault(`expects ${param} to be true or false, got ${describe(value)}`);
}

/** Elements of a list the caller will hand back, narrowed to data. */
export function items(values: unknown[]): unknown[] {
  return values.map(readValue);
}

/** "expects text" when the parameter is named after its kind, "expects separator to be text" otherwise. */
function expects(param: string, kind: string): string {
  return kind.endsWith(param) ? `expects ${kind}` : `expects ${param} to be ${kind}`;
}
