import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SkynetteError } from '../../src/util/errors.js';
import { ExpressionError, evaluateExpression, resolveTemplate } from '../../src/expressions/index.js';
import { scope } from './helpers.js';

function catchError(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `not an ExpressionError: ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

describe('expression errors', () => {
  it('name the node, the field, the column and what was expected', () => {
    const error = catchError(() =>
      resolveTemplate('{{ round($prev.price, 2 }}', scope, { node: 'Check stock', field: 'condition' }),
    );
    assert.equal(
      error.message,
      'node "Check stock", field "condition", column 25: expected ")" after the arguments of round, found "}}"',
    );
    assert.equal(error.node, 'Check stock');
    assert.equal(error.field, 'condition');
    assert.equal(error.column, 25);
    assert.equal(error.expected, '")"');
    assert.equal(error.code, 'EXPRESSION_ERROR');
    assert.equal(error.path, 'condition');
    assert.equal(error.name, 'ExpressionError');
    assert.ok(error instanceof SkynetteError);
    assert.match(error.reason, /^expected "\)"/);
  });

  it('count columns in the whole template text', () => {
    const error = catchError(() => resolveTemplate('Total: {{ $prev.count }} and {{ $prev.name - 1 }}', scope));
    assert.equal(error.column, 44);
    assert.equal(error.message, 'column 44: cannot use "-" on string and number; "-" works on numbers only');
  });

  it('point run-time errors at the failing part', () => {
    assert.equal(catchError(() => evaluateExpression('1 + 2 / 0', {})).column, 7);
    assert.equal(catchError(() => evaluateExpression('upper(number("x"))', {})).column, 7);
    assert.equal(catchError(() => evaluateExpression('  nope', {})).column, 3);
    const fn = catchError(() => evaluateExpression('round(1, digits="2")', {}));
    assert.equal(fn.column, 1);
    assert.match(fn.message, /^column 1: round\(\): expects digits to be a number, got text "2"$/);
  });

  it('work without a where', () => {
    const error = catchError(() => evaluateExpression('1 +', {}));
    assert.equal(error.node, undefined);
    assert.equal(error.field, undefined);
    assert.match(error.message, /^column 4: expected a value, found the end of the expression$/);
  });

  it('name only the node when no field is given', () => {
    const error = catchError(() => evaluateExpression('x', {}, { node: 'Set' }));
    assert.match(error.message, /^node "Set", column 1: unknown name x/);
  });

  it('come from evaluateExpression and resolveTemplate alike for every kind of failure', () => {
    for (const source of ['1 +', '"a" * 2', 'parse_json("{")', 'range(0, 1e9)', '`x`', '$prev.x()']) {
      catchError(() => evaluateExpression(source, scope, { node: 'N', field: 'f' }));
      catchError(() => resolveTemplate(`{{ ${source} }}`, scope, { node: 'N', field: 'f' }));
    }
  });

  it('reject a non-text source', () => {
    catchError(() => evaluateExpression(5 as unknown as string, {}));
  });
});
