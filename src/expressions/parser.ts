/**
 * Recursive descent over the tokens, one method per precedence level. Nesting is counted so
 * `((((...))))` fails with a clear error long before the JS stack would; chains such as
 * `a + b + c + ...` loop instead of recursing, so they cost no depth.
 */
import { Kind, type BinaryKind, type BinaryStep, type CallNode, type ExpressionNode } from './ast.js';
import { fault } from './fault.js';
import type { Token } from './lexer.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import { closestName, functionTable } from './functions/registry.js';
import type { ExpressionFunction } from './functions/define.js';

const BINARY = new Map<string, { precedence: number; kind: BinaryKind }>([
  ['??', { precedence: 1, kind: Kind.Coalesce }],
  ['||', { precedence: 2, kind: Kind.Or }],
  ['&&', { precedence: 3, kind: Kind.And }],
  ['==', { precedence: 4, kind: Kind.Equal }],
  ['!=', { precedence: 4, kind: Kind.NotEqual }],
  ['<', { precedence: 5, kind: Kind.Less }],
  ['<=', { precedence: 5, kind: Kind.LessEqual }],
  ['>', { precedence: 5, kind: Kind.Greater }],
  ['>=', { precedence: 5, kind: Kind.GreaterEqual }],
  ['+', { precedence: 6, kind: Kind.Add }],
  ['-', { precedence: 6, kind: Kind.Subtract }],
  ['*', { precedence: 7, kind: Kind.Multiply }],
  ['/', { precedence: 7, kind: Kind.Divide }],
  ['%', { precedence: 7, kind: Kind.Modulo }],
]);

/** Words people bring from other languages, with what to write instead. */
const NAME_HINTS = new Map<string, string>([
  ['and', 'use && instead of and'],
  ['or', 'use || instead of or'],
  ['not', 'use ! instead of not'],
  ['undefined', 'use null'],
  ['None', 'use null'],
  ['nil', 'use null'],
  ['True', 'use true'],
  ['False', 'use false'],
]);

/** Longer runs of operators at one level become a Chain node, evaluated without recursion. */
const CHAIN_THRESHOLD = 16;

const KNOWN_VARIABLES = ['trigger', 'vars', 'nodes', 'node', 'prev', 'item', 'index', 'workflow', 'execution', 'env'];

