/**
 * Templates: text with `{{ expression }}` parts. A template that is exactly one expression keeps
 * the expression's type (a number stays a number); any other template becomes text.
 */
import type { ExpressionNode } from './ast.js';
import { BoundedCache } from './cache.js';
import { Fault } from './fault.js';
import { lex } from './lexer.js';
import { MAX_CACHED_TEMPLATE_LENGTH, MAX_EXPRESSION_LENGTH, TEMPLATE_CACHE_SIZE, formatCount } from './limits.js';
import { parseTokens } from './parser.js';

export type CompiledTemplate =
  | { kind: 'single'; node: ExpressionNode }
  | { kind: 'parts'; parts: Array<string | ExpressionNode> };

const templates = new BoundedCache<CompiledTemplate>(TEMPLATE_CACHE_SIZE);
const expressions = new BoundedCache<ExpressionNode>(TEMPLATE_CACHE_SIZE);

export function compileTemplate(text: string): CompiledTemplate {
  let compiled = templates.get(text);
  if (compiled === undefined) {
    compiled = compile(text);
    if (text.length <= MAX_CACHED_TEMPLATE_LENGTH) templates.set(text, compiled);
  }
  return compiled;
}

export function compileExpression(source: string): ExpressionNode {
  let node = expressions.get(source);
  if (node === undefined) {
    if (source.length > MAX_EXPRESSION_LENGTH) {
      throw new Fault(
        `the expression is longer than ${formatCount(MAX_EXPRESSION_LENGTH)} characters (the limit); it has ${formatCount(source.length)}`,
        0,
      );
    }
    node = parseTokens(lex(source, 0, false).tokens, false);
    if (source.length <= MAX_CACHED_TEMPLATE_LENGTH) expressions.set(source, node);
  }
  return node;
}

function compile(text: string): CompiledTemplate {
  const parts: Array<string | ExpressionNode> = [];
  let at = 0;
  let literal = '';
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open === -1) break;
    literal += text.slice(at, open);
    const { tokens, end } = lex(text, open + 2, true);
    const node = parseTokens(tokens, true);
    if (open === 0 && end === text.length && parts.length === 0 && literal === '') return { kind: 'single', node };
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(node);
    at = end;
  }
  literal += text.slice(at);
  if (literal !== '') parts.push(literal);
  return { kind: 'parts', parts };
}

/** Every syntax problem in the template, one per expression, without evaluating anything. */
export function templateSyntaxProblems(text: string): Array<{ column: number; message: string }> {
  const problems: Array<{ column: number; message: string }> = [];
  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open === -1) return problems;
    try {
      const { tokens, end } = lex(text, open + 2, true);
      parseTokens(tokens, true);
      at = end;
    } catch (error) {
      if (!(error instanceof Fault)) throw error;
      problems.push({ column: (error.pos ?? open) + 1, message: error.message });
      // After a broken expression, resume at the next plain "}}"; no closing means nothing more to check.
      const close = text.indexOf('}}', Math.max(open + 2, error.pos ?? open));
      if (close === -1) return problems;
      at = close + 2;
    }
  }
}
