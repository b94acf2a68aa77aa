/**
 * Finds parameter placeholders in SQL text, skipping string literals, quoted identifiers,
 * comments and (Postgres) dollar-quoted bodies, so a `:name` inside a string is never touched.
 * Used to bind named parameters on Postgres (which only knows `$1`) and numbered ones on SQLite.
 * Values are never put into the SQL text: only placeholder names are rewritten.
 */
import { SkynetteError } from '../../../util/errors.js';

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

export interface Placeholder {
  start: number;
  end: number;
  /** `?` | `$1`, `?1` | `:name`, `@name`, `$name` */
  kind: 'anonymous' | 'numbered' | 'named';
  /** The name without its sigil (for numbered ones, the number as text). */
  name: string;
}

const isIdentStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentChar = (c: string): boolean => /[A-Za-z0-9_$]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

function readWhile(sql: string, from: number, test: (c: string) => boolean): number {
  let i = from;
  while (i < sql.length && test(sql[i])) i++;
  return i;
}

/** End (exclusive) of a quoted run starting at `start`, honouring doubled quotes and, where allowed, backslashes. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 1;
  let i = start + 2;
  while (i < sql.length && depth > 0) {
    if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
    } else if (nested && sql.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else i++;
  }
  return i;
}

export function findPlaceholders(sql: string, dialect: SqlDialect): Placeholder[] {
  const found: Placeholder[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1] ?? '';
    if (c === "'") {
      const escaped = dialect === 'mysql' || (dialect === 'postgres' && /[eE]/.test(sql[i - 1] ?? '') && !isIdentChar(sql[i - 2] ?? ''));
      i = skipQuoted(sql, i, "'", escaped);
    } else if (c === '"') {
      i = skipQuoted(sql, i, '"', dialect === 'mysql');
    } else if (c === '`' && dialect !== 'postgres') {
      i = skipQuoted(sql, i, '`', false);
    } else if (c === '[' && dialect === 'sqlite') {
      const close = sql.indexOf(']', i + 1);
      i = close < 0 ? sql.length : close + 1;
    } else if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === '#' && dialect === 'mysql') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i, dialect === 'postgres');
    } else if (c === ':' && next === ':' && dialect === 'postgres') {
      i += 2; // a cast: value::type
    } else if (c === '$' && isDigit(next) && dialect !== 'mysql' && !isIdentChar(sql[i - 1] ?? '')) {
      const end = readWhile(sql, i + 1, isDigit);
      found.push({ start: i, end, kind: 'numbered', name: sql.slice(i + 1, end) });
      i = end;
    } else if (c === '$' && dialect === 'postgres' && !isIdentChar(sql[i - 1] ?? '')) {
      // A dollar-quoted body: $$ ... $$ or $tag$ ... $tag$.
      const tagEnd = readWhile(sql, i + 1, (ch) => isIdentChar(ch) && ch !== '$');
      if (sql[tagEnd] === '$' && (tagEnd === i + 1 || isIdentStart(sql[i + 1]))) {
        const tag = sql.slice(i, tagEnd + 1);
        const close = sql.indexOf(tag, tagEnd + 1);
        i = close < 0 ? sql.length : close + tag.length;
      } else i++;
    } else if (c === '?' && dialect !== 'postgres') {
      if (dialect === 'sqlite' && isDigit(next)) {
        const end = readWhile(sql, i + 1, isDigit);
        found.push({ start: i, end, kind: 'numbered', name: sql.slice(i + 1, end) });
        i = end;
      } else {
        found.push({ start: i, end: i + 1, kind: 'anonymous', name: '' });
        i++;
      }
    } else if (
      (c === ':' || (dialect === 'sqlite' && (c === '@' || c === '$'))) &&
      isIdentStart(next) &&
      !isIdentChar(sql[i - 1] ?? '') &&
      sql[i - 1] !== ':'
    ) {
      const end = readWhile(sql, i + 1, (ch) => isIdentChar(ch) && ch !== '$');
      found.push({ start: i, end, kind: 'named', name: sql.slice(i + 1, end) });
      i = end;
    } else {
      i++;
    }
  }
  return found;
}

/**
 * Rewrites `:name` placeholders to `$1`, `$2`, ... for Postgres and returns the values in that
 * order. The same name used twice gets the same number.
 */
export function namedToPositional(sql: string, values: Record<string, unknown>): { sql: string; values: unknown[] } {
  const placeholders = findPlaceholders(sql, 'postgres');
  if (placeholders.some((p) => p.kind === 'numbered')) {
    throw new SkynetteError(
      'INVALID_CONFIG',
      'config.parameters: the query uses $1-style placeholders, which take a list of values, but parameters is an object',
      { path: 'config.parameters' },
    );
  }
  const numbers = new Map<string, number>();
  const ordered: unknown[] = [];
  let out = '';
  let last = 0;
  for (const p of placeholders) {
    if (!Object.prototype.hasOwnProperty.call(values, p.name)) {
      throw new SkynetteError(
        'INVALID_CONFIG',
        `config.parameters: the query uses :${p.name}, but parameters has no value named "${p.name}"`,
        { path: 'config.parameters' },
      );
    }
    let n = numbers.get(p.name);
    if (n === undefined) {
      ordered.push(values[p.name]);
      n = ordered.length;
      numbers.set(p.name, n);
    }
    out += `${sql.slice(last, p.start)}$${n}`;
    last = p.end;
  }
  return { sql: out + sql.slice(last), values: ordered };
}
