/**
 * Comparison operators shared by if_else (comparison mode) and switch.
 */
import { SkynetteError } from '../../../util/errors.js';

export const comparisonOperators = [
  'equals',
  'not_equals',
  'greater',
  'greater_equal',
  'less',
  'less_equal',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'is_empty',
  'not_empty',
  'in',
  'not_in',
] as const;

export type ComparisonOperator = (typeof comparisonOperators)[number];

export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function asComparable(value: unknown): number | string {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new SkynetteError('INVALID_COMPARISON', `cannot order ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}; compare numbers, text or dates`);
}

/** Loose equality the way a workflow author means it: "5" equals 5, objects by content. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'string') return b.trim() !== '' && Number(b) === a;
  if (typeof b === 'number' && typeof a === 'string') return a.trim() !== '' && Number(a) === b;
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function containsValue(haystack: unknown, needle: unknown): boolean {
  if (Array.isArray(haystack)) return haystack.some((h) => valuesEqual(h, needle));
  if (haystack && typeof haystack === 'object') return typeof needle === 'string' && Object.hasOwn(haystack, needle);
  return String(haystack ?? '').includes(String(needle ?? ''));
}

export function compareValues(left: unknown, operator: ComparisonOperator, right: unknown): boolean {
  switch (operator) {
    case 'equals':
      return valuesEqual(left, right);
    case 'not_equals':
      return !valuesEqual(left, right);
    case 'greater':
      return asComparable(left) > asComparable(right);
    case 'greater_equal':
      return asComparable(left) >= asComparable(right);
    case 'less':
      return asComparable(left) < asComparable(right);
    case 'less_equal':
      return asComparable(left) <= asComparable(right);
    case 'contains':
      return containsValue(left, right);
    case 'not_contains':
      return !containsValue(left, right);
    case 'starts_with':
      return String(left ?? '').startsWith(String(right ?? ''));
    case 'ends_with':
      return String(left ?? '').endsWith(String(right ?? ''));
    case 'in':
      return containsValue(right, left);
    case 'not_in':
      return !containsValue(right, left);
    case 'is_empty':
      return isEmptyValue(left);
    case 'not_empty':
      return !isEmptyValue(left);
  }
}

/** Truthiness for conditions: also "false", "0", "no" and "" count as false. */
export function isTruthy(value: unknown): boolean {
  if (typeof value === 'string') return !['', 'false', '0', 'no', 'off'].includes(value.trim().toLowerCase());
  return !isEmptyValue(value) && value !== 0;
}
