/**
 * A static check that refuses the pattern shapes behind catastrophic backtracking: a repeated
 * group that itself holds a quantifier (`(a+)+`, `(\w+\s?)*`, `(a+){10}`) and a repeated group
 * whose alternatives may overlap (`(a|a)*`). A repeated group that starts with a separator nothing
 * else in it can match (`(-[a-z]+)*`, `(\.\d+)+`) is let through: each repetition must then begin
 * at a separator, so there is only one way to split the text. It is a heuristic, not a proof;
 * the input and pattern length caps bound what remains.
 */
import { fault } from '../fault.js';
import { MAX_REGEX_PATTERN_LENGTH, formatCount } from '../limits.js';

interface Group {
  start: number;
  /** Any quantifier (including ?) inside. */
  quantified: boolean;
  /** An unbounded quantifier (*, +, {n,}) inside. */
  unbounded: boolean;
  alternation: boolean;
}

interface Quantifier {
  length: number;
  unbounded: boolean;
  /** Largest repeat count (Infinity for unbounded). */
  max: number;
}

function readQuantifier(pattern: string, at: number): Quantifier | null {
  const ch = pattern[at];
  if (ch === '*' || ch === '+') return { length: 1, unbounded: true, max: Infinity };
  if (ch === '?') return { length: 1, unbounded: false, max: 1 };
  if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at, at + 24));
    if (!m) return null;
    const unbounded = m[2] !== undefined && m[3] === '';
    const max = unbounded ? Infinity : Number(m[3] ?? m[1]);
    return { length: m[0].length, unbounded, max };
  }
  return null;
}

export function checkRegexSafety(pattern: string): void {
  if (pattern.length > MAX_REGEX_PATTERN_LENGTH) {
    fault(`expects a pattern of at most ${formatCount(MAX_REGEX_PATTERN_LENGTH)} characters, got ${formatCount(pattern.length)}`);
  }
  const stack: Group[] = [{ start: -1, quantified: false, unbounded: false, alternation: false }];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    const top = stack[stack.length - 1];
    if (ch === '\\') {
      i += escapeLength(pattern, i);
    } else if (ch === '[') {
      i = skipClass(pattern, i);
    } else if (ch === '(') {
      stack.push({ start: i, quantified: false, unbounded: false, alternation: false });
      i += groupPrefixLength(pattern, i);
      continue;
    } else if (ch === ')') {
      if (stack.length === 1) return; // Unbalanced: the RegExp constructor reports it.
      stack.pop();
      const parent = stack[stack.length - 1];
      const q = readQuantifier(pattern, i + 1);
      if (q) checkRepeatedGroup(pattern, top, q, i);
      parent.quantified ||= top.quantified || q !== null;
      parent.unbounded ||= top.unbounded || (q !== null && q.unbounded);
      i += 1 + (q ? q.length : 0);
      if (pattern[i] === '?' && q) i++;
      continue;
    } else if (ch === '|') {
      top.alternation = true;
      i++;
      continue;
    } else {
      i++;
    }
    const q = readQuantifier(pattern, i);
    if (q) {
      top.quantified = true;
      top.unbounded ||= q.unbounded;
      i += q.length;
      if (pattern[i] === '?') i++;
    }
  }
}

function checkRepeatedGroup(pattern: string, group: Group, q: Quantifier, end: number): void {
  const text = pattern.slice(group.start, end + 1 + q.length);
  const nested = (q.unbounded && group.quantified) || (q.max > 1 && group.unbounded) || (q.max > 10 && group.quantified);
  if (nested && (group.alternation || !startsWithSeparator(pattern.slice(group.start, end)))) {
    fault(
      `refuses the pattern: ${text} repeats a group that itself holds a quantifier, which can take exponential time; drop the inner or outer repetition`,
    );
  }
  if (q.max > 1 && group.alternation && !distinctLiteralAlternatives(pattern.slice(group.start, end))) {
    fault(
      `refuses the pattern: ${text} repeats alternatives that may overlap, which can take exponential time; use a character class such as [ab]+ or alternatives that start with different letters`,
    );
  }
}

/** True when every alternative is plain text and no two start with the same character. */
function distinctLiteralAlternatives(groupText: string): boolean {
  const body = groupText.slice(groupPrefixLength(groupText, 0));
  const alternatives = body.split('|');
  const firsts = new Set<string>();
  for (const alt of alternatives) {
    if (alt === '' || /[\\[\](){}*+?.^$|]/.test(alt)) return false;
    if (firsts.has(alt[0])) return false;
    firsts.add(alt[0]);
  }
  return true;
}

function groupPrefixLength(pattern: string, at: number): number {
  if (pattern[at + 1] !== '?') return 1;
  const m = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(at, at + 40));
  return m ? m[0].length : 2;
}

function escapeLength(pattern: string, at: number): number {
  const next = pattern[at + 1];
  if ((next === 'p' || next === 'P' || next === 'u') && pattern[at + 2] === '{') {
    const close = pattern.indexOf('}', at + 3);
    return close === -1 ? 2 : close - at + 1;
  }
  if (next === 'k' && pattern[at + 2] === '<') {
    const close = pattern.indexOf('>', at + 3);
    return close === -1 ? 2 : close - at + 1;
  }
  return 2;
}

function skipClass(pattern: string, at: number): number {
  let i = at + 1;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

const META = new Set(['\\', '[', ']', '(', ')', '{', '}', '*', '+', '?', '.', '^', '$', '|']);

/** True when the group body begins with a literal character that no later part of the body can match. */
function startsWithSeparator(groupText: string): boolean {
  const body = groupText.slice(groupPrefixLength(groupText, 0));
  let separator: string;
  let i: number;
  if (body[0] === '\\' && body.length > 1 && !/[A-Za-z0-9]/.test(body[1])) {
    separator = body[1];
    i = 2;
  } else if (body.length > 0 && !META.has(body[0])) {
    separator = body[0];
    i = 1;
  } else {
    return false;
  }
  if (readQuantifier(body, i)) return false;
  while (i < body.length) {
    const ch = body[i];
    let atom: string;
    if (ch === '\\') atom = body.slice(i, i + escapeLength(body, i));
    else if (ch === '[') atom = body.slice(i, skipClass(body, i));
    else if (ch === '.') return false;
    else if (ch === '(' || ch === ')' || ch === '|' || ch === '^' || ch === '$') {
      i += ch === '(' ? groupPrefixLength(body, i) : 1;
      continue;
    } else {
      const q = readQuantifier(body, i);
      if (q) {
        i += q.length;
        continue;
      }
      atom = ch;
    }
    if (/^\\[1-9k]/.test(atom) || atomMatches(atom, separator)) return false;
    i += atom.length;
  }
  return true;
}

function atomMatches(atom: string, char: string): boolean {
  if (atom.length === 1) return atom === char;
  try {
    return new RegExp(`^(?:${atom})$`, 'u').test(char) || new RegExp(`^(?:${atom})$`).test(char);
  } catch {
    // An atom we cannot read might match anything.
    return true;
  }
}
