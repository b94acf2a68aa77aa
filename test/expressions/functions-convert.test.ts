import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('conversion and logic functions', () => {
  it('json', () => {
    assert.equal(ev('json({a: [1, 2]})'), '{"a":[1,2]}');
    assert.equal(ev('json("x")'), '"x"');
    assert.equal(ev('json(null)'), 'null');
    assert.equal(ev('json({a: 1}, indent=2)'), '{\n  "a": 1\n}');
    assert.equal(ev('json(value=[1])'), '[1]');
    fails('json(1, indent=20)', /indent between 0 and 10/);
  });

  it('parse_json', () => {
    assert.deepEqual(ev('parse_json("{\\"a\\": [1, true, null]}")'), { a: [1, true, null] });
    assert.equal(ev('parse_json("3")'), 3);
    assert.equal(ev('parse_json(text="\\"s\\"")'), 's');
    assert.equal(ev('parse_json(json({x: 1})).x'), 1);
    fails('parse_json("{bad json}")', /parse_json\(\): cannot read the text as JSON/);
    fails('parse_json(5)', /expects text holding JSON, got number 5/);
  });

  it('string', () => {
    assert.equal(ev('string(42)'), '42');
    assert.equal(ev('string(null)'), '');
    assert.equal(ev('string(true)'), 'true');
    assert.equal(ev('string([1, "a"])'), '[1,"a"]');
    assert.equal(ev('string(value={a: 1})'), '{"a":1}');
  });

  it('number', () => {
    assert.equal(ev('number("3.5")'), 3.5);
    assert.equal(ev('number(" -2 ")'), -2);
    assert.equal(ev('number("1e3")'), 1000);
    assert.equal(ev('number(7)'), 7);
    assert.equal(ev('number(true)'), 1);
    assert.equal(ev('number(value="0")'), 0);
    fails('number("abc")', /number\(\): cannot turn text "abc" into a number/);
    fails('number("")', /cannot turn text "" into a number/);
    fails('number(null)', /cannot turn null into a number/);
    fails('number([1])', /cannot turn a list into a number/);
    fails('number("0x10")', /cannot turn/);
  });

  it('int truncates toward zero', () => {
    assert.equal(ev('int("7.9")'), 7);
    assert.equal(ev('int(-7.9)'), -7);
    assert.equal(ev('int(value="42")'), 42);
    assert.ok(Object.is(ev('int(-0.5)'), 0));
    fails('int("seven")', /int\(\): cannot turn text "seven" into a number/);
  });

  it('bool', () => {
    assert.equal(ev('bool("no")'), false);
    assert.equal(ev('bool("False")'), false);
    assert.equal(ev('bool("0")'), false);
    assert.equal(ev('bool("")'), false);
    assert.equal(ev('bool("yes")'), true);
    assert.equal(ev('bool(1)'), true);
    assert.equal(ev('bool(0)'), false);
    assert.equal(ev('bool([])'), false);
    assert.equal(ev('bool(value={a: 1})'), true);
    assert.equal(ev('bool(null)'), false);
  });

  it('typeof', () => {
    assert.equal(ev('typeof(null)'), 'null');
    assert.equal(ev('typeof($prev.missing)'), 'null');
    assert.equal(ev('typeof(true)'), 'boolean');
    assert.equal(ev('typeof(1.5)'), 'number');
    assert.equal(ev('typeof("a")'), 'string');
    assert.equal(ev('typeof([1])'), 'list');
    assert.equal(ev('typeof(value={})'), 'object');
  });

  it('empty and not_empty', () => {
    for (const v of ['null', '""', '[]', '{}', '$prev.missing']) {
      assert.equal(ev(`empty(${v})`), true, v);
      assert.equal(ev(`not_empty(${v})`), false, v);
    }
    for (const v of ['0', 'false', '" "', '[0]', '{a: null}']) {
      assert.equal(ev(`empty(value=${v})`), false, v);
      assert.equal(ev(`not_empty(value=${v})`), true, v);
    }
  });

  it('default', () => {
    assert.equal(ev('default(null, "n/a")'), 'n/a');
    assert.equal(ev('default("", "n/a")'), 'n/a');
    assert.equal(ev('default($prev.missing.deep, 5)'), 5);
    assert.equal(ev('default(0, 5)'), 0);
    assert.equal(ev('default(false, true)'), false);
    assert.equal(ev('default(value="x", fallback="y")'), 'x');
  });

  it('ternary', () => {
    assert.equal(ev('ternary(2 > 1, "yes", "no")'), 'yes');
    assert.equal(ev('ternary([], "yes", "no")'), 'no');
    assert.equal(ev('ternary(condition=true, if_true=1, if_false=2)'), 1);
  });
});
