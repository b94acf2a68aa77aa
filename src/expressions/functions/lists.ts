import { charge } from '../budget.js';
import { fault } from '../fault.js';
import {
  canonicalKey,
  deepEqual,
  describe,
  hasOwnKey,
  isPlainObject,
  isReservedKey,
  ownKeys,
  ownValues,
  readKey,
  readValue,
} from '../values.js';
import { defineFunctions } from './define.js';
import { boolean, integer, items, list, object, optionalInteger, optionalText, text } from './coerce.js';

function listOrText(value: unknown, param: string): unknown[] | string | null {
  if (Array.isArray(value) || typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  fault(`expects ${param} to be a list or text, got ${describe(value)}`);
}

/** Sort order across types, so mixed lists still sort deterministically. */
function typeRank(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return 0;
    case 'string':
      return 1;
    case 'boolean':
      return 2;
    default:
      return value === null || value === undefined ? 4 : 3;
  }
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0 || ra === 2) return Number(a) - Number(b);
  if (ra === 1) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return 0;
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) current = readKey(current, key);
  return current;
}

export const listFunctions = defineFunctions({
  length: {
    params: 'value',
    description: 'Items in a list, characters in text, keys in an object; 0 for null.',
    example: 'length([1, 2, 3]) → 3',
    call([value]) {
      if (typeof value === 'string' || Array.isArray(value)) return value.length;
      if (value === null || value === undefined) return 0;
      if (isPlainObject(value)) return ownKeys(value).length;
      fault(`expects a list, text or object, got ${describe(value)}`);
    },
  },
  first: {
    params: 'value',
    description: 'The first item of a list or character of text; null when empty.',
    example: 'first([4, 5, 6]) → 4',
    call([value]) {
      const source = listOrText(value, 'value');
      return source === null || source.length === 0 ? null : readValue(source[0]);
    },
  },
  last: {
    params: 'value',
    description: 'The last item of a list or character of text; null when empty.',
    example: 'last([4, 5, 6]) → 6',
    call([value]) {
      const source = listOrText(value, 'value');
      return source === null || source.length === 0 ? null : readValue(source[source.length - 1]);
    },
  },
  reverse: {
    params: 'value',
    description: 'A list in reverse order, or text with its characters reversed.',
    example: 'reverse([1, 2, 3]) → [3,2,1]',
    call([value]) {
      const source = listOrText(value, 'value');
      if (source === null) return null;
      charge(source.length);
      return typeof source === 'string' ? Array.from(source).reverse().join('') : items(source).reverse();
    },
  },
  sort: {
    params: 'list, key=null, descending=false',
    description:
      'A sorted copy of the list: numbers by value, text by character code; mixed lists put numbers, then text, then booleans, then lists/objects, then null. key names a field (or a dotted path) to sort objects by.',
    example: 'sort([{n: 2}, {n: 1}], key="n") → [{"n":1},{"n":2}]',
    call([values, key, descending]) {
      const source = items(list(values, 'list'));
      const path = optionalText(key, 'key');
      const direction = boolean(descending, 'descending') ? -1 : 1;
      charge(source.length);
      if (path === null) return source.sort((a, b) => direction * compareValues(a, b));
      const keyed = source.map((item) => ({ item, key: readPath(item, path) }));
      keyed.sort((a, b) => direction * compareValues(a.key, b.key));
      return keyed.map((k) => k.item);
    },
  },
  unique: {
    params: 'list',
    description: 'The list without repeated items (deep equality), keeping first occurrences.',
    example: 'unique([1, 2, 1, 3]) → [1,2,3]',
    call([values]) {
      const source = items(list(values, 'list'));
      charge(source.length);
      const seen = new Set<string>();
      return source.filter((item) => {
        const key = canonicalKey(item);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
  },
  keys: {
    params: 'object',
    description: "The object's keys as a list.",
    example: 'keys({a: 1, b: 2}) → ["a","b"]',
    call([value]) {
      const keys = ownKeys(object(value, 'object'));
      charge(keys.length);
      return keys;
    },
  },
  values: {
    params: 'object',
    description: "The object's values as a list.",
    example: 'values({a: 1, b: 2}) → [1,2]',
    call([value]) {
      const values = ownValues(object(value, 'object'));
      charge(values.length);
      return values;
    },
  },
  slice: {
    params: 'value, start=0, end=null',
    description: 'Part of a list or text from start up to (not including) end; negative positions count from the end.',
    example: 'slice([1, 2, 3, 4], 1, -1) → [2,3]',
    call([value, start, end]) {
      const source = listOrText(value, 'value');
      if (source === null) return null;
      const from = integer(start, 'start');
      const to = optionalInteger(end, 'end') ?? undefined;
      const part = source.slice(from, to);
      charge(part.length);
      return typeof part === 'string' ? part : items(part);
    },
  },
  contains: {
    params: 'value, item',
    description: 'Text: whether it holds item as a substring. List: whether an item equals it. Object: whether it has that key.',
    example: 'contains(["a", "b"], "b") → true',
    call([value, item]) {
      if (typeof value === 'string') return value.includes(text(item, 'item'));
      if (Array.isArray(value)) {
        charge(value.length);
        return value.some((x) => deepEqual(readValue(x), item));
      }
      if (isPlainObject(value)) {
        const key = text(item, 'item');
        return !isReservedKey(key) && hasOwnKey(value, key);
      }
      if (value === null || value === undefined) return false;
      fault(`expects value to be text, a list or an object, got ${describe(value)}`);
    },
  },
});
