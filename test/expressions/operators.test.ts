import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('expression operators', () => {
  it('does arithmetic', () => {
    assert.equal(ev('1 + 2'), 3);
    assert.equal(ev('5 - 7'), -2);
    assert.equal(ev('6 * 7'), 42);
    assert.equal(ev('7 / 2'), 3.5);
    assert.equal(ev('7 % 3'), 1);
    assert.equal(ev('-7 % 3'), -1);
    assert.equal(ev('-$prev.count'), -7);
    assert.equal(ev('- -3'), 3);
  });

  it('follows the usual precedence and parentheses', () => {
    assert.equal(ev('1 + 2 * 3'), 7);
    assert.equal(ev('(1 + 2) * 3'), 9);
    assert.equal(ev('10 - 4 - 3'), 3);
    assert.equal(ev('100 / 10 / 5'), 2);
    assert.equal(ev('2 * 3 % 4'), 2);
    assert.equal(ev('1 + 2 < 4'), true);
    assert.equal(ev('1 < 2 == true'), true);
    assert.equal(ev('true || false && false'), true);
    assert.equal(ev('(true || false) && false'), false);
    assert.equal(ev('!true == false'), true);
    assert.equal(ev('-2 * -3'), 6);
    assert.equal(ev('null ?? 1 + 1'), 2);
    assert.equal(ev('false || null ?? "x"'), 'x');
    assert.equal(ev('1 > 2 ? "a" : 2 > 1 ? "b" : "c"'), 'b');
    assert.equal(ev('true ? 1 : 2 + 10'), 1);
    assert.equal(ev('$prev.count * 2 + 1 > 10 && $vars.mode == "fast"'), true);
  });

  it('evaluates long runs of one operator left to right', () => {
    assert.equal(ev('100' + ' - 1'.repeat(40)), 60);
    assert.equal(ev('2' + ' * 2'.repeat(30) + ' / 4'), 2 ** 31 / 4);
    assert.equal(ev('1' + ' + 1'.repeat(20) + ' * 3'), 23);
    assert.equal(ev('"a"' + ' + "b"'.repeat(20)), 'a' + 'b'.repeat(20));
    assert.equal(ev('false' + ' && 1 / 0'.repeat(20)), false);
    assert.equal(ev('null' + ' ?? null'.repeat(20) + ' ?? 5'), 5);
    assert.equal(ev('0' + ' || 0'.repeat(20) + ' || "last"'), 'last');
    assert.equal(ev('1 == 1' + ' == true'.repeat(20)), true);
  });

  it('compares numbers and text', () => {
    assert.equal(ev('1 < 2'), true);
    assert.equal(ev('2 <= 2'), true);
    assert.equal(ev('3 > 2'), true);
    assert.equal(ev('2 >= 3'), false);
    assert.equal(ev('"apple" < "banana"'), true);
    assert.equal(ev('"b" >= "a"'), true);
  });

  it('compares by value, deeply for lists and objects, without type coercion', () => {
    assert.equal(ev('1 == 1'), true);
    assert.equal(ev('1 == "1"'), false);
    assert.equal(ev('1 != "1"'), true);
    assert.equal(ev('"a" == "a"'), true);
    assert.equal(ev('null == null'), true);
    assert.equal(ev('$prev.missing == null'), true);
    assert.equal(ev('0 == false'), false);
    assert.equal(ev('[1, [2]] == [1, [2]]'), true);
    assert.equal(ev('[1, 2] == [2, 1]'), false);
    assert.equal(ev('{a: 1, b: [2]} == {b: [2], a: 1}'), true);
    assert.equal(ev('{a: 1} != {a: 2}'), true);
    assert.equal(ev('$prev.items == [10, 20, 30]'), true);
    assert.equal(ev('[] == {}'), false);
  });

  it('returns operands from && and || like JavaScript, with Python-like truthiness', () => {
    assert.equal(ev('"a" && "b"'), 'b');
    assert.equal(ev('0 && "b"'), 0);
    assert.equal(ev('"" || "fallback"'), 'fallback');
    assert.equal(ev('$prev.name || "none"'), 'Widget');
    assert.equal(ev('[] || "empty list is falsy"'), 'empty list is falsy');
    assert.equal(ev('{} || "empty object is falsy"'), 'empty object is falsy');
    assert.deepEqual(ev('[0] || 1'), [0]);
    assert.equal(ev('!0'), true);
    assert.equal(ev('!"x"'), false);
    assert.equal(ev('!$prev.empty_list'), true);
    assert.equal(ev('!!$prev.items'), true);
  });

  it('short-circuits: the other side is not evaluated', () => {
    assert.equal(ev('false && 1 / 0'), false);
    assert.equal(ev('true || 1 / 0'), true);
    assert.equal(ev('1 ?? 1 / 0'), 1);
    assert.equal(ev('true ? 1 : 1 / 0'), 1);
  });

  it('?? replaces only null', () => {
    assert.equal(ev('$prev.missing ?? "d"'), 'd');
    assert.equal(ev('$prev.zero ?? 5'), 0);
    assert.equal(ev('$prev.text ?? "d"'), '');
    assert.equal(ev('false ?? true'), false);
  });

  it('+ joins text when either side is text, with null as ""', () => {
    assert.equal(ev('"a" + "b"'), 'ab');
    assert.equal(ev('"n=" + 5'), 'n=5');
    assert.equal(ev('5 + "px"'), '5px');
    assert.equal(ev('"v: " + null'), 'v: ');
    assert.equal(ev('"b: " + true'), 'b: true');
    assert.equal(ev('"l: " + [1, 2]'), 'l: [1,2]');
    assert.equal(ev('"o: " + {a: 1}'), 'o: {"a":1}');
  });

  it('+ joins lists and merges objects', () => {
    assert.deepEqual(ev('[1] + [2, 3]'), [1, 2, 3]);
    assert.deepEqual(ev('{a: 1, b: 1} + {b: 2}'), { a: 1, b: 2 });
  });

  it('refuses arithmetic on non-numbers, naming the operator and the types', () => {
    fails('1 + null', /cannot use "\+" on number and null/);
    fails('true + 1', /cannot use "\+" on boolean and number/);
    fails('[1] + 1', /cannot use "\+" on list and number/);
    fails('"a" - 1', /cannot use "-" on string and number; "-" works on numbers only/);
    fails('"3" * 2', /cannot use "\*" on string and number/);
    fails('{} / 2', /cannot use "\/" on object and number/);
    fails('null % 2', /cannot use "%" on null and number/);
    fails('-"3"', /cannot negate text "3"/);
    fails('1 < "2"', /cannot compare number with string using "<"/);
    fails('$prev.missing > 5', /cannot compare null with number using ">"/);
    fails('[1] <= [2]', /cannot compare list with list/);
  });

  it('refuses division by zero', () => {
    fails('1 / 0', /division by zero/);
    fails('5 % 0', /division by zero/);
    fails('$prev.count / $prev.zero', /division by zero/);
  });

  it('refuses results that are not finite numbers', () => {
    fails('1e308 * 10', /too large to be a number/);
    fails('1e308 + 1e308', /too large/);
  });

  it('rejects = and unfinished operators', () => {
    fails('$prev.count = 7', /use == to compare/);
    fails('1 +', /expected a value, found the end of the expression/);
    fails('1 ? 2', /expected ":"/);
    fails('(1 + 2', /expected "\)" to close the \( group/);
    fails('1 2', /expected the end of the expression, found number 2/);
    fails('a and b', /unknown name a/);
    fails('true and false', /use && instead of and/);
  });
});
