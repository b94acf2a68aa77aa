/**
 * The evaluator: one switch over node kinds, no closures, no allocation on the common paths.
 * Every value flowing through it is data (see values.ts), so operators only have to handle
 * null, booleans, numbers, text, lists and plain objects.
 */
import { Kind, type BinaryStep, type CallNode, type ExpressionNode } from './ast.js';
import { budget, stepLimitReached } from './budget.js';
import { Fault, fault } from './fault.js';
import { MAX_STEPS } from './limits.js';
import {
  checkListLength,
  checkObjectSize,
  checkText,
  deepEqual,
  describe,
  hasOwnKey,
  isReservedKey,
  ownKeys,
  readComputed,
  readKey,
  readValue,
  setKey,
  toText,
  truthy,
  typeName,
  type PlainObject,
} from './values.js';

export type Scope = Record<string, unknown>;

/** Evaluates a parsed expression with a fresh step budget; re-entrant. */
export function evaluateNode(node: ExpressionNode, scope: Scope): unknown {
  const saved = budget.steps;
  budget.steps = 0;
  try {
    return ev(node, scope);
  } finally {
    budget.steps = saved;
  }
}

function ev(node: ExpressionNode, scope: Scope): unknown {
  if (++budget.steps > MAX_STEPS) stepLimitReached(node.pos);
  switch (node.kind) {
    case Kind.Literal:
      return node.value;
    case Kind.Variable:
      return isReservedKey(node.name) || !hasOwnKey(scope, node.name) ? null : readValue(scope[node.name]);
    case Kind.Member:
      return readKey(ev(node.object, scope), node.key);
    case Kind.Index:
      return readComputed(ev(node.object, scope), ev(node.index, scope));
    case Kind.List: {
      const items = node.items;
      const list = new Array<unknown>(items.length);
      for (let i = 0; i < items.length; i++) list[i] = ev(items[i], scope);
      return list;
    }
    case Kind.Object: {
      const object: PlainObject = {};
      for (let i = 0; i < node.keys.length; i++) setKey(object, node.keys[i], ev(node.values[i], scope));
      return object;
    }
    case Kind.Not:
      return !truthy(ev(node.operand, scope));
    case Kind.Negate: {
      const value = ev(node.operand, scope);
      if (typeof value !== 'number') fault(`cannot negate ${describe(value)}; "-" works on numbers only`, node.pos);
      return -value;
    }
    case Kind.Add:
    case Kind.Subtract:
    case Kind.Multiply:
    case Kind.Divide:
    case Kind.Modulo:
    case Kind.Less:
    case Kind.LessEqual:
    case Kind.Greater:
    case Kind.GreaterEqual:
    case Kind.Equal:
    case Kind.NotEqual:
    case Kind.And:
    case Kind.Or:
    case Kind.Coalesce:
      return combine(node, ev(node.left, scope), scope);
    case Kind.Chain: {
      let value = ev(node.first, scope);
      const steps = node.steps;
      for (let i = 0; i < steps.length; i++) value = combine(steps[i], value, scope);
      return value;
    }
    case Kind.Conditional:
      return truthy(ev(node.test, scope)) ? ev(node.consequent, scope) : ev(node.alternate, scope);
    case Kind.Call:
      return call(node, scope);
  }
}

/** Applies one binary operator to an evaluated left operand; the right one is evaluated only if needed. */
function combine(node: BinaryStep, left: unknown, scope: Scope): unknown {
  switch (node.kind) {
    case Kind.Add: {
      const right = ev(node.right, scope);
      if (typeof left === 'number' && typeof right === 'number') return finite(left + right, node);
      return add(left, right, node);
    }
    case Kind.Subtract:
    case Kind.Multiply:
    case Kind.Divide:
    case Kind.Modulo: {
      const right = ev(node.right, scope);
      if (typeof left !== 'number' || typeof right !== 'number') arithmeticTypeError(left, right, node);
      return arithmetic(left, right, node);
    }
    case Kind.Less:
    case Kind.LessEqual:
    case Kind.Greater:
    case Kind.GreaterEqual:
      return compare(left, ev(node.right, scope), node);
    case Kind.Equal: {
      const right = ev(node.right, scope);
      return left === right || (typeof left === 'object' && typeof right === 'object' && deepEqual(left, right));
    }
    case Kind.NotEqual: {
      const right = ev(node.right, scope);
      return !(left === right || (typeof left === 'object' && typeof right === 'object' && deepEqual(left, right)));
    }
    case Kind.And:
      return truthy(left) ? ev(node.right, scope) : left;
    case Kind.Or:
      return truthy(left) ? left : ev(node.right, scope);
    default:
      return left === null || left === undefined ? ev(node.right, scope) : left;
  }
}

