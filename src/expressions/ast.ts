import type { ExpressionFunction } from './functions/define.js';

/**
 * Node kinds are small integers so the evaluator's switch compiles to a jump table; each binary
 * operator has its own kind rather than an `op` field so no second dispatch is needed.
 */
export const Kind = {
  Literal: 0,
  Variable: 1,
  Member: 2,
  Index: 3,
  List: 4,
  Object: 5,
  Not: 6,
  Negate: 7,
  Add: 8,
  Subtract: 9,
  Multiply: 10,
  Divide: 11,
  Modulo: 12,
  Less: 13,
  LessEqual: 14,
  Greater: 15,
  GreaterEqual: 16,
  Equal: 17,
  NotEqual: 18,
  And: 19,
  Or: 20,
  Coalesce: 21,
  Conditional: 22,
  Call: 23,
  Chain: 24,
} as const;

/** Every node records `pos`, its offset in the template text, so run-time errors can name a column. */
export interface LiteralNode {
  kind: typeof Kind.Literal;
  pos: number;
  value: string | number | boolean | null;
}

export interface VariableNode {
  kind: typeof Kind.Variable;
  pos: number;
  name: string;
}

/** `a.b` and `a["b"]`: the key is known when parsing. */
export interface MemberNode {
  kind: typeof Kind.Member;
  pos: number;
  object: ExpressionNode;
  key: string;
}

/** `a[expr]`: the key is computed at run time. */
export interface IndexNode {
  kind: typeof Kind.Index;
  pos: number;
  object: ExpressionNode;
  index: ExpressionNode;
}

export interface ListNode {
  kind: typeof Kind.List;
  pos: number;
  items: ExpressionNode[];
}

export interface ObjectNode {
  kind: typeof Kind.Object;
  pos: number;
  keys: string[];
  values: ExpressionNode[];
}

export interface UnaryNode {
  kind: typeof Kind.Not | typeof Kind.Negate;
  pos: number;
  operand: ExpressionNode;
}

export type BinaryKind =
  | typeof Kind.Add
  | typeof Kind.Subtract
  | typeof Kind.Multiply
  | typeof Kind.Divide
  | typeof Kind.Modulo
  | typeof Kind.Less
  | typeof Kind.LessEqual
  | typeof Kind.Greater
  | typeof Kind.GreaterEqual
  | typeof Kind.Equal
  | typeof Kind.NotEqual
  | typeof Kind.And
  | typeof Kind.Or
  | typeof Kind.Coalesce;

/** One operator and its right operand; the left operand is whatever came before. */
export interface BinaryStep {
  kind: BinaryKind;
  pos: number;
  /** The operator as written, for error messages. */
  op: string;
  right: ExpressionNode;
}

export interface BinaryNode extends BinaryStep {
  left: ExpressionNode;
}

/**
 * `a + b + c + ...` with many operators at one precedence level. Evaluated in a loop, so a long
 * flat chain costs no stack depth, where nested binary nodes would recurse once per operator.
 */
export interface ChainNode {
  kind: typeof Kind.Chain;
  pos: number;
  first: ExpressionNode;
  steps: BinaryStep[];
}

export interface ConditionalNode {
  kind: typeof Kind.Conditional;
  pos: number;
  test: ExpressionNode;
  consequent: ExpressionNode;
  alternate: ExpressionNode;
}

/**
 * Arguments are bound to parameters when parsing, so a call costs no name lookups at run time:
 * `args[i]` feeds parameter i (null means "use the default"), `rest` feeds a `...values` parameter,
 * and `named` carries free-form named arguments for functions such as format().
 */
export interface CallNode {
  kind: typeof Kind.Call;
  pos: number;
  fn: ExpressionFunction;
  args: Array<ExpressionNode | null>;
  rest: ExpressionNode[] | null;
  named: { keys: string[]; values: ExpressionNode[] } | null;
}

export type ExpressionNode =
  | LiteralNode
  | VariableNode
  | MemberNode
  | IndexNode
  | ListNode
  | ObjectNode
  | UnaryNode
  | BinaryNode
  | ConditionalNode
  | CallNode
  | ChainNode;
