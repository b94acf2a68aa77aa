/**
 * The table of built-in functions. It is a Map so that no name ("constructor", "__proto__",
 * "toString") can resolve through a prototype; only what the groups below declare exists.
 */
import type { ExpressionFunction } from './define.js';
import { conversionFunctions } from './convert.js';
import { cryptoFunctions } from './crypto.js';
import { dateFunctions } from './dates.js';
import { listFunctions } from './lists.js';
import { mathFunctions } from './math.js';
import { regexFunctions } from './regex.js';
import { textFunctions } from './text.js';

/** Themes in the order the docs present them. */
export const functionGroups: ReadonlyArray<{ title: string; functions: readonly ExpressionFunction[] }> = [
  { title: 'Text', functions: textFunctions },
  { title: 'Lists and objects', functions: listFunctions },
  { title: 'Numbers', functions: mathFunctions },
  { title: 'Conversion and logic', functions: conversionFunctions },
  { title: 'Dates and times', functions: dateFunctions },
  { title: 'Identifiers, hashing and encoding', functions: cryptoFunctions },
  { title: 'Regular expressions', functions: regexFunctions },
];

const all: ExpressionFunction[] = functionGroups.flatMap((group) => group.functions);

export const functionTable: ReadonlyMap<string, ExpressionFunction> = new Map(all.map((fn) => [fn.name, fn]));

if (functionTable.size !== all.length) throw new Error('two built-in expression functions share a name');

export const functionList: readonly ExpressionFunction[] = all;

/** The candidate closest to `name` by edit distance, when close enough to be a likely typo. */
export function closestName(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = name.toLowerCase();
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}
