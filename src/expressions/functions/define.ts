/**
 * How a built-in function is declared: its parameters are written once, as the signature users
 * read in the docs (`round(value, digits=0)`), and the parser binds positional and named arguments
 * against that same list, so docs, validation and run time cannot disagree.
 */

export interface FunctionParam {
  name: string;
  /** Absent for required parameters; the value used when the argument is left out. */
  defaultValue?: unknown;
  required: boolean;
  /** `...values`: takes every remaining positional argument as a list. */
  rest: boolean;
}

export interface ExpressionFunction {
  name: string;
  params: FunctionParam[];
  /** `**named`: accepts any named argument, handed over as an object in the last slot. */
  anyNamed: boolean;
  signature: string;
  description: string;
  example: string;
  /** Arguments arrive in parameter order; a rest parameter arrives as a list. */
  call(args: unknown[]): unknown;
}

export interface FunctionDeclaration {
  /** Parameters as in the signature: `text, separator=null, ...values, **named`; defaults are JSON. */
  params: string;
  description: string;
  /** `expression → result`, where the result is JSON text when the function is deterministic. */
  example: string;
  call(args: unknown[]): unknown;
}

export function defineFunctions(declarations: Record<string, FunctionDeclaration>): ExpressionFunction[] {
  return Object.entries(declarations).map(([name, d]) => {
    const { params, anyNamed } = parseParams(name, d.params);
    return {
      name,
      params,
      anyNamed,
      signature: `${name}(${d.params})`,
      description: d.description,
      example: d.example,
      call: d.call,
    };
  });
}

function parseParams(fn: string, spec: string): { params: FunctionParam[]; anyNamed: boolean } {
  const params: FunctionParam[] = [];
  let anyNamed = false;
  for (const raw of splitParams(spec)) {
    if (raw.startsWith('**')) {
      anyNamed = true;
      continue;
    }
    if (raw.startsWith('...')) {
      params.push({ name: raw.slice(3), required: false, rest: true });
      continue;
    }
    const eq = raw.indexOf('=');
    if (eq === -1) {
      params.push({ name: raw, required: true, rest: false });
    } else {
      const defaultValue: unknown = JSON.parse(raw.slice(eq + 1));
      params.push({ name: raw.slice(0, eq), defaultValue, required: false, rest: false });
    }
  }
  if (params.some((p, i) => p.rest && i !== params.length - 1)) {
    throw new Error(`built-in ${fn}: a ...rest parameter must come last`);
  }
  return { params, anyNamed };
}

/** Splits on commas outside double quotes, since defaults such as `separator=","` hold commas. */
function splitParams(spec: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i];
    if (ch === '"' && spec[i - 1] !== '\\') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current.trim());
  return parts.filter(Boolean);
}
