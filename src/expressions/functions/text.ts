import { charge } from '../budget.js';
import { fault } from '../fault.js';
import { checkListLength, checkText, checkTextLength, readKey, toText, type PlainObject } from '../values.js';
import { defineFunctions } from './define.js';
import { list, optionalText, text } from './coerce.js';

export const textFunctions = defineFunctions({
  lower: {
    params: 'text',
    description: 'The text in lower case.',
    example: 'lower("Hello") → "hello"',
    call: ([value]) => text(value, 'text').toLowerCase(),
  },
  upper: {
    params: 'text',
    description: 'The text in upper case.',
    example: 'upper("Hello") → "HELLO"',
    call: ([value]) => text(value, 'text').toUpperCase(),
  },
  trim: {
    params: 'text',
    description: 'The text without leading and trailing whitespace.',
    example: 'trim("  hi  ") → "hi"',
    call: ([value]) => text(value, 'text').trim(),
  },
  split: {
    params: 'text, separator=null',
    description:
      'Splits text into a list at each separator. Without a separator, splits at runs of whitespace; with "" splits into characters.',
    example: 'split("a,b,c", ",") → ["a","b","c"]',
    call([value, separator]) {
      const source = text(value, 'text');
      const sep = optionalText(separator, 'separator');
      let parts: string[];
      if (sep === null) parts = source.trim() === '' ? [] : source.trim().split(/\s+/);
      else if (sep === '') parts = Array.from(source);
      else parts = source.split(sep);
      charge(parts.length);
      checkListLength(parts.length);
      return parts;
    },
  },
  join: {
    params: 'list, separator=","',
    description: 'Joins the items of a list into text with the separator between them (null items become "").',
    example: 'join(["a", "b"], " & ") → "a & b"',
    call([values, separator]) {
      const items = list(values, 'list');
      charge(items.length);
      const sep = text(separator, 'separator');
      const texts = items.map(toText);
      checkTextLength(texts.reduce((sum, t) => sum + t.length, 0) + Math.max(0, texts.length - 1) * sep.length);
      return texts.join(sep);
    },
  },
  replace: {
    params: 'text, old, new',
    description: 'Replaces every occurrence of old with new (plain text, not a pattern; see regex_replace).',
    example: 'replace("a-b-c", "-", "+") → "a+b+c"',
    call([value, old, replacement]) {
      const source = text(value, 'text');
      const search = text(old, 'old');
      if (search === '') fault('expects old to be non-empty text');
      const parts = source.split(search);
      charge(parts.length);
      const insert = text(replacement, 'new');
      checkTextLength(source.length + (parts.length - 1) * (insert.length - search.length));
      return parts.join(insert);
    },
  },
  starts_with: {
    params: 'text, prefix',
    description: 'True when the text begins with prefix.',
    example: 'starts_with("skynette", "sky") → true',
    call: ([value, prefix]) => text(value, 'text').startsWith(text(prefix, 'prefix')),
  },
  ends_with: {
    params: 'text, suffix',
    description: 'True when the text ends with suffix.',
    example: 'ends_with("report.pdf", ".pdf") → true',
    call: ([value, suffix]) => text(value, 'text').endsWith(text(suffix, 'suffix')),
  },
  format: {
    params: 'template, ...values, **named',
    description:
      'Python-style formatting: {} takes the next value, {0} a value by position, {name} a named argument; {{ and }} write braces. A spec after ":" may add thousands separators and fixed decimals: {:,.2f}.',
    example: 'format("{} has {n:,} items", "cart", n=1200) → "cart has 1,200 items"',
    call([template, values, named]) {
      return formatText(text(template, 'template'), values as unknown[], named as PlainObject);
    },
  },
  url_encode: {
    params: 'text',
    description: 'Percent-encodes text for use in a URL query value or path segment (like encodeURIComponent).',
    example: 'url_encode("a b&c") → "a%20b%26c"',
    call: ([value]) => encodeURIComponent(text(value, 'text')),
  },
  url_decode: {
    params: 'text',
    description: 'Decodes percent-encoded text ("+" is kept as is).',
    example: 'url_decode("a%20b%26c") → "a b&c"',
    call([value]) {
      try {
        return decodeURIComponent(text(value, 'text'));
      } catch {
        fault('cannot decode the text: it holds a malformed %-sequence');
      }
    },
  },
});

const FIELD = /^(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*))?((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(?::(.*))?$/;
const SPEC = /^(,)?(?:\.(\d{1,2})f)?$/;

function formatText(template: string, values: unknown[], named: PlainObject): string {
  let out = '';
  let auto = 0;
  let manual = false;
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === '{' && template[i + 1] === '{') {
      out += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      out += '}';
      i += 2;
    } else if (ch === '}') {
      fault('found a single "}" in the template; write }} for a literal brace');
    } else if (ch === '{') {
      const close = template.indexOf('}', i);
      if (close === -1) fault('found a "{" with no closing "}"; write {{ for a literal brace');
      const field = template.slice(i + 1, close);
      const match = FIELD.exec(field);
      if (!match) fault(`cannot read the placeholder {${field}}`);
      let value: unknown;
      if (match[1] === undefined && match[2] === undefined) {
        if (manual) fault('cannot mix {} with numbered placeholders such as {0}');
        if (auto >= values.length) fault(`needs a value for placeholder number ${auto + 1} but got ${values.length}`);
        value = values[auto++];
      } else if (match[1] !== undefined) {
        if (auto > 0) fault('cannot mix {} with numbered placeholders such as {0}');
        manual = true;
        const index = Number(match[1]);
        if (index >= values.length) fault(`has no value for {${index}}; got ${values.length} values`);
        value = values[index];
      } else {
        const name = match[2];
        if (!Object.prototype.hasOwnProperty.call(named, name)) fault(`has no value for {${name}}; pass it as ${name}=...`);
        value = named[name];
      }
      for (const key of match[3] ? match[3].slice(1).split('.') : []) value = readKey(value, key);
      out += applySpec(value, match[4]);
      checkText(out);
      i = close + 1;
    } else {
      const next = nextBrace(template, i);
      out += template.slice(i, next);
      i = next;
    }
  }
  return checkText(out);
}

function nextBrace(template: string, from: number): number {
  let i = from;
  while (i < template.length && template[i] !== '{' && template[i] !== '}') i++;
  return i;
}

function applySpec(value: unknown, spec: string | undefined): string {
  if (spec === undefined || spec === '') return toText(value);
  const match = SPEC.exec(spec);
  if (!match) fault(`does not support the format spec ":${spec}"; use ",", ".2f" or ",.2f"`);
  if (typeof value !== 'number') fault(`the spec ":${spec}" needs a number, got ${toText(value) || 'null'}`);
  const decimals = match[2] === undefined ? undefined : Number(match[2]);
  return value.toLocaleString('en-US', {
    useGrouping: match[1] === ',',
    minimumFractionDigits: decimals ?? 0,
    maximumFractionDigits: decimals ?? 20,
  });
}
