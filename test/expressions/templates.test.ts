import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExpressionError,
  checkTemplateSyntax,
  hasExpression,
  resolveDeep,
  resolveTemplate,
} from '../../src/expressions/index.js';
import { scope, tpl, templateFails } from './helpers.js';

describe('templates', () => {
  it('hasExpression finds {{', () => {
    assert.equal(hasExpression('a {{ b }}'), true);
    assert.equal(hasExpression('plain'), false);
    assert.equal(hasExpression('{ single }'), false);
  });

  it('returns text without {{ unchanged', () => {
    assert.equal(tpl('no expressions here'), 'no expressions here');
    assert.equal(tpl(''), '');
    assert.equal(tpl('{ "json": true }'), '{ "json": true }');
  });

  it('gives the typed value when the text is exactly one expression', () => {
    assert.equal(tpl('{{ $prev.count }}'), 7);
    assert.equal(tpl('{{$prev.count}}'), 7);
    assert.equal(tpl('{{   $prev.flag   }}'), true);
    assert.equal(tpl('{{ $prev.nothing }}'), null);
    assert.equal(tpl('{{ $prev.missing }}'), null);
    assert.deepEqual(tpl('{{ $prev.items }}'), [10, 20, 30]);
    assert.deepEqual(tpl('{{ $prev.user }}'), scope.$prev && (scope.$prev as Record<string, unknown>).user);
    assert.deepEqual(tpl('{{ {a: {b: 1}} }}'), { a: { b: 1 } });
    assert.deepEqual(tpl('{{ {a:1}}}'), { a: 1 });
    assert.deepEqual(tpl('{{ [1, 2] }}'), [1, 2]);
  });

  it('substitutes text when there is anything outside the braces', () => {
    assert.equal(tpl('count: {{ $prev.count }}'), 'count: 7');
    assert.equal(tpl(' {{ $prev.count }}'), ' 7');
    assert.equal(tpl('{{ $prev.count }} '), '7 ');
    assert.equal(tpl('{{ $prev.count }}{{ $prev.count }}'), '77');
    assert.equal(tpl('[{{ $prev.nothing }}]'), '[]');
    assert.equal(tpl('[{{ $prev.missing }}]'), '[]');
    assert.equal(tpl('{{ $prev.flag }}!'), 'true!');
    assert.equal(tpl('items={{ $prev.items }}'), 'items=[10,20,30]');
    assert.equal(tpl('user={{ {a: "x"} }}'), 'user={"a":"x"}');
    assert.equal(tpl('Hello {{ $prev.user.name }}, order {{ $trigger.body.id }} is {{ $vars.mode }}.'), 'Hello Ann, order 42 is fast.');
    assert.equal(tpl('multi\nline {{ 1 + 1 }}\n'), 'multi\nline 2\n');
  });

  it('finds the end of an expression outside strings and object braces', () => {
    assert.equal(tpl('{{ "}}" }}'), '}}');
    assert.equal(tpl('<{{ format("{{}}") }}>'), '<{}>');
    assert.equal(tpl('{{ {a: {b: 2}}.a.b }}'), 2);
    assert.equal(tpl('a {{ 1 }}} b'), 'a 1} b');
  });

  it('evaluateExpression also accepts a braced expression', async () => {
    const { evaluateExpression } = await import('../../src/expressions/index.js');
    assert.equal(evaluateExpression('{{ $prev.count }}', scope), 7);
    assert.equal(evaluateExpression('  {{ 1 + 1 }}', scope), 2);
  });

  it('reports a missing }}', () => {
    const error = templateFails('hello {{ $prev.count', /this \{\{ has no closing \}\}/);
    assert.equal(error.column, 7);
    templateFails('{{ }}', /the expression is empty/);
    templateFails('{{ 1 } }}', /expected "}}" to end the expression, found "}"/);
    templateFails('{{ {a: 1 }}', /has no closing }}/);
  });

  it('returns the same answer from the cache as from a fresh parse', () => {
    for (let i = 0; i < 3; i++) assert.equal(tpl('{{ $prev.count + 1 }}'), 8);
    assert.equal(resolveTemplate('{{ $x }}', { $x: 1 }), 1);
    assert.equal(resolveTemplate('{{ $x }}', { $x: 2 }), 2);
  });

  it('stays correct when far more templates pass than the cache holds', () => {
    for (let i = 0; i < 2_500; i++) assert.equal(resolveTemplate(`{{ ${i} + 1 }}`, {}), i + 1);
    assert.equal(resolveTemplate('{{ 0 + 1 }}', {}), 1);
  });

  describe('resolveDeep', () => {
    it('resolves strings inside objects and lists and keeps types', () => {
      const input = {
        url: 'https://api/{{ $trigger.body.id }}',
        count: '{{ $prev.count }}',
        headers: { Authorization: 'Bearer {{ $vars.mode }}' },
        items: ['{{ $prev.items[0] }}', 'x', 3, null, true],
        nested: [[{ deep: '{{ $prev.flag }}' }]],
      };
      assert.deepEqual(resolveDeep(input, scope), {
        url: 'https://api/42',
        count: 7,
        headers: { Authorization: 'Bearer fast' },
        items: [10, 'x', 3, null, true],
        nested: [[{ deep: true }]],
      });
    });

    it('never mutates the input and shares parts without expressions', () => {
      const untouched = { a: 1, list: [1, 2] };
      const input = { keep: untouched, change: '{{ 1 + 1 }}' };
      const snapshot = structuredClone(input);
      const out = resolveDeep(input, scope) as typeof input;
      assert.deepEqual(input, snapshot);
      assert.notEqual(out, input);
      assert.equal(out.keep, untouched);
      const plain = { a: 'x', b: [1] };
      assert.equal(resolveDeep(plain, scope), plain);
      assert.equal(resolveDeep('text', scope), 'text');
      assert.equal(resolveDeep(5, scope), 5);
      assert.equal(resolveDeep(null, scope), null);
    });

    it('names the field path in errors', () => {
      const cases: Array<[unknown, string | undefined, string]> = [
        [{ headers: { Authorization: '{{ nope }}' } }, 'config', 'config.headers.Authorization'],
        [{ headers: { Authorization: '{{ nope }}' } }, undefined, 'headers.Authorization'],
        [{ items: ['ok', 'ok', '{{ nope }}'] }, undefined, 'items[2]'],
        [{ headers: { 'X-Key': '{{ nope }}' } }, 'config', 'config.headers["X-Key"]'],
        [['{{ nope }}'], 'list', 'list[0]'],
        ['{{ nope }}', 'url', 'url'],
      ];
      for (const [value, field, expected] of cases) {
        try {
          resolveDeep(value, scope, { node: 'HTTP', field });
          assert.fail('expected an error');
        } catch (error) {
          assert.ok(error instanceof ExpressionError);
          assert.equal(error.field, expected);
          assert.equal(error.node, 'HTTP');
          assert.ok(error.message.startsWith(`node "HTTP", field "${expected}", column 4: unknown name nope`), error.message);
        }
      }
    });

    it('keeps an own __proto__ key as plain data and pollutes nothing', () => {
      const input = JSON.parse('{"__proto__": {"polluted": "yes"}, "v": "{{ 1 }}"}') as Record<string, unknown>;
      const out = resolveDeep(input, scope) as Record<string, unknown>;
      assert.equal(out.v, 1);
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('refuses data nested too deeply', () => {
      let deep: unknown = '{{ 1 }}';
      for (let i = 0; i < 400; i++) deep = [deep];
      assert.throws(() => resolveDeep(deep, scope), /nests deeper than 256 levels/);
    });
  });

  describe('checkTemplateSyntax', () => {
    it('returns nothing for good templates and for plain text', () => {
      assert.deepEqual(checkTemplateSyntax('a {{ $prev.x }} b {{ upper("y") }}'), []);
      assert.deepEqual(checkTemplateSyntax('plain text'), []);
    });

    it('reports each broken expression with its column, without evaluating', () => {
      const problems = checkTemplateSyntax('a {{ round(1, 2 }} b {{ x }} {{ 1 / 0 }} {{ 1 + }}');
      assert.deepEqual(
        problems.map((p) => p.column),
        [17, 25, 49],
      );
      assert.match(problems[0].message, /expected "\)" after the arguments of round/);
      assert.match(problems[1].message, /unknown name x/);
      assert.match(problems[2].message, /expected a value/);
    });

    it('reports unknown functions, bad arguments and an unclosed {{', () => {
      assert.match(checkTemplateSyntax('{{ uper($prev) }}')[0].message, /did you mean upper\?/);
      assert.match(checkTemplateSyntax('{{ round(1, digts=2) }}')[0].message, /no parameter digts; did you mean digits\?/);
      assert.deepEqual(checkTemplateSyntax('x {{ 1 '), [{ column: 3, message: 'this {{ has no closing }}' }]);
      assert.match(checkTemplateSyntax('{{ `x` }}')[0].message, /template literals/);
    });
  });
});
