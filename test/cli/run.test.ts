import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'skynette-cli-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('skynette run examples/hello.yaml prints one line per node and exits 0', async () => {
  const r = await runCli(['run', 'examples/hello.yaml', '-d', '{"name": "Ada Lovelace"}']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✓ Start/);
  assert.match(r.stdout, /✓ Say it loud/);
  assert.match(r.stdout, /HELLO, ADA LOVELACE!/);
  assert.match(r.stdout, /- Say it plainly.*skipped/);
  assert.match(r.stdout, /completed in/);
});

test('--json prints execution_id, status, duration_ms, error, results and nodes; -o writes it to a file', async () => {
  const out = join(dir, 'result.json');
  const r = await runCli(['run', 'examples/hello.yaml', '--json', '-o', out, '-d', '{"name": "Bo"}']);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(json).sort(), ['duration_ms', 'error', 'execution_id', 'nodes', 'results', 'status']);
  assert.equal(json.status, 'completed');
  assert.equal(json.nodes.short, 'completed');
  assert.equal(json.nodes.long, 'skipped');
  assert.equal(json.results.compose.value, 'Hello, Bo!');
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), json);
});

test('a failing workflow exits 1 and names the node and the path', async () => {
  const wf = file('fail.yaml', 'name: f\nnodes:\n  - {id: t, type: manual_trigger}\n  - {id: w, name: Pause, type: wait, config: {amount: "{{ $prev.n }}"}}\nconnections:\n  - {source_node_id: t, target_node_id: w}\n');
  const r = await runCli(['run', wf, '-d', '{"n": "x"}']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ Pause/);
  assert.match(r.stderr, /error at node "w": nodes\[1\]\.config\.amount: expected a number/);
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .*\.(ts|js):\d+/);
});

test('bad input files exit 1 with a clear message and never a stack trace', async () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['malformed.yaml', 'name: x\nnodes: [\n  - {id: a\n', /YAML syntax error at line \d+, column \d+/],
    ['garbage.yaml', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)), /not text/],
    ['deep.json', '{"name":"x","nodes":[],"variables":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}', /nested/],
    ['wrongtypes.yaml', 'name: x\nnodes:\n  - {id: a, type: wait, config: {amount: [1]}}\n', /nodes\[0\]\.config\.amount: expected a number/],
    ['unknown.yaml', 'name: x\nnodes:\n  - {id: a, type: sett_variable}\n', /unknown node type "sett_variable"; did you mean "set_variable"/],
  ];
  for (const [name, content, expected] of cases) {
    const r = await runCli(['run', file(name, content)]);
    assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, expected, name);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.(ts|js):\d+/, `${name} printed a stack trace`);
  }
});

test('a 50 MB file is refused by size before it is read', async () => {
  const big = join(dir, 'big.yaml');
  writeFileSync(big, Buffer.alloc(50 * 1024 * 1024, 0x61));
  const r = await runCli(['run', big]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /50\.0 MB, larger than the 10 MB/);
});

test('hostile expressions give a clear error, exit 1, and never reach the host', async () => {
  const hostile = [
    "{{ $prev.constructor.constructor('return process')() }}",
    '{{ `${process.exit(7)}` }}',
    '{{ $prev.__proto__.polluted }}',
    '{{ arguments.callee.caller }}',
  ];
  for (const expression of hostile) {
    const wf = file('hostile.yaml', `name: h\nnodes:\n  - {id: t, type: manual_trigger}\n  - id: v\n    type: set_variable\n    config: {variable_name: x, value: ${JSON.stringify(expression)}}\nconnections:\n  - {source_node_id: t, target_node_id: v}\n`);
    const r = await runCli(['run', wf, '--json']);
    if (r.code === 0) {
      // A prototype walk may read as null; it must never yield anything of the host.
      const json = JSON.parse(r.stdout);
      assert.equal(json.results.v.value, null, expression);
    } else {
      assert.equal(r.code, 1, `${expression}: ${r.stderr}`);
      // Either the expression is refused, or it read null and the required field is reported empty.
      assert.match(r.stdout + r.stderr, /expression|not a valid workflow|required field/i, expression);
    }
    assert.doesNotMatch(r.stdout, /"(pid|versions|execPath|argv)"/, `${expression} leaked host data`);
    assert.doesNotMatch(r.stderr, /\n\s+at .*\.(ts|js):\d+/);
  }
});

test('a missing file and bad -d JSON are clear errors', async () => {
  const missing = await runCli(['run', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.yaml: no such file/);
  const badData = await runCli(['run', 'examples/hello.yaml', '-d', '{name:']);
  assert.equal(badData.code, 1);
  assert.match(badData.stderr, /-d: the data is not valid JSON/);
});

test('Ctrl-C cancels the run cleanly and records cancelled', async () => {
  const wf = file('slow.yaml', 'name: s\nnodes:\n  - {id: t, type: manual_trigger}\n  - {id: w, type: wait, config: {amount: 30}}\nconnections:\n  - {source_node_id: t, target_node_id: w}\n');
  const r = await runCli(['run', wf, '--json'], {
    onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 2500),
  });
  assert.equal(r.code, 130, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.status, 'cancelled');
  assert.equal(json.nodes.w, 'cancelled');
});
