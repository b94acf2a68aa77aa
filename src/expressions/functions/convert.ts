import { charge } from '../budget.js';
import { fault } from '../fault.js';
import { checkText, describe, isReservedKey, toJson, toText, truthy, typeName } from '../values.js';
import { defineFunctions } from './define.js';
import { integer } from './coerce.js';

const NUMBER_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const FALSE_TEXT = new Set(['', 'false', '0', 'no', 'off', 'n', 'f']);

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const n = Number(trimmed);
    if (NUMBER_TEXT.test(trimmed) && Number.isFinite(n)) return n;
  }
  fault(`cannot turn ${describe(value)} into a number`);
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  return typeof value === 'object' && !truthy(value);
}

export const conversionFunctions = defineFunctions({
  json: {
    params: 'value, indent=0',
    description: 'The value as JSON text; indent (0 to 10 spaces) pretty-prints it.',
    example: 'json({a: [1, 2]}) → "{\\"a\\":[1,2]}"',
    call([value, indent]) {
      const spaces = integer(indent, 'indent');
      if (spaces < 0 || spaces > 10) fault('expects indent between 0 and 10');
      return toJson(value ?? null, spaces);
    },
  },
  parse_json: {
    params: 'text',
    description: 'Reads JSON text into a value. Keys named __proto__, constructor or prototype are dropped.',
    example: 'parse_json("{\\"a\\": 1}").a → 1',
    call([text]) {
      if (typeof text !== 'string') fault(`expects text holding JSON, got ${describe(text)}`);
      charge(Math.ceil(text.length / 64));
      try {
        return JSON.parse(text, (key, value: unknown) => (isReservedKey(key) ? undefined : value));
      } catch (error) {
        fault(`cannot read the text as JSON: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  },
  string: {
    params: 'value',
    description: 'The value as text: null becomes "", lists and objects become JSON text.',
    example: 'string(42) → "42"',
    call: ([value]) => checkText(toText(value)),
  },
  number: {
    params: 'value',
    description: 'The value as a number; text must hold a number ("3.5", "-2", "1e3"), true/false become 1/0.',
    example: 'number("3.5") → 3.5',
    call: ([value]) => toNumber(value),
  },
  int: {
    params: 'value',
    description: 'The value as a whole number, dropping any fraction (toward zero).',
    example: 'int("7.9") → 7',
    call: ([value]) => Math.trunc(toNumber(value)) + 0,
  },
  bool: {
    params: 'value',
    description:
      'The value as true or false. Text "false", "0", "no", "off", "n", "f" and "" (any case) are false; other values follow truthiness (null, 0, empty lists and objects are false).',
    example: 'bool("no") → false',
    call([value]) {
      if (typeof value === 'string') return !FALSE_TEXT.has(value.trim().toLowerCase());
      return truthy(value);
    },
  },
  typeof: {
    params: 'value',
    description: 'The type of the value: "null", "boolean", "number", "string", "list" or "object".',
    example: 'typeof([1]) → "list"',
    call: ([value]) => typeName(value),
  },
  empty: {
    params: 'value',
    description: 'True for null, "", an empty list or an empty object.',
    example: 'empty([]) → true',
    call: ([value]) => isEmpty(value),
  },
  not_empty: {
    params: 'value',
    description: 'The opposite of empty(): false for null, "", [] and {}.',
    example: 'not_empty("a") → true',
    call: ([value]) => !isEmpty(value),
  },
  default: {
    params: 'value, fallback',
    description: 'The value, or fallback when the value is null or "".',
    example: 'default(null, "n/a") → "n/a"',
    call: ([value, fallback]) => (value === null || value === undefined || value === '' ? fallback : value),
  },
  ternary: {
    params: 'condition, if_true, if_false',
    description: 'if_true when the condition is truthy, otherwise if_false (both are evaluated; use a ? b : c to skip one).',
    example: 'ternary(2 > 1, "yes", "no") → "yes"',
    call: ([condition, ifTrue, ifFalse]) => (truthy(condition) ? ifTrue : ifFalse),
  },
});
