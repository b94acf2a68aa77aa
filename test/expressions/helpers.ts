import assert from 'node:assert/strict';
import { ExpressionError, evaluateExpression, resolveTemplate, type ExpressionScope } from '../../src/expressions/index.js';

export const scope: ExpressionScope = {
  $prev: {
    count: 7,
    price: 12.5,
    name: 'Widget',
    user: { name: 'Ann', email: 'ann@example.com', 'full name': 'Ann Lee' },
    items: [10, 20, 30],
    orders: [
      { id: 'a', total: 5 },
      { id: 'b', total: 15 },
    ],
    csv: 'a,b,c',
    empty_list: [],
    nothing: null,
    flag: true,
    zero: 0,
    text: '',
  },
  $vars: { mode: 'fast', limit: 3 },
  $trigger: { body: { id: 42 } },
  $node: { 'My Node': { x: 5 }, http_1: { body: { ok: true } } },
  $nodes: { http_1: { body: { status: 200 } } },
  $item: { sku: 'X-1' },
  $index: 2,
  $workflow: { id: 'wf_1', name: 'Orders' },
  $execution: { id: 'exec_1', mode: 'manual' },
  $env: { REGION: 'eu' },
};

export function ev(source: string, s: ExpressionScope = scope): unknown {
  return evaluateExpression(source, s);
}

export function tpl(text: string, s: ExpressionScope = scope): unknown {
  return resolveTemplate(text, s);
}

/** Asserts that evaluating fails with an ExpressionError whose message matches. */
export function fails(source: string, message: RegExp, s: ExpressionScope = scope): ExpressionError {
  let caught: unknown;
  try {
    evaluateExpression(source, s);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ExpressionError, `expected an ExpressionError for ${source}, got ${String(caught)}`);
  assert.match(caught.message, message);
  assert.equal(caught.code, 'EXPRESSION_ERROR');
  return caught;
}

export function templateFails(text: string, message: RegExp, s: ExpressionScope = scope): ExpressionError {
  let caught: unknown;
  try {
    resolveTemplate(text, s);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ExpressionError, `expected an ExpressionError for ${text}, got ${String(caught)}`);
  assert.match(caught.message, message);
  return caught;
}
