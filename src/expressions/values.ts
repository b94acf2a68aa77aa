/**
 * The data model the language sees: null, booleans, finite numbers, text, lists and plain objects.
 * Everything read from the scope passes through readValue, so functions, class instances and
 * prototypes never become reachable, whatever the engine happens to put into a scope.
 */
import { fault } from './fault.js';
import { MAX_DATA_DEPTH, MAX_LIST_LENGTH, MAX_OBJECT_KEYS, MAX_TEXT_LENGTH, formatCount } from './limits.js';

export type PlainObject = Record<string, unknown>;

const objectPrototype = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;

/** Names that would lead from data to the host's prototypes; no path form can read them. */
export function isReservedKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

export function isPlainObject(value: unknown): value is PlainObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === objectPrototype || proto === null;
}

/** Narrows any host value to the data model; anything that is not data reads as null. */
export function readValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'object': {
      if (value === null || Array.isArray(value)) return value;
      const proto = Object.getPrototypeOf(value);
      if (proto === objectPrototype || proto === null) return value;
      // Dates show up in scopes built from database rows; their text form is what users expect.
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      return null;
    }
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.toString();
    }
    default:
      return null;
  }
}

export function hasOwnKey(object: object, key: string): boolean {
  return hasOwn.call(object, key);
}

/** Reads `value.key` / `value["key"]` with the language's rules. */
export function readKey(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) {
    return typeof value === 'string' ? readTextKey(value, key) : null;
  }
  if (isReservedKey(key)) return null;
  if (Array.isArray(value)) return readListKey(value, key);
  if (hasOwn.call(value, key)) return readValue((value as PlainObject)[key]);
  switch (key) {
    case 'length':
      return ownKeys(value as PlainObject).length;
    case 'keys':
      return ownKeys(value as PlainObject);
    case 'values':
      return ownValues(value as PlainObject);
    default:
      return null;
  }
}

/** Reads `value[index]` where the index was computed. */
export function readComputed(value: unknown, index: unknown): unknown {
  if (typeof index === 'number') {
    if (Array.isArray(value)) return readListIndex(value, index);
    if (typeof value === 'string') return readTextIndex(value, index);
    return readKey(value, String(index));
  }
  if (typeof index === 'string') return readKey(value, index);
  return null;
}

function readListIndex(list: unknown[], index: number): unknown {
  if (!Number.isInteger(index)) return null;
  const at = index < 0 ? list.length + index : index;
  return at >= 0 && at < list.length ? readValue(list[at]) : null;
}

function readListKey(list: unknown[], key: string): unknown {
  switch (key) {
    case 'length':
      return list.length;
    case 'first':
      return list.length ? readValue(list[0]) : null;
    case 'last':
      return list.length ? readValue(list[list.length - 1]) : null;
  }
  return isIndexText(key) ? readListIndex(list, Number(key)) : null;
}

function readTextIndex(text: string, index: number): unknown {
  if (!Number.isInteger(index)) return null;
  const at = index < 0 ? text.length + index : index;
  return at >= 0 && at < text.length ? text[at] : null;
}

function readTextKey(text: string, key: string): unknown {
  switch (key) {
    case 'length':
      return text.length;
    case 'first':
      return text.length ? text[0] : null;
    case 'last':
      return text.length ? text[text.length - 1] : null;
  }
  return isIndexText(key) ? readTextIndex(text, Number(key)) : null;
}

function isIndexText(key: string): boolean {
  return /^-?(0|[1-9][0-9]{0,15})$/.test(key);
}

/** Own enumerable keys except the reserved ones, which the language never exposes. */
export function ownKeys(object: PlainObject): string[] {
  const keys = Object.keys(object);
  return keys.some(isReservedKey) ? keys.filter((k) => !isReservedKey(k)) : keys;
}

export function ownValues(object: PlainObject): unknown[] {
  return ownKeys(object).map((k) => readValue(object[k]));
}

/** A fresh plain object; reserved keys are skipped so no object the language builds can carry them. */
export function setKey(target: PlainObject, key: string, value: unknown): void {
  if (!isReservedKey(key)) target[key] = value;
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  const t = typeof value;
  return t === 'object' ? 'object' : t;
}

