/**
 * Checks a node's config against its declared fields. Used twice: statically by `skynette validate`
 * (where a value holding `{{ }}` is accepted, since its type is known only at run time) and at run
 * time after expressions are resolved (where values are checked and gently coerced).
 */
import type { FieldMap, FieldSpec } from './fields.js';
import type { Problem } from '../util/errors.js';
import { SkynetteError } from '../util/errors.js';

function isExpressionText(value: unknown): boolean {
  return typeof value === 'string' && value.includes('{{');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `text "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Returns the (possibly coerced) value, or a problem message. */
function checkValue(spec: FieldSpec, value: unknown, runtime: boolean): { value: unknown } | { problem: string } {
  if (!runtime && isExpressionText(value)) return { value };
  switch (spec.type) {
    case 'expression':
      // Any value: a literal, or text whose {{ }} gave a value of any type.
      return { value };
    case 'string':
    case 'text':
    case 'secret':
    case 'file':
      if (typeof value === 'string') return { value };
      if (runtime && (typeof value === 'number' || typeof value === 'boolean')) return { value: String(value) };
      return { problem: `expected text, got ${describe(value)}` };
    case 'credential':
      if (typeof value === 'string' && value.length > 0) return { value };
      return { problem: `expected the id or name of a credential, got ${describe(value)}` };
    case 'number': {
      let n = value;
      if (runtime && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) n = Number(value);
      if (typeof n !== 'number' || !Number.isFinite(n)) return { problem: `expected a number, got ${describe(value)}` };
      if (spec.integer && !Number.isInteger(n)) return { problem: `expected a whole number, got ${n}` };
      if (spec.min !== undefined && n < spec.min) return { problem: `must be at least ${spec.min}, got ${n}` };
      if (spec.max !== undefined && n > spec.max) return { problem: `must be at most ${spec.max}, got ${n}` };
      return { value: n };
    }
    case 'boolean':
      if (typeof value === 'boolean') return { value };
      if (runtime && (value === 'true' || value === 'false')) return { value: value === 'true' };
      return { problem: `expected true or false, got ${describe(value)}` };
    case 'select': {
      const allowed = (spec.options ?? []).map((o) => o.value);
      if (typeof value === 'string' && allowed.includes(value)) return { value };
      return { problem: `expected one of ${allowed.join(', ')}, got ${describe(value)}` };
    }
    case 'multi_select': {
      const allowed = (spec.options ?? []).map((o) => o.value);
      if (!Array.isArray(value)) return { problem: `expected a list of ${allowed.join(', ')}, got ${describe(value)}` };
      const bad = value.filter((v) => typeof v !== 'string' || !allowed.includes(v));
      if (bad.length) return { problem: `unknown choice ${bad.map((b) => JSON.stringify(b)).join(', ')}; expected ${allowed.join(', ')}` };
      return { value };
    }
    case 'json': {
      if (spec.shape === 'object' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        if (runtime && typeof value === 'string') return parseJsonText(value, 'object');
        return { problem: `expected an object, got ${describe(value)}` };
      }
      if (spec.shape === 'array' && !Array.isArray(value)) {
        if (runtime && typeof value === 'string') return parseJsonText(value, 'array');
        return { problem: `expected a list, got ${describe(value)}` };
      }
      return { value };
    }
  }
}

function parseJsonText(text: string, shape: 'object' | 'array'): { value: unknown } | { problem: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (shape === 'array' ? Array.isArray(parsed) : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return { value: parsed };
    }
  } catch {
    // fall through to the problem below
  }
  return { problem: `expected ${shape === 'array' ? 'a list' : 'an object'} (or JSON text of one), got ${describe(text)}` };
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Static check for `skynette validate`: every problem, each with its path under `pathPrefix`. */
export function checkConfigStatic(fields: FieldMap, config: Record<string, unknown>, pathPrefix: string): Problem[] {
  const problems: Problem[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const value = config[name];
    const path = `${pathPrefix}.${name}`;
    if (isMissing(value)) {
      if (spec.required && spec.default === undefined) problems.push({ path, message: `required field "${name}" is missing` });
      continue;
    }
    const result = checkValue(spec, value, false);
    if ('problem' in result) problems.push({ path, message: result.problem });
  }
  return problems;
}

/**
 * Run-time check after expressions were resolved: applies defaults, coerces "5" to 5 for number
 * fields and the like, and throws one error listing every bad field.
 */
export function applyConfigFields<T>(fields: FieldMap, config: Record<string, unknown>, pathPrefix: string): T {
  const out: Record<string, unknown> = { ...config };
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(fields)) {
    const value = config[name];
    const path = `${pathPrefix}.${name}`;
    if (isMissing(value)) {
      if (spec.default !== undefined) out[name] = spec.default !== null && typeof spec.default === 'object' ? structuredClone(spec.default) : spec.default;
      else if (spec.required) problems.push(`${path}: required field "${name}" is missing or empty`);
      continue;
    }
    const result = checkValue(spec, value, true);
    if ('problem' in result) problems.push(`${path}: ${result.problem}`);
    else out[name] = result.value;
  }
  if (problems.length) {
    throw new SkynetteError('INVALID_CONFIG', problems.join('; '), { path: pathPrefix, details: problems });
  }
  return out as T;
}
