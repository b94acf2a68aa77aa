/**
 * The `{{ }}` expression language: public entry points. Everything here is synchronous, reads
 * only the data handed in, and turns every failure into an ExpressionError.
 */
import { ExpressionError, toExpressionError, type ExpressionWhere } from './errors.js';
import { evaluateNode } from './evaluate.js';
import { functionList } from './functions/registry.js';
import { resolveDeepWith } from './resolve-deep.js';
import { compileExpression, compileTemplate, templateSyntaxProblems } from './template.js';
import { checkText, toResult, toText } from './values.js';

export { ExpressionError } from './errors.js';
export type { ExpressionWhere } from './errors.js';

/** Names such as $trigger, $vars, $nodes, $node, $prev, $item, $index, $workflow, $execution, $env. */
export type ExpressionScope = Record<string, unknown>;

export function hasExpression(text: string): boolean {
  return typeof text === 'string' && text.includes('{{');
}

/**
 * Resolves a template. Exactly one expression ("{{ $prev.count }}") gives its typed value; any
 * other text gives text with each expression substituted.
 */
export function resolveTemplate(text: string, scope: ExpressionScope, where?: ExpressionWhere): unknown {
  if (typeof text !== 'string' || !text.includes('{{')) return text;
  try {
    const compiled = compileTemplate(text);
    if (compiled.kind === 'single') return toResult(evaluateNode(compiled.node, scope));
    let out = '';
    for (const part of compiled.parts) {
      out += typeof part === 'string' ? part : toText(evaluateNode(part, scope));
      checkText(out);
    }
    return out;
  } catch (error) {
    throw toExpressionError(error, where);
  }
}

/** Resolves every string holding `{{` inside objects and lists; the input is never mutated. */
export function resolveDeep(value: unknown, scope: ExpressionScope, where?: ExpressionWhere): unknown {
  return resolveDeepWith(value, where, (text, at) => resolveTemplate(text, scope, at));
}

/** Evaluates a bare expression, without braces, such as a condition field. */
export function evaluateExpression(source: string, scope: ExpressionScope, where?: ExpressionWhere): unknown {
  try {
    if (typeof source !== 'string') throw new ExpressionError(`expected expression text, got ${typeof source}`, where);
    // `{{` can never start a valid bare expression, so a braced one is read as the template it is.
    if (source.trimStart().startsWith('{{')) return resolveTemplate(source.trim(), scope, where);
    return toResult(evaluateNode(compileExpression(source), scope));
  } catch (error) {
    throw toExpressionError(error, where);
  }
}

/** Syntax errors in a template, for `skynette validate`; nothing is evaluated. */
export function checkTemplateSyntax(text: string): Array<{ column: number; message: string }> {
  if (typeof text !== 'string' || !text.includes('{{')) return [];
  return templateSyntaxProblems(text);
}

export const expressionFunctionDocs: Array<{ name: string; signature: string; description: string; example: string }> =
  functionList.map((fn) => ({
    name: fn.name,
    signature: fn.signature,
    description: fn.description,
    example: fn.example,
  }));

export { expressionLimits } from './limits.js';
