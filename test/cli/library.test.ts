import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const dataDir = mkdtempSync(join(tmpdir(), 'skynette-lib-'));
const env = { SKYNETTE_DATA_DIR: dataDir };
const cli = (args: string[]) => runCli(args, { env });

test('import, list, show, history, export and delete stored workflows; files mirror the library', async () => {
  const imported = await cli(['workflows', 'import', 'examples/hello.yaml', 'examples/loop.yaml']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /"Hello" \(hello\) imported/);
  assert.deepEqual(readdirSync(join(dataDir, 'workflows')).sort(), ['hello.yaml', 'invoice-totals.yaml']);

  const list = await cli(['workflows', 'list']);
  assert.match(list.stdout, /Hello\s+hello\s+1\s+no/);

  const again = await cli(['workflows', 'import', 'examples/hello.yaml']);
  assert.match(again.stdout, /unchanged/);

  const show = await cli(['workflows', 'show', 'Hello']);
  assert.match(show.stdout, /^id: hello$/m);
  assert.match(show.stdout, /^version: 1$/m);

  const out = join(dataDir, 'exported.json');
  const exported = await cli(['workflows', 'export', 'hello', '-o', out]);
  assert.equal(exported.code, 0);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).name, 'Hello');

  const deleted = await cli(['workflows', 'delete', 'Invoice totals']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.equal(existsSync(join(dataDir, 'workflows', 'invoice-totals.yaml')), false);
  const missing = await cli(['workflows', 'show', 'Invoice totals']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no workflow/);
});

test('a file edited by hand becomes a new version; a broken file is reported and ignored', async () => {
  const file = join(dataDir, 'workflows', 'hello.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('greeting: Hello', 'greeting: Howdy'));
  const exec = await cli(['exec', 'hello', '--json', '-d', '{"name": "Al"}']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.match(exec.stderr, /picked up .*hello\.yaml as version 2 of "Hello"/);
  assert.equal(JSON.parse(exec.stdout).results.compose.value, 'Howdy, Al!');

  writeFileSync(file, 'name: Hello\nid: hello\nnodes: [\n');
  const after = await cli(['workflows', 'history', 'hello']);
  assert.equal(after.code, 0);
  assert.match(after.stderr, /hello\.yaml is not a valid workflow and was ignored/);
  assert.match(after.stdout, /^2\s+file/m);
  assert.match(after.stdout, /^1\s+cli/m);
  const stillRuns = await cli(['exec', 'Hello', '--json']);
  assert.equal(JSON.parse(stillRuns.stdout).results.compose.value, 'Howdy, world!');

  const newFile = join(dataDir, 'workflows', 'dropped-in.yaml');
  writeFileSync(newFile, 'name: Dropped in\nnodes:\n  - {type: manual_trigger}\n  - {type: log_debug, config: {message: hi}}\nconnections:\n  - {source_node_id: manual_trigger_1, target_node_id: log_debug_2}\n');
  const picked = await cli(['workflows', 'list']);
  assert.match(picked.stderr, /dropped-in\.yaml as new workflow "Dropped in"/);
  const twice = await cli(['workflows', 'list']);
  assert.doesNotMatch(twice.stderr, /dropped-in/, 'an unchanged file is not picked up again');
  assert.equal((twice.stdout.match(/Dropped in/g) ?? []).length, 1);
});

test('executions list, show, delete; settings get and set with clear errors', async () => {
  const list = await cli(['executions', 'list', '--json']);
  const items = JSON.parse(list.stdout);
  assert.ok(items.length >= 2);
  assert.ok(items.every((e: { status: string }) => e.status === 'completed'));
  const show = await cli(['executions', 'show', items[0].id]);
  assert.match(show.stdout, /✓ Compose greeting/);
  const json = JSON.parse((await cli(['executions', 'show', items[0].id, '--json'])).stdout);
  assert.equal(json.node_results.length, 5);
  assert.equal((await cli(['executions', 'delete', items[0].id])).code, 0);
  assert.equal((await cli(['executions', 'show', items[0].id])).code, 1);
  assert.match((await cli(['executions', 'list', '--status', 'weird'])).stderr, /unknown status "weird"/);

  assert.equal((await cli(['settings', 'get', 'executions.retention_days'])).stdout.trim(), '14');
  assert.equal((await cli(['settings', 'set', 'executions.retention_days', '30'])).code, 0);
  assert.equal((await cli(['settings', 'get', 'executions.retention_days'])).stdout.trim(), '30');
  const bad = await cli(['settings', 'set', 'executions.retention_days', '"soon"']);
  assert.equal(bad.code, 1);
  const unknown = await cli(['settings', 'get', 'nope']);
  assert.match(unknown.stderr, /unknown setting "nope"/);
});
