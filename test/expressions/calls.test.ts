import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateExpression, expressionFunctionDocs } from '../../src/expressions/index.js';
import { ev, fails } from './helpers.js';

/** Parameter names as written in a signature, without defaults or markers. */
function parameterNames(signature: string): string[] {
  const inner = signature.slice(signature.indexOf('(') + 1, -1);
  return inner
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith('**'))
    .map((p) => p.replace(/^\.\.\./, '').replace(/=.*$/, ''));
}

describe('function calls', () => {
  it('compose', () => {
    assert.equal(ev('length(split($prev.csv, ",")) > 2'), true);
    assert.equal(ev('upper(join(reverse(split("a,b,c", ",")), "-"))'), 'C-B-A');
    assert.equal(ev('round(avg(values($prev.user) == [] ? [0] : [1, 2]), digits=1)'), 1.5);
    assert.equal(ev('sum(range(1, 11)) / length(range(1, 11))'), 5.5);
    assert.equal(ev('first(sort($prev.orders, key="total", descending=true)).id'), 'b');
    assert.equal(ev('format("{} items", length($prev.items)) + "!"'), '3 items!');
  });

  it('accept every parameter of every function by name', () => {
    for (const doc of expressionFunctionDocs) {
      for (const name of parameterNames(doc.signature)) {
        let error: unknown;
        try {
          evaluateExpression(`${doc.name}(${name}=null)`, {});
        } catch (e) {
          error = e;
        }
        if (error instanceof Error) {
          assert.doesNotMatch(error.message, /has no parameter|positional arguments/, `${doc.name}(${name}=...)`);
        }
      }
    }
  });

  it('mix positional and named arguments', () => {
    assert.equal(ev('round(3.14159, digits=3)'), 3.142);
    assert.equal(ev('round(digits=1, value=2.25)'), 2.3);
    assert.equal(ev('format_date("2024-01-01T00:00:00Z", timezone="Asia/Tokyo")'), '2024-01-01 09:00:00');
    assert.deepEqual(ev('split("a b", separator=" ",)'), ev('split("a b", " ")'));
  });

  it('report argument mistakes', () => {
    fails('round()', /round\(\) needs value: round\(value, digits=0\)/);
    fails('round(1, 2, 3)', /round\(\) takes at most 2 arguments, got 3/);
    fails('upper("a", "b")', /upper\(\) takes at most 1 argument, got 2/);
    fails('round(1, digts=2)', /round\(\) has no parameter digts; did you mean digits\?/);
    fails('round(1, digits=2, digits=3)', /round\(\) got digits twice/);
    fails('round(1, value=2)', /round\(\) got value both by position and by name/);
    fails('round(digits=2, 1)', /positional arguments must come before named ones/);
    fails('min(1, values=[2])', /min\(\) got values both by position and by name/);
  });

  it('report unknown functions with the closest name', () => {
    fails('uper("x")', /unknown function uper; did you mean upper\?/);
    fails('lenght([1])', /unknown function lenght; did you mean length\?/);
    fails('regex_tset("a", "a")', /did you mean regex_test\?/);
    fails('frobnicate(1)', /unknown function frobnicate; see docs\/expressions.md/);
  });

  it('allow no method calls on values', () => {
    fails('$prev.name.toUpperCase()', /calls are only allowed for built-in functions like upper\(x\)/);
    fails('"abc".length()', /calls are only allowed for built-in functions/);
    fails('$prev.items[0]()', /calls are only allowed for built-in functions/);
    fails('(upper)("a")', /unknown name upper/);
    fails('upper("a")("b")', /calls are only allowed for built-in functions/);
  });
});
