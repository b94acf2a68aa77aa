import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { pruneExecutions } from '../../src/executions/prune.js';
import { runWorkflow } from '../../src/engine/runner.js';
import { checkpointHooks } from '../../src/store/index.js';
import { workflow } from '../helpers/workflow.js';

test('pruning by count deletes the oldest executions and the files they kept', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-prune-'));
  const store = await openStore({ dataDir });
  try {
    const wf = workflow([{ id: 'start', type: 'manual_trigger' }, { id: 'log', type: 'log_debug', config: { message: 'hi' } }], ['start -> log']);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const record = await runWorkflow(wf, { hooks: checkpointHooks(store.executionStore) });
      ids.push(record.id);
      const folder = join(dataDir, 'executions', 'webhook-files', record.id);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, '0-upload.txt'), 'uploaded');
    }
    await store.settingsStore.set('executions.max_count', 2);
    const result = await pruneExecutions(store, dataDir);
    assert.equal(result.deleted, 3);
    assert.equal(result.deletedIds.length, 3);
    for (const id of ids) {
      const gone = result.deletedIds.includes(id);
      assert.equal(existsSync(join(dataDir, 'executions', 'webhook-files', id)), !gone, `files of ${id}`);
    }
    assert.ok(result.deletedIds.includes(ids[0]), 'the oldest went first');
    assert.equal((await store.executionStore.list()).items.length, 2);
  } finally {
    await store.close();
  }
});
