import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExpressionError,
  checkTemplateSyntax,
  evaluateExpression,
  expressionLimits,
  resolveTemplate,
} from '../../src/expressions/index.js';
import { ev, fails, templateFails } from './helpers.js';

describe('expression limits', () => {
  it('caps the length of an expression', () => {
    const long = '1' + '+1'.repeat(5_100);
    assert.ok(long.length > expressionLimits.maxExpressionLength);
    fails(long, /10,000 characters/);
    templateFails(`{{ ${long} }}`, /longer than 10,000 characters \(the limit\)/);
    templateFails(`{{ "${'x'.repeat(20_000)}" }}`, /longer than 10,000 characters/);
  });

  it('refuses a 1 MB expression quickly', () => {
    const huge = '1' + '+1'.repeat(500_000);
    const started = Date.now();
    fails(huge, /characters/);
    templateFails(`{{ ${huge} }}`, /longer than 10,000 characters/);
    assert.match(checkTemplateSyntax(`{{ ${huge} }}`)[0].message, /longer than 10,000/);
    assert.ok(Date.now() - started < 2_000);
  });

  it('evaluates long flat chains within the length limit', () => {
    const chain = '1' + '+1'.repeat(4_999);
    assert.equal(ev(chain), 5_000);
    assert.equal(ev('true' + ' && true'.repeat(1_000)), true);
  });

  it('caps nesting depth for parentheses, lists, objects, calls, brackets and unary operators', () => {
    assert.equal(ev('('.repeat(60) + '1' + ')'.repeat(60)), 1);
    fails('('.repeat(65) + '1' + ')'.repeat(65), /nests deeper than 64 levels/);
    fails('['.repeat(70) + ']'.repeat(70), /nests deeper than 64 levels/);
    fails('{a:'.repeat(70) + '1' + '}'.repeat(70), /nests deeper than 64 levels/);
    fails('abs('.repeat(70) + '1' + ')'.repeat(70), /nests deeper than 64 levels/);
    fails('$prev' + '[$prev'.repeat(70) + ']'.repeat(70), /nests deeper than 64 levels/);
    fails('!'.repeat(100) + 'true', /nests deeper than 64 levels/);
    fails('-'.repeat(100) + '1', /nests deeper than 64 levels/);
  });

  it('turns 10,000 levels of parentheses into an ExpressionError, not a RangeError', () => {
    const deep = '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    for (const run of [() => evaluateExpression(deep, {}), () => resolveTemplate(`{{ ${deep} }}`, {})]) {
      assert.throws(run, (error: unknown) => error instanceof ExpressionError && !(error instanceof RangeError));
    }
    const unclosed = '('.repeat(5_000);
    assert.throws(() => evaluateExpression(unclosed, {}), /nests deeper than 64 levels/);
    assert.ok(checkTemplateSyntax(`{{ ${unclosed} }}`).length === 1);
  });

  it('caps evaluation steps', () => {
    assert.equal(ev('sum(range(100000)) > 0'), true);
    const heavy = Array.from({ length: 6 }, () => 'sum(range(100000))').join(' + ');
    fails(heavy, /more than 1,000,000 evaluation steps \(the limit\)/);
  });

  it('resets the step budget for each evaluation', () => {
    for (let i = 0; i < 20; i++) assert.equal(ev('length(range(100000))'), 100_000);
  });

  it('caps range size', () => {
    assert.equal((ev('range(100000)') as number[]).length, 100_000);
    fails('range(100001)', /would produce 100,001 numbers; the limit is 100,000/);
    fails('range(0, 1e9)', /the limit is 100,000/);
    fails('range(0, 1, 0.000001)', /the limit is 100,000/);
  });

  it('caps list length', () => {
    fails('range(100000) + [1]', /the list would hold 100,001 items; the limit is 100,000/);
    const s = { $prev: { text: 'a,'.repeat(100_000) } };
    fails('split($prev.text, ",")', /100,001 items/, s);
  });

  it('caps object size', () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 100_001; i++) big[`k${i}`] = i;
    fails('$prev + {x: 1}', /the object would hold 100,002 keys; the limit is 100,000/, { $prev: big });
  });

  it('caps text size, in operators, functions and templates', () => {
    const s = { $prev: { big: 'x'.repeat(6 * 1024 * 1024) } };
    fails('$prev.big + $prev.big', /the text result would be 12,582,912 characters; the limit is 10,485,760/, s);
    fails('replace(json(range(100000)), ",", json(range(100000)))', /text result would be/);
    fails('join([$prev.big, $prev.big])', /text result would be/, s);
    fails('format("{0}{0}", $prev.big)', /text result would be/, s);
    fails('regex_replace("aaaa", "a", $prev.big)', /text result would be/, s);
    templateFails('{{ $prev.big }}{{ $prev.big }}', /text result would be/, s);
    assert.equal((resolveTemplate('{{ $prev.big }}!', s) as string).length, 6 * 1024 * 1024 + 1);
  });
});
