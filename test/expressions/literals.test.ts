import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('expression literals', () => {
  it('reads integers, decimals and exponents', () => {
    assert.equal(ev('42'), 42);
    assert.equal(ev('0'), 0);
    assert.equal(ev('3.25'), 3.25);
    assert.equal(ev('1e3'), 1000);
    assert.equal(ev('2.5E-2'), 0.025);
    assert.equal(ev('1e+2'), 100);
    assert.equal(ev('-7'), -7);
  });

  it('reads text in single and double quotes', () => {
    assert.equal(ev('"hello"'), 'hello');
    assert.equal(ev("'hello'"), 'hello');
    assert.equal(ev('"it\'s"'), "it's");
    assert.equal(ev("'say \"hi\"'"), 'say "hi"');
    assert.equal(ev('""'), '');
  });

  it('reads escapes', () => {
    assert.equal(ev('"a\\nb"'), 'a\nb');
    assert.equal(ev('"a\\tb"'), 'a\tb');
    assert.equal(ev('"a\\\\b"'), 'a\\b');
    assert.equal(ev("'a\\'b'"), "a'b");
    assert.equal(ev('"a\\"b"'), 'a"b');
    assert.equal(ev('"\\u00e9"'), 'é');
    assert.equal(ev('"\\u{1F600}"'), '😀');
    assert.equal(ev('"\\r\\/"'), '\r/');
  });

  it('reads true, false and null', () => {
    assert.equal(ev('true'), true);
    assert.equal(ev('false'), false);
    assert.equal(ev('null'), null);
  });

  it('reads lists, including nested and trailing commas', () => {
    assert.deepEqual(ev('[1, 2]'), [1, 2]);
    assert.deepEqual(ev('[]'), []);
    assert.deepEqual(ev('[1, "a", [true, null],]'), [1, 'a', [true, null]]);
    assert.deepEqual(ev('[$vars.limit, 1 + 1]'), [3, 2]);
  });

  it('reads objects with name, text and number keys', () => {
    assert.deepEqual(ev('{a: 1, "b c": 2}'), { a: 1, 'b c': 2 });
    assert.deepEqual(ev('{}'), {});
    assert.deepEqual(ev("{'x': [1], 2: {y: null},}"), { x: [1], '2': { y: null } });
    assert.deepEqual(ev('{a: 1, a: 2}'), { a: 2 });
    assert.deepEqual(ev('{mode: $vars.mode}'), { mode: 'fast' });
  });

  it('creates fresh lists and objects on every evaluation', () => {
    const first = ev('{a: [1]}') as { a: number[] };
    first.a.push(2);
    assert.deepEqual(ev('{a: [1]}'), { a: [1] });
  });

  it('rejects malformed literals with clear errors', () => {
    fails('"abc', /no closing "/);
    fails("'abc", /no closing '/);
    fails('"\\q"', /unknown escape "\\q"/);
    fails('"\\u12"', /four hex digits/);
    fails('1e', /exponent needs digits/);
    fails('12abc', /right after the number 12/);
    fails('[1, 2', /expected "]" to close the list/);
    fails('{a 1}', /expected ":" after the key "a"/);
    fails('{a: 1', /expected "}" to close the object/);
    fails('{[1]: 2}', /expected a key in the object/);
    fails('1 # 2', /unexpected character "#"/);
    fails('a & b', /did you mean "&&"/);
    fails('1; 2', /statements separated by ";"/);
    fails('$', /variable name must follow "\$"/);
  });
});