function finite(value: number, node: BinaryStep): number {
  if (!Number.isFinite(value)) fault(`the result of "${node.op}" is too large to be a number`, node.pos);
  return value;
}

function add(left: unknown, right: unknown, node: BinaryStep): unknown {
  if (typeof left === 'string' || typeof right === 'string') {
    return wrap(node, () => checkText(toText(left) + toText(right)));
  }
  if (Array.isArray(left) && Array.isArray(right)) {
    wrap(node, () => checkListLength(left.length + right.length));
    return left.concat(right);
  }
  if (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null) {
    if (!Array.isArray(left) && !Array.isArray(right)) return merge(left as PlainObject, right as PlainObject, node);
  }
  fault(
    `cannot use "+" on ${typeName(left)} and ${typeName(right)}; "+" adds numbers, joins text, lists or objects`,
    node.pos,
  );
}

function merge(left: PlainObject, right: PlainObject, node: BinaryStep): PlainObject {
  const merged: PlainObject = {};
  for (const key of ownKeys(left)) merged[key] = readValue(left[key]);
  for (const key of ownKeys(right)) merged[key] = readValue(right[key]);
  wrap(node, () => checkObjectSize(Object.keys(merged).length));
  return merged;
}

function arithmeticTypeError(left: unknown, right: unknown, node: BinaryStep): never {
  fault(`cannot use "${node.op}" on ${typeName(left)} and ${typeName(right)}; "${node.op}" works on numbers only`, node.pos);
}

function arithmetic(left: number, right: number, node: BinaryStep): number {
  switch (node.kind) {
    case Kind.Subtract:
      return finite(left - right, node);
    case Kind.Multiply:
      return finite(left * right, node);
    case Kind.Divide:
      if (right === 0) fault(`division by zero in "${node.op}"`, node.pos);
      return finite(left / right, node);
    default:
      if (right === 0) fault('division by zero in "%" (remainder)', node.pos);
      return finite(left % right, node);
  }
}

function compare(left: unknown, right: unknown, node: BinaryStep): boolean {
  const comparable =
    (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) {
    fault(
      `cannot compare ${typeName(left)} with ${typeName(right)} using "${node.op}"; compare numbers with numbers or text with text`,
      node.pos,
    );
  }
  const l = left as number;
  const r = right as number;
  switch (node.kind) {
    case Kind.Less:
      return l < r;
    case Kind.LessEqual:
      return l <= r;
    case Kind.Greater:
      return l > r;
    default:
      return l >= r;
  }
}

function call(node: CallNode, scope: Scope): unknown {
  const fn = node.fn;
  const params = fn.params;
  const args = node.args;
  const values = new Array<unknown>(args.length + (node.named === null ? 0 : 1));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (params[i].rest) {
      if (arg !== null) {
        const list = ev(arg, scope);
        values[i] = Array.isArray(list) ? list : [list];
      } else {
        const rest = node.rest ?? [];
        const list = new Array<unknown>(rest.length);
        for (let j = 0; j < rest.length; j++) list[j] = ev(rest[j], scope);
        values[i] = list;
      }
    } else {
      values[i] = arg === null ? (params[i].defaultValue ?? null) : ev(arg, scope);
    }
  }
  if (node.named !== null) {
    const named: PlainObject = {};
    for (let i = 0; i < node.named.keys.length; i++) setKey(named, node.named.keys[i], ev(node.named.values[i], scope));
    values[args.length] = named;
  }
  let result: unknown;
  try {
    result = fn.call(values);
  } catch (error) {
    throw functionFault(fn.name, error, node.pos);
  }
  return result === undefined ? null : result;
}

/** Places a failure inside a built-in at the call, named after the function. */
function functionFault(name: string, error: unknown, pos: number): Fault {
  if (error instanceof Fault) {
    if (error.pos !== undefined) return error;
    return new Fault(`${name}(): ${error.message}`, pos, error.expected);
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new Fault(`${name}(): the data is nested too deeply`, pos);
  }
  return new Fault(`${name}(): ${error instanceof Error ? error.message : String(error)}`, pos);
}

function wrap<T>(node: BinaryStep, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof Fault && error.pos === undefined) error.pos = node.pos;
    throw error;
  }
}
