import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, evaluateExpression, resolveDeep, resolveTemplate } from '../../src/expressions/index.js';
import { scope } from './helpers.js';

/** Each hostile input must give null or an ExpressionError: never a function, never a host object. */
function harmless(text: string, s = scope): void {
  let result: unknown;
  try {
    result = resolveTemplate(text, s);
  } catch (error) {
    assert.ok(error instanceof ExpressionError, `${text} threw ${String(error)}`);
    return;
  }
  assertPlainData(result, text);
}

function assertPlainData(value: unknown, label: string): void {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return;
  assert.equal(typeof value, 'object', `${label} gave a ${typeof value}`);
  if (Array.isArray(value)) {
    value.forEach((v) => assertPlainData(v, label));
    return;
  }
  const proto = Object.getPrototypeOf(value);
  assert.ok(proto === Object.prototype || proto === null, `${label} gave a non-plain object`);
  for (const v of Object.values(value as object)) assertPlainData(v, label);
}

function assertNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
}

describe('hostile expressions', () => {
  it('cannot call methods or reach Function through constructor chains', () => {
    const attacks = [
      "{{ $prev.constructor.constructor('return process')() }}",
      "{{ $prev.constructor.constructor('return process') }}",
      '{{ $prev["constructor"]["constructor"] }}',
      '{{ $prev["constructor"]["constructor"]("return this")() }}',
      '{{ $prev.toString.constructor }}',
      '{{ $prev.valueOf }}',
      '{{ $prev.hasOwnProperty }}',
      '{{ [].constructor }}',
      '{{ [].constructor.constructor }}',
      '{{ "".constructor }}',
      '{{ "".constructor.constructor("return process")() }}',
      '{{ (1).constructor }}',
      '{{ $prev.items.constructor }}',
      '{{ $prev.items.map }}',
      '{{ $prev.name.toUpperCase }}',
      '{{ $prev.name.constructor.fromCharCode }}',
    ];
    for (const attack of attacks) harmless(attack);
    assert.equal(resolveTemplate('{{ $prev["constructor"]["constructor"] }}', scope), null);
    assert.equal(resolveTemplate('{{ $prev.toString.constructor }}', scope), null);
    assert.equal(resolveTemplate('{{ $prev.valueOf }}', scope), null);
    assert.equal(resolveTemplate('{{ [].constructor }}', scope), null);
    assert.equal(resolveTemplate('{{ "".constructor }}', scope), null);
    assert.throws(() => resolveTemplate("{{ $prev.constructor.constructor('return process')() }}", scope), /calls are only allowed for built-in functions/);
  });

  it('reads constructor, __proto__ and prototype as null through every path form', () => {
    const s = { $prev: { items: [1], name: 'x', user: { a: 1 }, fn: { prototype: { x: 1 }, constructor: 'own' } } };
    const paths = [
      '$prev.__proto__',
      '$prev.__proto__.polluted',
      '$prev["__proto__"]',
      '$prev["__pro" + "to__"]',
      '$prev["__pro" + "to__"].polluted',
      '$prev["con" + "structor"]',
      '$prev[lower("CONSTRUCTOR")]',
      '$prev.items.__proto__',
      '$prev.items["constructor"]',
      '$prev.items.first.constructor',
      '$prev.items.last.__proto__',
      '$prev.name.constructor',
      '$prev.name["__proto__"]',
      '$prev.user.keys.constructor',
      '$prev.user.values.__proto__',
      '$prev.fn.prototype',
      '$prev.fn.constructor',
      '$prev.fn["prototype"].x',
      '$prev.user.length.constructor',
      '{a: 1}.constructor',
      '{a: 1}["__proto__"]',
      '[1, 2].__proto__',
      'keys($prev).constructor',
      'parse_json("{}").constructor',
      'regex_match("a", "(?<n>a)").named.constructor',
      '$__proto__',
      '$constructor',
    ];
    for (const path of paths) {
      assert.equal(evaluateExpression(path, s), null, path);
    }
  });

  it('rejects template literals and backticks', () => {
    for (const attack of ['{{ `${process}` }}', '{{ `x` }}', '{{ "a" + `b` }}', '{{ upper(`x`) }}']) {
      assert.throws(() => resolveTemplate(attack, scope), (e: unknown) => e instanceof ExpressionError && /backticks/.test(e.message));
    }
  });

  it('has no names that resolve to host values', () => {
    const names = ['caller', 'arguments', 'this', 'globalThis', 'process', 'require', 'import', 'Function', 'eval', 'window', 'global', 'module', 'undefined', 'NaN', 'Infinity'];
    for (const name of names) {
      assert.throws(
        () => resolveTemplate(`{{ ${name} }}`, scope),
        (e: unknown) => e instanceof ExpressionError && /unknown name/.test(e.message),
        name,
      );
    }
    for (const attack of [
      '{{ (function(){ return this })() }}',
      '{{ arguments.callee.caller }}',
      '{{ this.constructor }}',
      '{{ globalThis.process }}',
      '{{ process.env }}',
      '{{ require("fs") }}',
      '{{ import("fs") }}',
      '{{ eval("1") }}',
      '{{ Function("return 1")() }}',
      '{{ new Function("x") }}',
      '{{ x => x }}',
      '{{ $prev.items.map(x => x) }}',
      '{{ $prev = 1 }}',
      '{{ delete $prev.a }}',
      '{{ $prev; process }}',
    ]) {
      harmless(attack);
      assert.throws(() => resolveTemplate(attack, scope), ExpressionError, attack);
    }
  });

  it('resolves only built-in functions from a table without a prototype', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', '__defineGetter__', 'isPrototypeOf']) {
      assert.throws(() => evaluateExpression(`${name}(1)`, {}), /unknown function/, name);
    }
  });

  it('does not resolve scope names through the prototype', () => {
    assert.equal(evaluateExpression('$toString', {}), null);
    const s = Object.create({ $inherited: 'secret' }) as Record<string, unknown>;
    assert.equal(evaluateExpression('$inherited', s), null);
    const proto = { inherited: 'secret' };
    const child = Object.create(proto) as Record<string, unknown>;
    assert.equal(evaluateExpression('$prev.inherited', { $prev: child }), null);
  });

  it('creates objects without polluting Object.prototype', () => {
    const attacks = [
      '{{ {__proto__: {polluted: "yes"}} }}',
      '{{ {"__proto__": {"polluted": "yes"}} }}',
      '{{ {constructor: {prototype: {polluted: "yes"}}} }}',
      '{{ parse_json("{\\"__proto__\\": {\\"polluted\\": \\"yes\\"}}") }}',
      '{{ parse_json("{\\"a\\": {\\"__proto__\\": {\\"polluted\\": \\"yes\\"}}}") }}',
      '{{ {a: 1} + parse_json("{\\"__proto__\\": {\\"polluted\\": 1}}") }}',
      '{{ format("{__proto__}", __proto__="x") }}',
      '{{ regex_match("a", "(?<__proto__>a)") }}',
    ];
    for (const attack of attacks) {
      harmless(attack);
      assertNotPolluted();
    }
    const made = resolveTemplate('{{ {__proto__: {polluted: "yes"}, a: 1} }}', scope) as Record<string, unknown>;
    assert.equal(made.polluted, undefined);
    assert.equal(Object.getPrototypeOf(made), Object.prototype);
    assert.deepEqual(made, { a: 1 });
    const parsed = resolveTemplate('{{ parse_json("{\\"__proto__\\": {\\"x\\": 1}, \\"b\\": 2}") }}', scope) as Record<string, unknown>;
    assert.deepEqual(parsed, { b: 2 });
    assert.equal(Object.prototype.hasOwnProperty.call(parsed, '__proto__'), false);
  });

  it('merging scope objects with own __proto__ keys pollutes nothing', () => {
    const s = { $prev: JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}') as unknown };
    const merged = evaluateExpression('$prev + {b: 2}', s) as Record<string, unknown>;
    assert.deepEqual(merged, { a: 1, b: 2 });
    assert.equal(evaluateExpression('$prev.__proto__', s), null);
    assert.deepEqual(evaluateExpression('keys($prev)', s), ['a']);
    assert.equal(evaluateExpression('json($prev)', s), '{"a":1}');
    const passed = (resolveDeep({ x: '{{ $prev }}' }, s) as { x: Record<string, unknown> }).x;
    assert.equal(Object.prototype.hasOwnProperty.call(passed, '__proto__'), false);
    assert.deepEqual(passed, { a: 1 });
    assertNotPolluted();
  });

  it('never returns host objects from the scope', () => {
    class Secret {
      token = 'abc';
    }
    const s = {
      $prev: { fn: () => 'x', secret: new Secret(), sym: Symbol('s'), list: [() => 1, new Secret()], buf: Buffer.from('hi') },
    };
    for (const path of ['$prev.fn', '$prev.secret', '$prev.secret.token', '$prev.sym', '$prev.list[0]', '$prev.list[1]', '$prev.list.first', '$prev.buf', '$prev.buf[0]']) {
      assert.equal(evaluateExpression(path, s), null, path);
    }
    assert.deepEqual(evaluateExpression('reverse($prev.list)', s), [null, null]);
    assert.deepEqual(evaluateExpression('values({a: $prev.fn})', s), [null]);
    assert.equal(resolveTemplate('{{ $prev.fn }}', s), null);
    assert.equal(resolveTemplate('x{{ $prev.fn }}', s), 'x');
    const whole = resolveTemplate('{{ $prev }}', s);
    assertPlainData(whole, '{{ $prev }}');
    assert.deepEqual(whole, { fn: null, secret: null, sym: null, list: [null, null], buf: null });
    assert.deepEqual(evaluateExpression('$prev.list', s), [null, null]);
    assert.deepEqual(evaluateExpression('[$prev.list]', s), [[null, null]]);
    assert.deepEqual(evaluateExpression('$x', { $x: { at: new Date(0), n: NaN, big: 5n } }), {
      at: '1970-01-01T00:00:00.000Z',
      n: null,
      big: 5,
    });
  });

  it('returns clean data from the scope as it is, without copying', () => {
    const data = { $prev: { user: { name: 'Ann', tags: ['a'] }, optional: undefined } };
    assert.equal(resolveTemplate('{{ $prev.user }}', data), data.$prev.user);
    assert.equal(evaluateExpression('$prev', data), data.$prev);
  });

  it('survives odd scopes', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { $prev: { a: 1 } });
    assert.equal(evaluateExpression('$prev.a', nullProto), 1);
    assert.equal(evaluateExpression('$prev.a', {}), null);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.equal(evaluateExpression('$prev.self.self.a', { $prev: cyclic }), 1);
    assert.throws(() => evaluateExpression('json($prev)', { $prev: cyclic }), ExpressionError);
    assert.throws(() => resolveTemplate('x {{ $prev }}', { $prev: cyclic }), ExpressionError);
    assert.equal(evaluateExpression('$prev == $prev.self', { $prev: cyclic }), true);
    const other: Record<string, unknown> = { a: 1 };
    other.self = other;
    assert.throws(() => evaluateExpression('$a == $b', { $a: cyclic, $b: other }), /nested deeper than 256 levels/);
    assert.throws(() => evaluateExpression('unique([$a])', { $a: cyclic }), /nested deeper than 256 levels/);
  });

  it('turns deeply nested data into an ExpressionError, not a RangeError', () => {
    const build = (): unknown => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      return deep;
    };
    const s = { $prev: build(), $other: build() };
    for (const source of ['json($prev)', 'string($prev)', '$prev == $other', 'contains([$prev], $other)', 'unique([$prev, $prev])', 'hash($prev)']) {
      assert.throws(() => evaluateExpression(source, s), ExpressionError, source);
    }
    assert.throws(() => resolveTemplate('x{{ $prev }}', s), ExpressionError);
  });
});
