/**
 * A Kysely query compiled once and run many times with new values: the hot checkpoint writes skip
 * building and compiling a query each time. Values are named placeholders (`param('x')`), so the
 * parameter order Kysely chose is read back from the compiled query instead of assumed.
 */
import type { CompiledQuery, Compilable } from 'kysely';

const MARK = '\u0000param:';

/** A placeholder for a value supplied at run time; typed as whatever the column wants. */
export function param<T = any>(name: string): T {
  return (MARK + name) as T;
}

export type QueryTemplate<V> = (values: V) => CompiledQuery;

export function compileTemplate<V extends Record<string, unknown>>(query: Compilable): QueryTemplate<V> {
  const compiled = query.compile();
  const names = compiled.parameters.map((p, i) => {
    if (typeof p !== 'string' || !p.startsWith(MARK)) throw new Error(`query template parameter ${i} is not a param() placeholder: ${compiled.sql}`);
    return p.slice(MARK.length);
  });
  return (values) => {
    const parameters = new Array(names.length);
    for (let i = 0; i < names.length; i++) parameters[i] = values[names[i]];
    return { sql: compiled.sql, query: compiled.query, queryId: compiled.queryId, parameters };
  };
}
