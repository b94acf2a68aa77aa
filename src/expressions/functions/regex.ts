import { charge } from '../budget.js';
import { fault } from '../fault.js';
import { MAX_LIST_LENGTH, MAX_REGEX_INPUT_LENGTH, REGEX_CACHE_SIZE, formatCount } from '../limits.js';
import { checkTextLength, setKey, type PlainObject } from '../values.js';
import { defineFunctions } from './define.js';
import { text } from './coerce.js';
import { checkRegexSafety } from './regex-guard.js';

const cache = new Map<string, RegExp>();

function compile(pattern: unknown, flags: unknown, forceGlobal?: boolean): RegExp {
  const source = text(pattern, 'pattern');
  let f = text(flags, 'flags');
  if (!/^[gimsuy]*$/.test(f) || new Set(f).size !== f.length) {
    fault(`expects flags made of g, i, m, s, u, y (each once), got ${JSON.stringify(f)}`);
  }
  if (forceGlobal === false) f = f.replace(/[gy]/g, '');
  const key = f + '/' + source;
  let regex = cache.get(key);
  if (regex === undefined) {
    checkRegexSafety(source);
    try {
      regex = new RegExp(source, f);
    } catch (error) {
      fault(`cannot read the pattern: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (cache.size >= REGEX_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, regex);
  }
  regex.lastIndex = 0;
  return regex;
}

function input(value: unknown): string {
  const source = text(value, 'text');
  if (source.length > MAX_REGEX_INPUT_LENGTH) {
    fault(`runs patterns over at most ${formatCount(MAX_REGEX_INPUT_LENGTH)} characters, got ${formatCount(source.length)}`);
  }
  charge(Math.ceil(source.length / 16));
  return source;
}

function matchObject(m: RegExpExecArray): PlainObject {
  const named: PlainObject = {};
  if (m.groups) for (const [k, v] of Object.entries(m.groups)) setKey(named, k, v ?? null);
  return { match: m[0], groups: m.slice(1).map((g) => g ?? null), named, index: m.index };
}

export const regexFunctions = defineFunctions({
  regex_test: {
    params: 'text, pattern, flags=""',
    description: 'True when the JavaScript regular expression matches somewhere in the text. flags: i (ignore case), m, s, u.',
    example: 'regex_test("order-1234", "\\\\d{4}") → true',
    call([value, pattern, flags]) {
      const source = input(value);
      return compile(pattern, flags, false).test(source);
    },
  },
  regex_match: {
    params: 'text, pattern, flags=""',
    description:
      'The first match as {match, groups, named, index} (groups: the numbered captures, named: the named ones), or null. With the g flag, a list of every match.',
    example: 'regex_match("id=42", "id=(\\\\d+)").groups[0] → "42"',
    call([value, pattern, flags]) {
      const source = input(value);
      const regex = compile(pattern, flags);
      if (!regex.global) {
        const m = regex.exec(source);
        return m === null ? null : matchObject(m);
      }
      const all: PlainObject[] = [];
      for (const m of source.matchAll(regex)) {
        if (all.length >= MAX_LIST_LENGTH) fault(`found more than ${formatCount(MAX_LIST_LENGTH)} matches (the list limit)`);
        all.push(matchObject(m));
      }
      charge(all.length);
      return all;
    },
  },
  regex_replace: {
    params: 'text, pattern, replacement, flags="g"',
    description: 'Replaces matches (every match with the default g flag) with replacement, which may use $1, $<name> and $&.',
    example: 'regex_replace("a1b22", "\\\\d+", "#") → "a#b#"',
    call([value, pattern, replacement, flags]) {
      const source = input(value);
      const template = text(replacement, 'replacement');
      let grown = source.length;
      return source.replace(compile(pattern, flags), (...args: unknown[]) => {
        const piece = expandReplacement(template, args, source);
        // Checked as it grows: a long replacement times many matches must fail before it is built.
        grown += piece.length;
        checkTextLength(grown);
        return piece;
      });
    },
  },
});

const REPLACEMENT_TOKEN = /\$(\$|&|`|'|<([^>]*)>|(\d{1,2}))/g;

/** The $-tokens of String.prototype.replace, expanded by hand so the result size can be watched. */
function expandReplacement(template: string, args: unknown[], source: string): string {
  if (!template.includes('$')) return template;
  const hasNamed = typeof args[args.length - 1] === 'object' && args[args.length - 1] !== null;
  const named = hasNamed ? (args[args.length - 1] as Record<string, string | undefined>) : undefined;
  const tail = hasNamed ? 3 : 2;
  const match = args[0] as string;
  const captures = args.slice(1, args.length - tail) as Array<string | undefined>;
  const offset = args[args.length - tail] as number;
  return template.replace(REPLACEMENT_TOKEN, (token: string, what: string, name: string | undefined, digits: string | undefined) => {
    if (what === '$') return '$';
    if (what === '&') return match;
    if (what === '`') return source.slice(0, offset);
    if (what === "'") return source.slice(offset + match.length);
    if (name !== undefined) return named === undefined ? token : (Object.hasOwn(named, name) ? named[name] ?? '' : '');
    if (digits !== undefined) {
      const two = Number(digits);
      if (digits.length === 2 && two >= 1 && two <= captures.length) return captures[two - 1] ?? '';
      const one = Number(digits[0]);
      if (one >= 1 && one <= captures.length) return (captures[one - 1] ?? '') + digits.slice(1);
    }
    return token;
  });
}
