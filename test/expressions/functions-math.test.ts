import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('math functions', () => {
  it('abs, floor, ceil', () => {
    assert.equal(ev('abs(-4.5)'), 4.5);
    assert.equal(ev('abs(value=3)'), 3);
    assert.equal(ev('floor(2.7)'), 2);
    assert.equal(ev('floor(-2.1)'), -3);
    assert.equal(ev('ceil(2.1)'), 3);
    assert.equal(ev('ceil(value=-2.9)'), -2);
    assert.ok(Object.is(ev('ceil(-0.5)'), 0));
    fails('abs("3")', /abs\(\): expects value to be a number, got text "3"/);
  });

  it('round, with digits by position or by name', () => {
    assert.equal(ev('round(2.5)'), 3);
    assert.equal(ev('round(-2.5)'), -3);
    assert.equal(ev('round(3.14159, 2)'), 3.14);
    assert.equal(ev('round(3.14159, digits=2)'), 3.14);
    assert.equal(ev('round(value=1.005, digits=2)'), 1.01);
    assert.equal(ev('round(1234, digits=-2)'), 1200);
    assert.ok(Object.is(ev('round(-0.2)'), 0));
    assert.equal(ev('round(1e300, digits=15)'), 1e300);
    assert.equal(ev('round(123456789012345.67, 2)'), 123456789012345.67);
    fails('round(1, digits=1.5)', /expects digits to be a whole number/);
    fails('round(1, digits=99)', /between -15 and 15/);
  });

  it('min and max take values or one list', () => {
    assert.equal(ev('min(4, 2, 8)'), 2);
    assert.equal(ev('max(4, 2, 8)'), 8);
    assert.equal(ev('min([4, 2, 8])'), 2);
    assert.equal(ev('max($prev.items)'), 30);
    assert.equal(ev('max(values=[1, 5])'), 5);
    assert.equal(ev('min("b", "a")'), 'a');
    assert.equal(ev('min([])'), null);
    assert.equal(ev('max()'), null);
    fails('min(1, "a")', /all numbers or all text/);
    fails('max([true])', /expects numbers or text/);
  });

  it('sum and avg', () => {
    assert.equal(ev('sum([1, 2, 3.5])'), 6.5);
    assert.equal(ev('sum(1, 2)'), 3);
    assert.equal(ev('sum([])'), 0);
    assert.equal(ev('avg([1, 2, 3, 4])'), 2.5);
    assert.equal(ev('avg(values=$prev.items)'), 20);
    assert.equal(ev('avg([])'), null);
    fails('sum([1, "2"])', /sum\(\): expects numbers, got text "2" at position 1/);
    fails('avg(["x"])', /expects numbers/);
  });

  it('range', () => {
    assert.deepEqual(ev('range(4)'), [0, 1, 2, 3]);
    assert.deepEqual(ev('range(2, 5)'), [2, 3, 4]);
    assert.deepEqual(ev('range(0, 10, 3)'), [0, 3, 6, 9]);
    assert.deepEqual(ev('range(5, 0, -2)'), [5, 3, 1]);
    assert.deepEqual(ev('range(start=1, stop=3)'), [1, 2]);
    assert.deepEqual(ev('range(3, 1)'), []);
    fails('range(0, 5, 0)', /step to be non-zero/);
    fails('range(0, 1e9)', /range\(\): would produce 1,000,000,000 numbers; the limit is 100,000/);
  });
});
