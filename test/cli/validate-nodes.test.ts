import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { renderNodeDocs } from '../../src/nodes/docs.js';

const dir = mkdtempSync(join(tmpdir(), 'skynette-cli-'));

test('validate exits 0 for a valid file and 1 with every problem for a bad one (also --json)', async () => {
  const ok = await runCli(['validate', 'examples/hello.yaml']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /is valid/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'name: b\nnodes:\n  - {id: a, type: manual_trigger}\n  - {id: a, type: nope}\nconnections:\n  - {source_node_id: a, target_node_id: zz}\n');
  const r = await runCli(['validate', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /duplicate node id "a"/);
  assert.match(r.stdout, /unknown node type "nope"/);
  assert.match(r.stdout, /no node has the id "zz"/);
  const j = await runCli(['validate', bad, '--json']);
  assert.equal(j.code, 1);
  const report = JSON.parse(j.stdout);
  assert.equal(report.valid, false);
  assert.equal(report.errors.length, 3);
  assert.ok(report.errors.every((e: { path: string; message: string }) => e.path && e.message));
});

test('nodes list and nodes describe (text and --json)', async () => {
  const list = await runCli(['nodes', 'list']);
  assert.equal(list.code, 0);
  for (const type of ['manual_trigger', 'if_else', 'switch', 'merge', 'loop', 'set_variable', 'log_debug', 'wait']) assert.match(list.stdout, new RegExp(`^${type}\\s`, 'm'));
  const describe = await runCli(['nodes', 'describe', 'if_else']);
  assert.equal(describe.code, 0);
  assert.match(describe.stdout, /outputs: true, false/);
  assert.match(describe.stdout, /condition_type/);
  const json = JSON.parse((await runCli(['nodes', 'describe', 'loop', '--json'])).stdout);
  assert.deepEqual(json.outputs, ['item', 'done']);
  const unknown = await runCli(['nodes', 'describe', 'iff_else']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /did you mean "if_else"/);
});

test('--version and --help on every command', async () => {
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  for (const args of [['--help'], ['run', '--help'], ['validate', '--help'], ['nodes', '--help'], ['nodes', 'describe', '--help']]) {
    const r = await runCli(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage: skynette/);
  }
  const wrong = await runCli(['frobnicate']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /unknown command/);
});

test('docs/nodes.md is generated from the registry and up to date (npm run docs:nodes)', () => {
  assert.equal(readFileSync('docs/nodes.md', 'utf8'), renderNodeDocs());
});
