import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateWorkflowText } from '../../src/engine/validate.js';

function problems(yaml: string) {
  const report = validateWorkflowText(yaml);
  return { valid: report.valid, errors: report.errors.map((e) => `${e.path}: ${e.message}`), warnings: report.warnings };
}

test('a valid workflow validates', () => {
  const r = problems('name: ok\nnodes:\n  - {id: a, type: manual_trigger}\n  - {id: b, type: log_debug}\nconnections:\n  - {source_node_id: a, target_node_id: b}\n');
  assert.deepEqual(r.errors, []);
  assert.equal(r.valid, true);
});

test('every problem is reported at once, each with its path', () => {
  const r = problems(`
name: broken
nodes:
  - {id: a, type: manual_trigger}
  - {id: a, type: log_debug}
  - {id: c, type: http_requets}
  - {id: d, type: set_variable, config: {value: 1}}
  - {id: e, type: wait, config: {amount: "soon"}}
  - {id: f, type: if_else, config: {operator: bigger}}
connections:
  - {source_node_id: a, target_node_id: ghost}
  - {source_node_id: f, source_port: maybe, target_node_id: d}
  - {source_node_id: d, target_node_id: a}
  - {source_node_id: d, target_node_id: f, target_port: side}
`);
  const text = r.errors.join('\n');
  assert.equal(r.valid, false);
  assert.match(text, /nodes\[1\]\.id: duplicate node id "a" \(also used by nodes\[0\]\)/);
  assert.match(text, /nodes\[2\]\.type: unknown node type "http_requets"; did you mean "http_request"\?/);
  assert.match(text, /nodes\[3\]\.config\.variable_name: required field "variable_name" is missing/);
  assert.match(text, /nodes\[4\]\.config\.amount: expected a number, got text "soon"/);
  assert.match(text, /nodes\[5\]\.config\.operator: expected one of equals, .*got text "bigger"/);
  assert.match(text, /connections\[0\]\.target_node_id: no node has the id "ghost"/);
  assert.match(text, /connections\[1\]\.source_port: node "f" \(if_else\) has no output port "maybe"; its outputs are true, false/);
  assert.match(text, /connections\[2\]\.target_port: node "a" \(manual_trigger\) is a trigger and takes no input/);
  assert.match(text, /connections\[3\]\.target_port: node "f" \(if_else\) has no input port "side"/);
});

test('a cycle outside a loop is an error; the same cycle through a loop node is fine', () => {
  const cyclic = problems(`
name: cyc
nodes:
  - {id: t, type: manual_trigger}
  - {id: a, type: log_debug}
  - {id: b, type: log_debug}
connections:
  - {source_node_id: t, target_node_id: a}
  - {source_node_id: a, target_node_id: b}
  - {source_node_id: b, target_node_id: a}
`);
  assert.match(cyclic.errors.join('\n'), /"a" -> "b" -> "a" form a cycle that does not pass through a loop node|"b" -> "a" -> "b" form a cycle/);
  const looped = problems(`
name: loop
nodes:
  - {id: t, type: manual_trigger}
  - {id: l, type: loop, config: {items: "{{ [1,2] }}"}}
  - {id: a, type: log_debug}
connections:
  - {source_node_id: t, target_node_id: l}
  - {source_node_id: l, source_port: item, target_node_id: a}
  - {source_node_id: a, target_node_id: l}
`);
  assert.deepEqual(looped.errors, []);
});

test('expressions with syntax errors are reported with their column', () => {
  const r = problems('name: x\nnodes:\n  - {id: a, type: log_debug, config: {message: "hi {{ $prev.a + }}"}}\n');
  assert.equal(r.valid, false);
  assert.match(r.errors.join('\n'), /nodes\[0\]\.config\.message: expression error at column \d+/);
});

test('a value holding an expression is accepted for any field type', () => {
  const r = problems('name: x\nnodes:\n  - {id: a, type: wait, config: {amount: "{{ $prev.n }}", unit: seconds}}\n');
  assert.deepEqual(r.errors, []);
});

test('config keys a node does not have are warnings', () => {
  const r = problems('name: x\nnodes:\n  - {id: a, type: log_debug, config: {mesage: hi}}\n');
  assert.equal(r.valid, true);
  assert.match(r.warnings[0].message, /"mesage" is not a field of log_debug/);
});
