import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';

test('several CLI processes working on one data folder at once corrupt nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-concurrent-'));
  const env = { SKYNETTE_DATA_DIR: dataDir };
  assert.equal((await runCli(['workflows', 'import', 'examples/hello.yaml', 'examples/loop.yaml'], { env })).code, 0);
  const runs = await Promise.all([
    runCli(['exec', 'hello', '--json', '-d', '{"name": "one"}'], { env }),
    runCli(['exec', 'Invoice totals', '--json'], { env }),
    runCli(['exec', 'hello', '--json', '-d', '{"name": "three"}'], { env }),
    runCli(['workflows', 'import', 'examples/branching.yaml'], { env }),
    runCli(['settings', 'set', 'executions.max_count', '500'], { env }),
  ]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse((await runCli(['executions', 'list', '--json'], { env })).stdout);
  assert.equal(list.length, 3);
  assert.ok(list.every((e: { status: string }) => e.status === 'completed'));
  const db = new Database(join(dataDir, 'skynette.db'), { readonly: true });
  try {
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(db.pragma('foreign_key_check'), []);
  } finally {
    db.close();
  }
});
