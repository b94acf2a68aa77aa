import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('list functions', () => {
  it('length', () => {
    assert.equal(ev('length([1, 2, 3])'), 3);
    assert.equal(ev('length("héllo")'), 5);
    assert.equal(ev('length({a: 1, b: 2})'), 2);
    assert.equal(ev('length(null)'), 0);
    assert.equal(ev('length(value=$prev.items)'), 3);
    fails('length(5)', /length\(\): expects a list, text or object, got number 5/);
  });

  it('first and last', () => {
    assert.equal(ev('first([4, 5, 6])'), 4);
    assert.equal(ev('last([4, 5, 6])'), 6);
    assert.equal(ev('first("abc")'), 'a');
    assert.equal(ev('last(value="abc")'), 'c');
    assert.equal(ev('first([])'), null);
    assert.equal(ev('last(null)'), null);
    fails('first({})', /first\(\): expects value to be a list or text, got an object/);
  });

  it('reverse', () => {
    assert.deepEqual(ev('reverse([1, 2, 3])'), [1, 2, 3].reverse());
    assert.equal(ev('reverse("abc")'), 'cba');
    assert.equal(ev('reverse("a😀b")'), 'b😀a');
    assert.deepEqual(ev('reverse(value=$prev.items)'), [30, 20, 10]);
    assert.deepEqual((ev('$prev.items') as number[]).slice(), [10, 20, 30]);
  });

  it('sort', () => {
    assert.deepEqual(ev('sort([3, 1, 2])'), [1, 2, 3]);
    assert.deepEqual(ev('sort([10, 9, 100])'), [9, 10, 100]);
    assert.deepEqual(ev('sort(["b", "a", "C"])'), ['C', 'a', 'b']);
    assert.deepEqual(ev('sort([3, 1, 2], descending=true)'), [3, 2, 1]);
    assert.deepEqual(ev('sort([null, "a", 1, true])'), [1, 'a', true, null]);
    assert.deepEqual(ev('sort($prev.orders, key="total", descending=true)'), [
      { id: 'b', total: 15 },
      { id: 'a', total: 5 },
    ]);
    assert.deepEqual(ev('sort([{u: {n: 2}}, {u: {n: 1}}], key="u.n")'), [{ u: { n: 1 } }, { u: { n: 2 } }]);
    assert.deepEqual(ev('sort(list=[2, 1])'), [1, 2]);
    assert.equal(ev('first(sort(range(100000), descending=true))'), 99_999);
    fails('sort("abc")', /sort\(\): expects a list, got text "abc"/);
  });

  it('unique', () => {
    assert.deepEqual(ev('unique([1, 2, 1, 3, 2])'), [1, 2, 3]);
    assert.deepEqual(ev('unique([1, "1", 1])'), [1, '1']);
    assert.deepEqual(ev('unique([{a: 1, b: 2}, {b: 2, a: 1}, [1], [1]])'), [{ a: 1, b: 2 }, [1]]);
    assert.deepEqual(ev('unique(list=[true, true])'), [true]);
  });

  it('keys and values', () => {
    assert.deepEqual(ev('keys({a: 1, b: 2})'), ['a', 'b']);
    assert.deepEqual(ev('values({a: 1, b: 2})'), [1, 2]);
    assert.deepEqual(ev('keys(object=$trigger.body)'), ['id']);
    assert.deepEqual(ev('values(null)'), []);
    fails('keys([1])', /keys\(\): expects an object, got a list/);
  });

  it('slice', () => {
    assert.deepEqual(ev('slice([1, 2, 3, 4], 1, -1)'), [2, 3]);
    assert.deepEqual(ev('slice([1, 2, 3, 4], 2)'), [3, 4]);
    assert.deepEqual(ev('slice([1, 2, 3, 4], -2)'), [3, 4]);
    assert.equal(ev('slice("skynette", 0, 3)'), 'sky');
    assert.equal(ev('slice(value="skynette", start=3)'), 'nette');
    assert.equal(ev('slice("abc", end=2)'), 'ab');
    assert.equal(ev('slice(null, 1)'), null);
    fails('slice([1], 0.5)', /expects start to be a whole number/);
  });

  it('contains', () => {
    assert.equal(ev('contains("skynette", "net")'), true);
    assert.equal(ev('contains(["a", "b"], "b")'), true);
    assert.equal(ev('contains([[1], {a: 1}], {a: 1})'), true);
    assert.equal(ev('contains([1, 2], "1")'), false);
    assert.equal(ev('contains({a: 1}, "a")'), true);
    assert.equal(ev('contains({a: 1}, "constructor")'), false);
    assert.equal(ev('contains(null, "x")'), false);
    assert.equal(ev('contains(value=$prev.items, item=20)'), true);
    fails('contains(5, 5)', /expects value to be text, a list or an object/);
  });
});
