import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { startInProcess } from './helpers.js';

const url = process.env.SKYNETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

test('the server runs on Postgres (SKYNETTE_DB_URL): store, activate, call a webhook, read the execution', async () => {
  const schema = `skynette_server_${randomBytes(4).toString('hex')}`;
  const server = await startInProcess({ env: { SKYNETTE_DB_URL: url, SKYNETTE_DB_SCHEMA: schema } });
  try {
    const created = await server.api('POST', '/api/v1/workflows', readFileSync('examples/webhook.yaml', 'utf8'), { 'content-type': 'application/yaml' });
    assert.equal(created.status, 201, created.text);
    assert.equal((await server.api('POST', '/api/v1/workflows/greet-webhook/activate')).status, 200);
    const hook = await server.request('POST', '/webhook/greet', {
      body: JSON.stringify({ name: 'Grace' }),
      headers: { 'content-type': 'application/json', 'x-webhook-token': 'let-me-in' },
    });
    assert.equal(hook.status, 200, hook.text);
    assert.equal((hook.body as { greeting: string }).greeting, 'Hello, Grace!');
    const list = await server.api<{ data: Array<{ id: string; status: string }> }>('GET', '/api/v1/executions?workflow=greet-webhook');
    assert.equal(list.body.data.length, 1);
    const execution = await server.api<{ status: string; node_results: unknown[] }>('GET', `/api/v1/executions/${list.body.data[0].id}`);
    assert.equal(execution.body.status, 'completed');
    assert.equal(execution.body.node_results.length, 3);
  } finally {
    await server.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
});
