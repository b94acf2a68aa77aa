/**
 * Resolving a whole config value: every string with `{{` inside objects and lists is resolved,
 * and errors name the exact spot (`headers.Authorization`, `items[2]`). Containers are copied
 * only where something changed, so the input is never mutated and untouched parts are shared.
 */
import { ExpressionError, type ExpressionWhere } from './errors.js';
import { MAX_DATA_DEPTH } from './limits.js';
import { isPlainObject } from './values.js';

type Resolve = (text: string, where: ExpressionWhere) => unknown;

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function resolveDeepWith(value: unknown, where: ExpressionWhere | undefined, resolve: Resolve): unknown {
  const path: Array<string | number> = [];
  const fieldAt = (): string => {
    let field = where?.field ?? '';
    for (const segment of path) {
      if (typeof segment === 'number') field += `[${segment}]`;
      else if (SIMPLE_KEY.test(segment)) field += field === '' ? segment : `.${segment}`;
      else field += `[${JSON.stringify(segment)}]`;
    }
    return field;
  };

  const walk = (current: unknown): unknown => {
    if (typeof current === 'string') {
      return current.includes('{{') ? resolve(current, { node: where?.node, field: fieldAt() || undefined }) : current;
    }
    if (typeof current !== 'object' || current === null) return current;
    if (path.length > MAX_DATA_DEPTH) {
      throw new ExpressionError(`the value nests deeper than ${MAX_DATA_DEPTH} levels`, {
        node: where?.node,
        field: fieldAt() || undefined,
      });
    }
    if (Array.isArray(current)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < current.length; i++) {
        path.push(i);
        const resolved = walk(current[i]);
        path.pop();
        if (resolved !== current[i]) {
          copy ??= current.slice();
          copy[i] = resolved;
        }
      }
      return copy ?? current;
    }
    if (!isPlainObject(current)) return current;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(current)) {
      path.push(key);
      const resolved = walk(current[key]);
      path.pop();
      if (resolved !== current[key]) {
        // Spread copies with define semantics, so an own "__proto__" key stays an ordinary key.
        copy ??= { ...current };
        copy[key] = resolved;
      }
    }
    return copy ?? current;
  };

  return walk(value);
}