export function parseTokens(tokens: Token[], template: boolean): ExpressionNode {
  return new Parser(tokens, template).parse();
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly template: boolean,
  ) {}

  parse(): ExpressionNode {
    const first = this.peek();
    if (first.type === 'end') {
      fault('the expression is empty; write a value between the braces, such as {{ $prev }}', first.pos, 'a value');
    }
    const node = this.expression();
    const rest = this.peek();
    if (rest.type !== 'end') {
      const expected = this.template ? '"}}"' : 'the end of the expression';
      const what = this.template ? '"}}" to end the expression' : 'the end of the expression';
      fault(`expected ${what}, found ${describeToken(rest)}${operatorHint(rest)}`, rest.pos, expected);
    }
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.tokens[this.i];
    if (this.i < this.tokens.length - 1) this.i++;
    return token;
  }

  private isPunct(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'punct' && token.value === value;
  }

  private expect(value: string, context: string): Token {
    const token = this.peek();
    if (token.type === 'punct' && token.value === value) return this.next();
    fault(`expected "${value}" ${context}, found ${describeToken(token)}`, token.pos, `"${value}"`);
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      fault(
        `the expression nests deeper than ${MAX_NESTING_DEPTH} levels (the limit for parentheses, lists, objects and calls)`,
        pos,
      );
    }
  }

  private expression(): ExpressionNode {
    const start = this.peek();
    this.enter(start.pos);
    let node = this.binary(1);
    if (this.isPunct('?')) {
      const question = this.next();
      const consequent = this.expression();
      this.expect(':', 'between the two results of "condition ? a : b"');
      const alternate = this.expression();
      node = { kind: Kind.Conditional, pos: question.pos, test: node, consequent, alternate };
    }
    this.depth--;
    return node;
  }

  private binary(minPrecedence: number): ExpressionNode {
    const first = this.unary();
    const steps: BinaryStep[] = [];
    for (;;) {
      const token = this.peek();
      if (token.type !== 'punct') break;
      const op = BINARY.get(token.value as string);
      if (op === undefined) {
        if (token.value === '=') fault('"=" does not compare; use == to compare values', token.pos, '"=="');
        break;
      }
      if (op.precedence < minPrecedence) break;
      this.next();
      const right = this.binary(op.precedence + 1);
      steps.push({ kind: op.kind, pos: token.pos, op: token.value as string, right });
    }
    if (steps.length > CHAIN_THRESHOLD) return { kind: Kind.Chain, pos: first.pos, first, steps };
    let node = first;
    for (const step of steps) node = { ...step, left: node };
    return node;
  }

  private unary(): ExpressionNode {
    const token = this.peek();
    if (token.type === 'punct' && (token.value === '!' || token.value === '-')) {
      this.next();
      this.enter(token.pos);
      const operand = this.unary();
      this.depth--;
      if (token.value === '!') return { kind: Kind.Not, pos: token.pos, operand };
      // Folding `-5` into a literal keeps `list[-1]` a constant index.
      if (operand.kind === Kind.Literal && typeof operand.value === 'number') {
        return { kind: Kind.Literal, pos: token.pos, value: -operand.value };
      }
      return { kind: Kind.Negate, pos: token.pos, operand };
    }
    return this.postfix(this.primary());
  }

  private postfix(target: ExpressionNode): ExpressionNode {
    let node = target;
    for (;;) {
      const token = this.peek();
      if (token.type !== 'punct') return node;
      if (token.value === '.') {
        this.next();
        const key = this.peek();
        if (key.type === 'name') {
          this.next();
          node = { kind: Kind.Member, pos: key.pos, object: node, key: key.value as string };
        } else if (key.type === 'number') {
          fault(`use brackets for list positions, as in [${String(key.value)}]`, key.pos, 'a property name');
        } else {
          fault(`expected a property name after ".", found ${describeToken(key)}`, key.pos, 'a property name');
        }
      } else if (token.value === '[') {
        this.next();
        const index = this.expression();
        this.expect(']', 'to close the [ ] lookup');
        node =
          index.kind === Kind.Literal && typeof index.value === 'string'
            ? { kind: Kind.Member, pos: index.pos, object: node, key: index.value }
            : { kind: Kind.Index, pos: token.pos, object: node, index };
      } else if (token.value === '(') {
        fault('calls are only allowed for built-in functions like upper(x); values have no methods', token.pos);
      } else {
        return node;
      }
    }
  }

  private primary(): ExpressionNode {
    const token = this.next();
    switch (token.type) {
      case 'number':
      case 'string':
        return { kind: Kind.Literal, pos: token.pos, value: token.value };
      case 'variable':
        return { kind: Kind.Variable, pos: token.pos, name: token.value as string };
      case 'name':
        return this.name(token);
      case 'punct':
        if (token.value === '(') {
          const inner = this.expression();
          this.expect(')', 'to close the ( group');
          return inner;
        }
        if (token.value === '[') return this.list(token);
        if (token.value === '{') return this.object(token);
        break;
      case 'end':
        break;
    }
    fault(`expected a value, found ${describeToken(token)}`, token.pos, 'a value');
  }

  private name(token: Token): ExpressionNode {
    const name = token.value as string;
    if (name === 'true') return { kind: Kind.Literal, pos: token.pos, value: true };
    if (name === 'false') return { kind: Kind.Literal, pos: token.pos, value: false };
    if (name === 'null') return { kind: Kind.Literal, pos: token.pos, value: null };
    if (this.isPunct('(')) return this.call(token);
    const hint =
      NAME_HINTS.get(name) ??
      (KNOWN_VARIABLES.includes(name) ? `did you mean $${name}?` : 'variables start with $ such as $prev');
    fault(`unknown name ${name}; ${hint}`, token.pos);
  }

  private list(open: Token): ExpressionNode {
    const items: ExpressionNode[] = [];
    while (!this.isPunct(']')) {
      items.push(this.expression());
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expect(']', 'to close the list');
    return { kind: Kind.List, pos: open.pos, items };
  }

  private object(open: Token): ExpressionNode {
    const keys: string[] = [];
    const values: ExpressionNode[] = [];
    while (!this.isPunct('}')) {
      const key = this.next();
      if (key.type === 'name' || key.type === 'string') keys.push(key.value as string);
      else if (key.type === 'number') keys.push(String(key.value));
      else fault(`expected a key in the object, found ${describeToken(key)}`, key.pos, 'a key');
      this.expect(':', `after the key ${JSON.stringify(keys[keys.length - 1])}`);
      values.push(this.expression());
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expect('}', 'to close the object');
    return { kind: Kind.Object, pos: open.pos, keys, values };
  }

  private call(nameToken: Token): ExpressionNode {
    const name = nameToken.value as string;
    const fn = functionTable.get(name);
    if (fn === undefined) {
      const suggestion = closestName(name, [...functionTable.keys()]);
      fault(
        `unknown function ${name}${suggestion ? `; did you mean ${suggestion}?` : '; see docs/expressions.md for the built-in functions'}`,
        nameToken.pos,
      );
    }
    this.next();
    const positional: ExpressionNode[] = [];
    const named: Array<{ name: string; pos: number; value: ExpressionNode }> = [];
    while (!this.isPunct(')')) {
      const token = this.peek();
      if (token.type === 'name' && this.isPunct('=', 1)) {
        this.next();
        this.next();
        if (named.some((n) => n.name === token.value)) {
          fault(`${name}() got ${token.value as string} twice`, token.pos);
        }
        named.push({ name: token.value as string, pos: token.pos, value: this.expression() });
      } else {
        if (named.length) {
          fault(`in ${name}(), positional arguments must come before named ones such as ${named[0].name}=`, token.pos);
        }
        positional.push(this.expression());
      }
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expect(')', `after the arguments of ${name}`);
    return bindArguments(fn, nameToken.pos, positional, named);
  }
}

function bindArguments(
  fn: ExpressionFunction,
  pos: number,
  positional: ExpressionNode[],
  named: Array<{ name: string; pos: number; value: ExpressionNode }>,
): CallNode {
  const params = fn.params;
  const last = params[params.length - 1];
  const restIndex = last !== undefined && last.rest ? params.length - 1 : -1;
  const fixed = restIndex === -1 ? params.length : restIndex;
  const args: Array<ExpressionNode | null> = new Array<ExpressionNode | null>(params.length).fill(null);
  let rest: ExpressionNode[] | null = restIndex === -1 ? null : [];
  const free: { keys: string[]; values: ExpressionNode[] } | null = fn.anyNamed ? { keys: [], values: [] } : null;

  positional.forEach((node, i) => {
    if (i < fixed) args[i] = node;
    else if (rest !== null) rest.push(node);
    else {
      fault(
        `${fn.name}() takes ${fixed === 0 ? 'no arguments' : `at most ${fixed} argument${fixed === 1 ? '' : 's'}`}, got ${positional.length}: ${fn.signature}`,
        node.pos,
      );
    }
  });
  for (const arg of named) {
    const index = params.findIndex((p) => p.name === arg.name);
    if (index === -1) {
      if (free !== null) {
        free.keys.push(arg.name);
        free.values.push(arg.value);
        continue;
      }
      const suggestion = closestName(
        arg.name,
        params.map((p) => p.name),
      );
      fault(
        `${fn.name}() has no parameter ${arg.name}${suggestion ? `; did you mean ${suggestion}?` : ''} (${fn.signature})`,
        arg.pos,
      );
    }
    if (index === restIndex) {
      if (rest !== null && rest.length) fault(`${fn.name}() got ${arg.name} both by position and by name`, arg.pos);
      // Naming the rest parameter passes the whole list at once: min(values=$prev.prices).
      args[index] = arg.value;
      rest = null;
      continue;
    }
    if (args[index] !== null) fault(`${fn.name}() got ${arg.name} both by position and by name`, arg.pos);
    args[index] = arg.value;
  }
  for (let i = 0; i < fixed; i++) {
    if (params[i].required && args[i] === null) {
      fault(`${fn.name}() needs ${params[i].name}: ${fn.signature}`, pos, params[i].name);
    }
  }
  return { kind: Kind.Call, pos, fn, args, rest, named: free };
}

function describeToken(token: Token): string {
  switch (token.type) {
    case 'end':
      return token.value === '}}' ? '"}}"' : 'the end of the expression';
    case 'string':
      return `text ${JSON.stringify(token.value)}`;
    case 'number':
      return `number ${String(token.value)}`;
    default:
      return `"${String(token.value)}"`;
  }
}

function operatorHint(token: Token): string {
  if (token.type === 'name' && NAME_HINTS.has(token.value as string)) return ` (${NAME_HINTS.get(token.value as string)})`;
  if (token.type === 'punct' && token.value === '=') return ' (use == to compare)';
  return '';
}
