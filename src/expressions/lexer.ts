/**
 * Turns expression text into tokens. In template mode it also finds where the expression ends:
 * the first `}}` outside strings and outside object-literal braces, so `{{ {a: {b: 1}} }}` and
 * `{{ format("{}}", x) }}` both end where a reader expects.
 */
import { fault } from './fault.js';
import { MAX_EXPRESSION_LENGTH, formatCount } from './limits.js';

export type TokenType = 'number' | 'string' | 'name' | 'variable' | 'punct' | 'end';

export interface Token {
  type: TokenType;
  /** Punctuation text, name, variable name (with `$`), string contents or number. */
  value: string | number;
  /** Offset in the whole template text. */
  pos: number;
}

export interface LexResult {
  tokens: Token[];
  /** Offset just after the closing `}}` (template mode) or the end of the text. */
  end: number;
}

const PUNCTUATION_2 = new Set(['==', '!=', '<=', '>=', '&&', '||', '??']);
const PUNCTUATION_1 = new Set(['(', ')', '[', ']', '{', '}', ',', '.', ':', '?', '!', '<', '>', '+', '-', '*', '/', '%', '=']);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const UNICODE_LETTER = /\p{L}/u;
const UNICODE_NAME_PART = /[\p{L}\p{N}\p{Mn}\p{Mc}]/u;

/** Names may use any letters, so `$prev.größe` works without brackets. */
function isNameStart(c: number): boolean {
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return UNICODE_LETTER.test(String.fromCharCode(c));
}

function isNamePart(c: number): boolean {
  if (c < 128) return isNameStart(c) || isDigit(c);
  return UNICODE_NAME_PART.test(String.fromCharCode(c));
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029;
}

/**
 * Lexes from `start`. With `template` set, stops at the closing `}}` and fails if there is none;
 * otherwise lexes to `limit`.
 */
export function lex(text: string, start: number, template: boolean, limit = text.length): LexResult {
  const tokens: Token[] = [];
  let i = start;
  let braces = 0;
  // Looking no further than the longest allowed expression keeps a 1 MB `{{` from being scanned whole.
  const end = Math.min(limit, start + MAX_EXPRESSION_LENGTH + 2);
  for (;;) {
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i >= end) {
      if (end < limit) tooLong(start);
      if (template) fault('this {{ has no closing }}', start - 2, '"}}"');
      tokens.push({ type: 'end', value: '', pos: i });
      return { tokens, end: i };
    }
    const c = text.charCodeAt(i);
    const ch = text[i];
    if (template && ch === '}' && braces === 0 && text[i + 1] === '}') {
      if (i - start > MAX_EXPRESSION_LENGTH) tooLong(start);
      tokens.push({ type: 'end', value: '}}', pos: i });
      return { tokens, end: i + 2 };
    }
    if (isDigit(c)) {
      i = lexNumber(text, i, tokens);
    } else if (ch === '"' || ch === "'") {
      i = lexString(text, i, end, end < limit, tokens);
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < end && isNamePart(text.charCodeAt(j))) j++;
      tokens.push({ type: 'name', value: text.slice(i, j), pos: i });
      i = j;
    } else if (ch === '$') {
      let j = i + 1;
      while (j < end && isNamePart(text.charCodeAt(j))) j++;
      if (j === i + 1) fault('a variable name must follow "$", as in $prev or $vars', i, 'a variable name');
      tokens.push({ type: 'variable', value: text.slice(i, j), pos: i });
      i = j;
    } else if (ch === '`') {
      fault('template literals (backticks) are not part of the language; join text with + or format()', i);
    } else {
      const two = text.slice(i, i + 2);
      if (PUNCTUATION_2.has(two)) {
        tokens.push({ type: 'punct', value: two, pos: i });
        i += 2;
      } else if (PUNCTUATION_1.has(ch)) {
        if (ch === '{') braces++;
        else if (ch === '}' && braces > 0) braces--;
        tokens.push({ type: 'punct', value: ch, pos: i });
        i += 1;
      } else if (ch === '&' || ch === '|') {
        fault(`"${ch}" is not an operator; did you mean "${ch}${ch}"?`, i);
      } else if (ch === ';') {
        fault('an expression is a single value; statements separated by ";" are not supported', i);
      } else {
        const cp = text.codePointAt(i) ?? c;
        fault(`unexpected character ${JSON.stringify(String.fromCodePoint(cp))}`, i);
      }
    }
  }
}

function tooLong(start: number): never {
  fault(`the expression is longer than ${formatCount(MAX_EXPRESSION_LENGTH)} characters (the limit)`, start);
}

function lexNumber(text: string, start: number, tokens: Token[]): number {
  let i = start;
  while (isDigit(text.charCodeAt(i))) i++;
  if (text[i] === '.' && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    let j = i + 1;
    if (text[j] === '+' || text[j] === '-') j++;
    if (!isDigit(text.charCodeAt(j))) fault('a number exponent needs digits, as in 1e6', i, 'digits');
    while (isDigit(text.charCodeAt(j))) j++;
    i = j;
  }
  if (isNameStart(text.charCodeAt(i)) || text[i] === '$') {
    fault(`unexpected ${JSON.stringify(text[i])} right after the number ${text.slice(start, i)}`, i);
  }
  const value = Number(text.slice(start, i));
  if (!Number.isFinite(value)) fault(`the number ${text.slice(start, i)} is too large`, start);
  tokens.push({ type: 'number', value, pos: start });
  return i;
}

const ESCAPES: Record<string, string> = Object.assign(Object.create(null) as Record<string, string>, {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
});

function lexString(text: string, start: number, limit: number, truncated: boolean, tokens: Token[]): number {
  const quote = text[start];
  let i = start + 1;
  let out = '';
  let chunk = i;
  while (i < limit) {
    const ch = text[i];
    if (ch === quote) {
      out += text.slice(chunk, i);
      tokens.push({ type: 'string', value: out, pos: start });
      return i + 1;
    }
    if (ch !== '\\') {
      i++;
      continue;
    }
    out += text.slice(chunk, i);
    const next = text[i + 1];
    if (next === 'u') {
      const [char, length] = readUnicodeEscape(text, i);
      out += char;
      i += length;
    } else if (next !== undefined && ESCAPES[next] !== undefined) {
      out += ESCAPES[next];
      i += 2;
    } else if (next === undefined || i + 1 >= limit) {
      break;
    } else {
      fault(`unknown escape "\\${next}" in text; use \\\\ for a backslash`, i);
    }
    chunk = i;
  }
  if (truncated) tooLong(start);
  fault(`this text has no closing ${quote}`, start, quote);
}

function readUnicodeEscape(text: string, at: number): [string, number] {
  if (text[at + 2] === '{') {
    const close = text.indexOf('}', at + 3);
    const hex = close === -1 ? '' : text.slice(at + 3, close);
    if (/^[0-9a-fA-F]{1,6}$/.test(hex) && parseInt(hex, 16) <= 0x10ffff) {
      return [String.fromCodePoint(parseInt(hex, 16)), close - at + 1];
    }
  } else {
    const hex = text.slice(at + 2, at + 6);
    if (/^[0-9a-fA-F]{4}$/.test(hex)) return [String.fromCharCode(parseInt(hex, 16)), 6];
  }
  fault('\\u must be followed by four hex digits, as in \\u00e9, or by {hex}, as in \\u{1F600}', at, 'four hex digits');
}