/** A short description of a value for error messages: its type, and the value itself when small. */
export function describe(value: unknown): string {
  const type = typeName(value);
  if (typeof value === 'string') {
    const shown = value.length > 40 ? value.slice(0, 37) + '...' : value;
    return `text ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${type} ${String(value)}`;
  if (type === 'null') return 'null';
  return type === 'object' ? 'an object' : `a ${type}`;
}

/** Python-like truthiness: empty text, lists and objects are false, like null, false and 0. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (typeof value !== 'object') return typeof value === 'number' ? !Number.isNaN(value) : true;
  if (Array.isArray(value)) return value.length > 0;
  for (const key in value) if (hasOwn.call(value, key) && !isReservedKey(key)) return true;
  return false;
}

/** The text a value becomes when substituted into a template. */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : '';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? '' : toJson(value, 0);
    default:
      return '';
  }
}

export function toJson(value: unknown, indent: number): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value, jsonReplacer, indent || undefined);
  } catch (error) {
    if (error instanceof RangeError) fault('the value is nested too deeply to turn into JSON text');
    fault(`the value cannot be turned into JSON text (${error instanceof Error ? error.message : String(error)})`);
  }
  return checkText(text ?? 'null');
}

function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  if (key !== '' && isReservedKey(key)) return undefined;
  if (typeof value === 'bigint') return readValue(value);
  return value;
}

/** Deep equality for data: lists by position, objects by own keys, primitives by value. */
export function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (depth > MAX_DATA_DEPTH) fault(`cannot compare data nested deeper than ${MAX_DATA_DEPTH} levels`);
  const aList = Array.isArray(a);
  if (aList !== Array.isArray(b)) return false;
  if (aList) {
    const bl = b as unknown[];
    if (a.length !== bl.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(readValue(a[i]), readValue(bl[i]), depth + 1)) return false;
    return true;
  }
  const ak = ownKeys(a as PlainObject);
  const bk = ownKeys(b as PlainObject);
  if (ak.length !== bk.length) return false;
  for (const key of ak) {
    if (!hasOwn.call(b, key)) return false;
    if (!deepEqual(readValue((a as PlainObject)[key]), readValue((b as PlainObject)[key]), depth + 1)) return false;
  }
  return true;
}

/** A text key equal for deeply equal values (object keys sorted), for unique() and friends. */
export function canonicalKey(value: unknown, depth = 0): string {
  if (depth > MAX_DATA_DEPTH) fault(`cannot compare data nested deeper than ${MAX_DATA_DEPTH} levels`);
  const v = readValue(value);
  if (v === null || typeof v !== 'object') return typeof v === 'string' ? JSON.stringify(v) : String(v);
  if (Array.isArray(v)) return '[' + v.map((x) => canonicalKey(x, depth + 1)).join(',') + ']';
  const keys = ownKeys(v as PlainObject).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalKey((v as PlainObject)[k], depth + 1)).join(',') + '}';
}

export function checkText(text: string): string {
  checkTextLength(text.length);
  return text;
}

/** For results whose size is known before they are built, since V8 itself throws near 512 MB. */
export function checkTextLength(length: number): void {
  if (length > MAX_TEXT_LENGTH) {
    fault(`the text result would be ${formatCount(length)} characters; the limit is ${formatCount(MAX_TEXT_LENGTH)}`);
  }
}

export function checkListLength(length: number): void {
  if (length > MAX_LIST_LENGTH) {
    fault(`the list would hold ${formatCount(length)} items; the limit is ${formatCount(MAX_LIST_LENGTH)}`);
  }
}

export function checkObjectSize(keys: number): void {
  if (keys > MAX_OBJECT_KEYS) {
    fault(`the object would hold ${formatCount(keys)} keys; the limit is ${formatCount(MAX_OBJECT_KEYS)}`);
  }
}

/**
 * What leaves the module: data only. Containers that are already clean (the normal case) are
 * returned as they are, without copying; only data holding host values, non-finite numbers or
 * reserved keys is copied with those parts replaced by null or dropped.
 */
export function toResult(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return readValue(value);
  return isCleanData(value, 0) ? value : cleanCopy(value, 0);
}

function isCleanData(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DATA_DEPTH) fault(`the result nests deeper than ${MAX_DATA_DEPTH} levels`);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isCleanData(value[i], depth + 1)) return false;
        return true;
      }
      if (!isPlainObject(value)) return false;
      for (const key in value) {
        if (!hasOwn.call(value, key)) continue;
        if (isReservedKey(key) || !isCleanData((value as PlainObject)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function cleanCopy(value: unknown, depth: number): unknown {
  const v = readValue(value);
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_DATA_DEPTH) fault(`the result nests deeper than ${MAX_DATA_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((item) => cleanCopy(item, depth + 1));
  const copy: PlainObject = {};
  for (const key of ownKeys(v as PlainObject)) copy[key] = cleanCopy((v as PlainObject)[key], depth + 1);
  return copy;
}
