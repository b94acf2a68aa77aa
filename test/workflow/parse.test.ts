import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWorkflowText } from '../../src/workflow/parse.js';

const original = `
id: wf-1
name: Original file
description: written by the Python Skynette
version: "1.0.0"
nodes:
  - id: trigger_1
    type: manual_trigger
    name: Manual
    position: {x: 100, y: 200}
    config: {}
  - type: log_debug
    name: Log
    config:
      message: hi
connections:
  - id: c1
    source_node_id: trigger_1
    source_port: output
    target_node_id: trigger_1
    target_port: input
variables: {a: 1}
settings: {}
tags: [demo]
created_at: "2024-01-01T00:00:00"
updated_at: "2024-01-02T00:00:00"
`;

test('a file in the original Skynette format loads unchanged, with defaults and generated ids', () => {
  const { workflow, errors, warnings } = parseWorkflowText(original);
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, []);
  assert.ok(workflow);
  assert.equal(workflow.id, 'wf-1');
  assert.equal(workflow.version, 1);
  assert.deepEqual(workflow.nodes[0].position, { x: 100, y: 200 });
  assert.equal(workflow.nodes[0].enabled, true);
  assert.equal(workflow.nodes[1].id, 'log_debug_2');
  assert.deepEqual(workflow.tags, ['demo']);
  assert.deepEqual(workflow.variables, { a: 1 });
  assert.equal(workflow.created_at, '2024-01-01T00:00:00');
});

test('connection ports default to output and input; missing connection ids are generated', () => {
  const { workflow } = parseWorkflowText('name: x\nnodes: []\nconnections:\n  - {source_node_id: a, target_node_id: b}\n');
  assert.equal(workflow!.connections[0].source_port, 'output');
  assert.equal(workflow!.connections[0].target_port, 'input');
  assert.equal(workflow!.connections[0].id, 'conn_1');
});

test('unknown top-level keys are warnings and are kept', () => {
  const { workflow, warnings } = parseWorkflowText('name: x\nowner: ada\nnodes: []\n');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0].path, 'owner');
  assert.deepEqual(workflow!.extra, { owner: 'ada' });
});

test('JSON files load too', () => {
  const { workflow, errors } = parseWorkflowText(JSON.stringify({ name: 'j', nodes: [{ id: 'a', type: 'manual_trigger' }], connections: [] }));
  assert.deepEqual(errors, []);
  assert.equal(workflow!.nodes[0].id, 'a');
});

test('YAML syntax errors carry line and column', () => {
  const { errors } = parseWorkflowText('name: x\nnodes:\n  - id: a\n    type: [unclosed\n');
  assert.ok(errors.length >= 1);
  assert.equal(errors[0].path, '(file)');
  assert.ok(errors[0].line! >= 4, JSON.stringify(errors[0]));
  assert.ok(errors[0].column! >= 1);
  assert.match(errors[0].message, /YAML syntax error at line \d+, column \d+/);
});

test('JSON syntax errors say so, with the position', () => {
  const { errors } = parseWorkflowText('{"name": "x", "nodes": [}');
  assert.match(errors[0].message, /JSON syntax error/);
});

test('wrong types are reported with their paths, all at once', () => {
  const { errors } = parseWorkflowText('name: 5\nnodes:\n  - id: a\n    type: log_debug\n    enabled: "yes"\n    config: [1]\n  - 7\nconnections: {}\ntags: oops\n');
  const paths = errors.map((e) => e.path).sort();
  assert.deepEqual(paths, ['connections', 'name', 'nodes[0].config', 'nodes[0].enabled', 'nodes[1]', 'tags'].sort());
});

test('binary garbage, an empty file and a huge file are refused clearly', () => {
  const garbage = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)).toString('utf8');
  assert.match(parseWorkflowText(garbage).errors[0].message, /not text/);
  assert.match(parseWorkflowText('   \n').errors[0].message, /empty/);
  const huge = 'name: x\ndescription: "' + 'a'.repeat(11 * 1024 * 1024) + '"\n';
  assert.match(parseWorkflowText(huge).errors[0].message, /larger than 10 MB/);
});

test('deeply nested JSON and YAML are refused without a crash', () => {
  const deepJson = '{"name":"x","nodes":[],"variables":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
  const jsonResult = parseWorkflowText(deepJson);
  assert.ok(jsonResult.errors.length >= 1);
  assert.match(jsonResult.errors[0].message, /nested/);
  const deepYaml = 'name: x\nvariables: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n';
  const yamlResult = parseWorkflowText(deepYaml);
  assert.ok(yamlResult.errors.length >= 1);
  assert.match(yamlResult.errors[0].message, /nested|YAML/);
});

test('a top level that is not a mapping is a clear error', () => {
  assert.match(parseWorkflowText('- a\n- b\n').errors[0].message, /expected a workflow mapping/);
  assert.match(parseWorkflowText('just text\n').errors[0].message, /expected a workflow/);
});
