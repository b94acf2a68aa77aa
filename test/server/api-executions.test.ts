/**
 * The REST API for executions, the node catalog, credentials (masked, tested against the local
 * Postgres and a local HTTP server) and settings.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer as startHttpServer, type TestServer as HttpServer } from '../helpers/http-server.js';
import { chain, startInProcess, waitFor, type TestServer } from './helpers.js';

let s: TestServer;
let remote: HttpServer;

before(async () => {
  s = await startInProcess();
  remote = await startHttpServer();
  remote.on('GET', '/ok', (req) => (req.headers.authorization === 'Bearer good-token-123' ? { json: { ok: true } } : { status: 401, json: { error: 'no' } }));
  remote.on('POST', '/flaky', { status: 500, json: { error: 'down' } });
});
after(async () => {
  await s.close();
  await remote.close();
});

describe('executions', () => {
  let failedId: string;

  test('a failed run, a retry from the failed node with the newest version, and the chain of results', async () => {
    await s.api('POST', '/api/v1/workflows', {
      ...chain('flaky', [
        { id: 'start', type: 'manual_trigger' },
        { id: 'count', type: 'set_variable', config: { variable_name: 'n', value: '{{ $trigger.n }}' } },
        { id: 'call', type: 'http_request', config: { method: 'POST', url: `${remote.url}/flaky`, body_type: 'json', body: { n: '{{ $vars.n }}' } } },
      ]),
    });
    const failed = await s.api('POST', '/api/v1/workflows/flaky/run?wait=true', { n: 7 });
    assert.equal(failed.body.status, 'failed');
    assert.equal(failed.body.error.node, 'call');
    failedId = failed.body.id;

    remote.on('POST', '/flaky', { json: { fixed: true } });
    const retried = await s.api('POST', `/api/v1/executions/${failedId}/retry?wait=true`, {});
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.body.status, 'completed');
    assert.equal(retried.body.mode, 'retry');
    assert.notEqual(retried.body.id, failedId);
    // The set node's result was reused, not run again: its timestamps are those of the first run.
    const firstCount = failed.body.node_results.find((r: { node_id: string }) => r.node_id === 'count');
    const againCount = retried.body.node_results.find((r: { node_id: string }) => r.node_id === 'count');
    assert.equal(againCount.started_at, firstCount.started_at);
    assert.equal(retried.body.variables.n, 7);

    const fromStart = await s.api('POST', `/api/v1/executions/${failedId}/retry`, { from_node: 'start', version: 'latest' });
    assert.equal(fromStart.status, 202);
    await waitFor('the retry to finish', async () => (await s.api('GET', `/api/v1/executions/${fromStart.body.execution_id}`)).body.status === 'completed');

    const badNode = await s.api('POST', `/api/v1/executions/${failedId}/retry`, { from_node: 'nope' });
    assert.equal(badNode.status, 400);
    const badBody = await s.api('POST', `/api/v1/executions/${failedId}/retry`, { version: 'oldest', extra: 1 });
    assert.equal(badBody.status, 400);
    assert.deepEqual(badBody.body.error.details.map((d: { path: string }) => d.path).sort(), ['body', 'body.version'].sort());
  });

  test('list with filters and cursor paging; get one with every node result', async () => {
    const all = await s.api('GET', '/api/v1/executions?workflow=flaky');
    assert.equal(all.body.data.length, 3);
    const failed = await s.api('GET', '/api/v1/executions?workflow=flaky&status=failed');
    assert.deepEqual(
      failed.body.data.map((e: { id: string }) => e.id),
      [failedId],
    );
    const several = await s.api('GET', '/api/v1/executions?status=failed,completed&since=2000-01-01T00:00:00Z');
    assert.equal(several.body.data.length, 3);
    const page1 = await s.api('GET', '/api/v1/executions?limit=2');
    assert.equal(page1.body.data.length, 2);
    assert.ok(page1.body.next_cursor);
    const page2 = await s.api('GET', `/api/v1/executions?limit=2&cursor=${page1.body.next_cursor}`);
    assert.equal(page2.body.data.length, 1);
    assert.equal(page2.body.next_cursor, null);
    const one = await s.api('GET', `/api/v1/executions/${failedId}`);
    assert.equal(one.body.node_results.length, 3);
    assert.equal(one.body.trigger_data.n, 7);
    const bad = await s.api('GET', '/api/v1/executions?status=done&since=yesterday');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.map((d: { path: string }) => d.path).sort(), ['query.since', 'query.status']);
  });

  test('cancel a running execution; a finished one cannot be cancelled; delete', async () => {
    await s.api('POST', '/api/v1/workflows', chain('slow', [{ id: 'start', type: 'manual_trigger' }, { id: 'nap', type: 'wait', config: { amount: 30, unit: 'seconds' } }]));
    const started = await s.api('POST', '/api/v1/workflows/slow/run', {});
    const id = started.body.execution_id;
    const running = await s.api('DELETE', `/api/v1/executions/${id}`);
    assert.equal(running.status, 409);
    assert.equal(running.body.error.code, 'EXECUTION_RUNNING');
    const cancelled = await s.api('POST', `/api/v1/executions/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    const again = await s.api('POST', `/api/v1/executions/${id}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'EXECUTION_NOT_RUNNING');
    assert.equal((await s.api('DELETE', `/api/v1/executions/${id}`)).status, 204);
    assert.equal((await s.api('GET', `/api/v1/executions/${id}`)).status, 404);
    assert.equal((await s.api('POST', `/api/v1/executions/${id}/cancel`)).status, 404);
    assert.equal((await s.api('DELETE', `/api/v1/executions/${id}`)).status, 404);
  });
});

describe('nodes', () => {
  test('the catalog lists every node with its fields; one node adds the common settings', async () => {
    const list = await s.api('GET', '/api/v1/nodes');
    assert.equal(list.body.next_cursor, null);
    const types = list.body.data.map((n: { type: string }) => n.type);
    for (const t of ['webhook-trigger', 'webhook-response', 'schedule_trigger', 'set_variable', 'http_request']) assert.ok(types.includes(t), t);
    const one = await s.api('GET', '/api/v1/nodes/webhook-response');
    assert.equal(one.body.type, 'webhook-response');
    assert.ok(one.body.fields.some((f: { name: string }) => f.name === 'status_code'));
    assert.ok(one.body.common_fields.some((f: { name: string }) => f.name === 'on_error'));
    const missing = await s.api('GET', '/api/v1/nodes/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'NODE_TYPE_NOT_FOUND');
  });
});

describe('credentials', () => {
  let id: string;

  test('added, listed and read with values masked', async () => {
    const created = await s.api('POST', '/api/v1/credentials', { type: 'bearer', name: 'remote-api', fields: { token: 'good-token-123', base_url: remote.url + '/ok' } });
    assert.equal(created.status, 201, created.text);
    id = created.body.id;
    assert.equal(created.body.fields.token, '••••');
    assert.equal(created.body.fields.base_url, remote.url + '/ok');
    assert.ok(!created.text.includes('good-token-123'));
    const list = await s.api('GET', '/api/v1/credentials');
    assert.equal(list.body.data.length, 1);
    assert.deepEqual(list.body.data[0].field_names.sort(), ['base_url', 'token']);
    assert.ok(!list.text.includes('good-token-123'));
    const byName = await s.api('GET', '/api/v1/credentials/remote-api');
    assert.equal(byName.body.id, id);
    assert.ok(!byName.text.includes('good-token-123'));
  });

  test('bad input is 400 with paths; a taken name 409; unknown 404', async () => {
    const bad = await s.api('POST', '/api/v1/credentials', { type: 'bearer', name: 'x', fields: {} });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'CREDENTIAL_INVALID');
    const shape = await s.api('POST', '/api/v1/credentials', { type: 5 });
    assert.equal(shape.status, 400);
    assert.deepEqual(shape.body.error.details.map((d: { path: string }) => d.path).sort(), ['body.fields', 'body.name', 'body.type']);
    const taken = await s.api('POST', '/api/v1/credentials', { type: 'bearer', name: 'remote-api', fields: { token: 'another-token' } });
    assert.equal(taken.status, 409);
    assert.equal((await s.api('GET', '/api/v1/credentials/nope')).status, 404);
  });

  test('test: an HTTP credential against its base_url, right and wrong', async () => {
    const ok = await s.api('POST', `/api/v1/credentials/${id}/test`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.ok, true);
    const changed = await s.api('PUT', `/api/v1/credentials/${id}`, { fields: { token: 'bad-token-456' } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.fields.token, '••••');
    const rejected = await s.api('POST', `/api/v1/credentials/${id}/test`);
    assert.equal(rejected.body.ok, false);
    assert.match(rejected.body.message, /401/);
    assert.ok(!rejected.text.includes('bad-token-456'));
  });

  test('test: a Postgres credential runs select 1; a type without a test is 422', async () => {
    const pg = await s.api('POST', '/api/v1/credentials', { type: 'postgres', name: 'local-pg', fields: { host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres' } });
    assert.equal(pg.status, 201, pg.text);
    const ok = await s.api('POST', '/api/v1/credentials/local-pg/test');
    assert.equal(ok.body.ok, true, ok.text);
    await s.api('PUT', '/api/v1/credentials/local-pg', { fields: { port: 1 } });
    const down = await s.api('POST', '/api/v1/credentials/local-pg/test');
    assert.equal(down.body.ok, false);
    const aws = await s.api('POST', '/api/v1/credentials', { type: 'api_key', name: 'no-base', fields: { key: 'k-123456789' } });
    assert.equal(aws.status, 201);
    const unsupported = await s.api('POST', '/api/v1/credentials/no-base/test');
    assert.equal(unsupported.status, 422);
    assert.equal(unsupported.body.error.code, 'CREDENTIAL_TEST_UNSUPPORTED');
  });

  test('delete', async () => {
    assert.equal((await s.api('DELETE', '/api/v1/credentials/no-base')).status, 204);
    assert.equal((await s.api('DELETE', '/api/v1/credentials/no-base')).status, 404);
  });
});

describe('settings', () => {
  test('read all, change some, refuse bad ones without storing any', async () => {
    const all = await s.api('GET', '/api/v1/settings');
    assert.equal(all.body['executions.retention_days'], 14);
    const changed = await s.api('PUT', '/api/v1/settings', { 'executions.retention_days': 30 });
    assert.equal(changed.status, 200);
    assert.equal(changed.body['executions.retention_days'], 30);
    const bad = await s.api('PUT', '/api/v1/settings', { 'executions.max_count': 5, 'executions.retention_days': -1, 'no.such': 1 });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.map((d: { path: string }) => d.path).sort(), ['executions.retention_days', 'no.such']);
    const after = await s.api('GET', '/api/v1/settings');
    assert.equal(after.body['executions.max_count'], 10_000, 'nothing stored when one value is bad');
    const notObject = await s.api('PUT', '/api/v1/settings', [1, 2]);
    assert.equal(notObject.status, 400);
  });
});
