import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ev, fails } from './helpers.js';

describe('expression paths', () => {
  it('reads variables and dotted paths', () => {
    assert.equal(ev('$prev.user.name'), 'Ann');
    assert.equal(ev('$vars.mode'), 'fast');
    assert.equal(ev('$trigger.body.id'), 42);
    assert.equal(ev('$nodes.http_1.body.status'), 200);
    assert.equal(ev('$index'), 2);
    assert.equal(ev('$item.sku'), 'X-1');
    assert.equal(ev('$env.REGION'), 'eu');
    assert.equal(ev('$workflow.name'), 'Orders');
    assert.equal(ev('$execution.mode'), 'manual');
  });

  it('reads brackets with text, numbers and computed keys', () => {
    assert.equal(ev('$prev.items[0]'), 10);
    assert.equal(ev('$prev.items[1 + 1]'), 30);
    assert.equal(ev('$prev.user["full name"]'), 'Ann Lee');
    assert.equal(ev('$node["My Node"].x'), 5);
    assert.equal(ev('$prev["user"]["name"]'), 'Ann');
    assert.equal(ev('$prev["us" + "er"].name'), 'Ann');
    assert.equal(ev('$prev.orders[1].total'), 15);
    assert.equal(ev('$prev.items[$index]'), 30);
    assert.equal(ev('{"0": "zero"}[0]'), 'zero');
    assert.equal(ev('$prev.items["1"]'), 20);
  });

  it('counts negative indexes from the end', () => {
    assert.equal(ev('$prev.items[-1]'), 30);
    assert.equal(ev('$prev.items[-3]'), 10);
    assert.equal(ev('$prev.items[-4]'), null);
    assert.equal(ev('$prev.orders[-1].id'), 'b');
    assert.equal(ev('"hello"[-1]'), 'o');
    assert.equal(ev('[1, 2, 3][-2]'), 2);
  });

  it('indexes text by character', () => {
    assert.equal(ev('$prev.name[0]'), 'W');
    assert.equal(ev('$prev.name[99]'), null);
  });

  it('gives null for missing paths instead of failing', () => {
    assert.equal(ev('$prev.a.b.c'), null);
    assert.equal(ev('$prev.items[10]'), null);
    assert.equal(ev('$prev.items[1.5]'), null);
    assert.equal(ev('$prev.user[null]'), null);
    assert.equal(ev('$prev.count.x'), null);
    assert.equal(ev('$prev.flag.x'), null);
    assert.equal(ev('$nothere'), null);
    assert.equal(ev('$nothere.x[0].y'), null);
    assert.equal(ev('$prev.nothing.x'), null);
  });

  it('understands the special segments length, first, last, keys and values', () => {
    assert.equal(ev('$prev.items.length'), 3);
    assert.equal(ev('$prev.items.first'), 10);
    assert.equal(ev('$prev.items.last'), 30);
    assert.equal(ev('$prev.empty_list.first'), null);
    assert.equal(ev('$prev.name.length'), 6);
    assert.equal(ev('$prev.name.first'), 'W');
    assert.equal(ev('$prev.name.last'), 't');
    assert.equal(ev('$prev.user.length'), 3);
    assert.deepEqual(ev('$prev.user.keys'), ['name', 'email', 'full name']);
    assert.deepEqual(ev('$trigger.body.values'), [42]);
    assert.equal(ev('$prev.orders.last.total'), 15);
    assert.equal(ev('$prev.items["length"]'), 3);
  });

  it('lets a real property win over the special meaning', () => {
    const s = { $prev: { length: 'tall', first: 'Ann', last: 'Lee', keys: ['k'], values: 'v' } };
    assert.equal(ev('$prev.length', s), 'tall');
    assert.equal(ev('$prev.first', s), 'Ann');
    assert.equal(ev('$prev.last', s), 'Lee');
    assert.deepEqual(ev('$prev.keys', s), ['k']);
    assert.equal(ev('$prev.values', s), 'v');
  });

  it('allows letters of any script in names', () => {
    assert.equal(ev('$prev.größe', { $prev: { größe: 'L' } }), 'L');
    assert.equal(ev('$préc.名前', { $préc: { 名前: 'Ann' } }), 'Ann');
  });

  it('allows keywords as property names after a dot', () => {
    assert.equal(ev('$prev.null', { $prev: { null: 1 } }), 1);
    assert.equal(ev('$prev.true', { $prev: { true: 'yes' } }), 'yes');
  });

  it('reads Dates in the scope as ISO text and hides host objects', () => {
    const s = { $prev: { at: new Date('2024-05-01T00:00:00Z'), fn: () => 1, map: new Map([['a', 1]]), big: 12n } };
    assert.equal(ev('$prev.at', s), '2024-05-01T00:00:00.000Z');
    assert.equal(ev('$prev.fn', s), null);
    assert.equal(ev('$prev.map', s), null);
    assert.equal(ev('$prev.map.size', s), null);
    assert.equal(ev('$prev.big', s), 12);
  });

  it('rejects malformed paths', () => {
    fails('$prev.', /expected a property name after "."/);
    fails('$prev.items.0', /use brackets for list positions, as in \[0\]/);
    fails('$prev.items[0', /expected "]" to close the \[ \] lookup/);
    fails('prev.count', /unknown name prev; did you mean \$prev\?/);
    fails('count', /unknown name count; variables start with \$ such as \$prev/);
  });
});
