/**
 * What the server does around its start: interrupted executions it cannot resume end as failed
 * (never left hanging), and workflow files edited while it runs are served at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { chain, startInProcess, tempDataDir, waitFor } from './helpers.js';

test('an interrupted execution whose workflow version is gone ends failed at start', async () => {
  const dataDir = tempDataDir();
  try {
    const store = await openStore({ dataDir });
    const started = new Date(Date.now() - 60_000).toISOString();
    await store.executionStore.create({
      id: 'orphan-1',
      workflow_id: 'gone',
      workflow_name: 'Gone',
      workflow_version: 3,
      status: 'running',
      mode: 'webhook',
      trigger_data: {},
      started_at: started,
      finished_at: null,
      duration_ms: null,
      error: null,
      node_results: [],
      variables: {},
    });
    await store.close();
    const s = await startInProcess({ dataDir });
    try {
      assert.equal(s.server.report.resumeFailed, 1);
      const r = await s.api('GET', '/api/v1/executions/orphan-1');
      assert.equal(r.body.status, 'failed');
      assert.equal(r.body.error.code, 'RESUME_FAILED');
      assert.ok(r.body.duration_ms >= 60_000);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a workflow file edited while the server runs: the active workflow serves the new version', async () => {
  const s = await startInProcess();
  try {
    const wf = chain('edited', [
      { id: 'in', type: 'webhook-trigger', config: { path: 'edited', response_mode: 'last_node' } },
      { id: 'v', type: 'set_variable', config: { variable_name: 'v', value: 'before' } },
    ]);
    assert.equal((await s.api('POST', '/api/v1/workflows', wf)).status, 201);
    assert.equal((await s.api('POST', '/api/v1/workflows/edited/activate')).status, 200);
    assert.equal((await s.request('POST', '/webhook/edited')).body.value, 'before');
    const file = join(s.dataDir, 'workflows', 'edited.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('value: before', 'value: after'));
    await waitFor('the edit to be served', async () => (await s.request('POST', '/webhook/edited')).body.value === 'after', 10_000, 100);
    const versions = await s.api('GET', '/api/v1/workflows/edited/versions');
    assert.equal(versions.body.data[0].source, 'file');
  } finally {
    await s.close();
  }
});
