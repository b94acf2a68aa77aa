/**
 * The REST API for workflows, with the guards every /api request meets: token, Host, CORS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { chain, startInProcess, type TestServer } from './helpers.js';

let s: TestServer;

before(async () => {
  s = await startInProcess();
});
after(async () => {
  await s.close();
});

/** A raw request, so the Host header can be anything. */
function rawGet(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const hello = () =>
  chain('hello', [
    { id: 'start', type: 'manual_trigger' },
    { id: 'greet', type: 'set_variable', config: { variable_name: 'greeting', value: 'Hello {{ $trigger.name }}' } },
  ]);

describe('API guards', () => {
  test('a request without the token is refused before its body is read', async () => {
    const r = await s.request('POST', '/api/v1/workflows', { body: '{not json', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'UNAUTHORIZED');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('a wrong token is refused, the right one accepted', async () => {
    const wrong = await s.request('GET', '/api/v1/workflows', { headers: { authorization: `Bearer ${s.token}x` } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error.message, /wrong/);
    const right = await s.api('GET', '/api/v1/workflows');
    assert.equal(right.status, 200);
    assert.deepEqual(right.body, { data: [], next_cursor: null });
  });

  test('the token is stored owner-only in the data dir', async () => {
    const file = join(s.dataDir, 'api-token');
    assert.equal(readFileSync(file, 'utf8').trim(), s.token);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  test('a request for a host name other than the server’s is refused (DNS rebinding)', async () => {
    const evil = await rawGet(s.url, '/api/v1/workflows', { host: 'evil.example.com', authorization: `Bearer ${s.token}` });
    assert.equal(evil.status, 403);
    assert.equal(JSON.parse(evil.body).error.code, 'HOST_NOT_ALLOWED');
    const health = await rawGet(s.url, '/healthz', { host: 'attacker.test:5678' });
    assert.equal(health.status, 403);
    const local = await rawGet(s.url, '/api/v1/workflows', { host: 'localhost:1234', authorization: `Bearer ${s.token}` });
    assert.equal(local.status, 200);
  });

  test('no CORS headers unless configured', async () => {
    const r = await s.api('GET', '/api/v1/workflows', undefined, { origin: 'https://example.com' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const preflight = await s.request('OPTIONS', '/api/v1/workflows', { headers: { origin: 'https://example.com', 'access-control-request-method': 'GET' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  });

  test('an encoded path does not get around the token', async () => {
    const r = await s.request('GET', '/%61pi/v1/workflows');
    assert.notEqual(r.status, 200);
  });

  test('unknown routes answer 404 in the error shape', async () => {
    const r = await s.api('GET', '/api/v1/nothing');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'NOT_FOUND');
    assert.ok('details' in r.body.error);
  });
});

describe('workflows', () => {
  test('create, read as the object of its YAML file, list, and mirror to the workflows folder', async () => {
    const created = await s.api('POST', '/api/v1/workflows', hello());
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), '/api/v1/workflows/hello');
    assert.equal(created.body.id, 'hello');
    assert.equal(created.body.version, 1);
    assert.deepEqual(Object.keys(created.body), ['id', 'name', 'description', 'version', 'nodes', 'connections', 'variables', 'settings', 'tags', 'created_at', 'updated_at']);
    const got = await s.api('GET', '/api/v1/workflows/hello');
    assert.deepEqual(got.body, created.body);
    assert.equal(got.headers.get('x-skynette-active'), 'false');
    assert.ok(existsSync(join(s.dataDir, 'workflows', 'hello.yaml')));
    const list = await s.api('GET', '/api/v1/workflows?search=HEL');
    assert.equal(list.body.data.length, 1);
    assert.equal(list.body.data[0].active, false);
    assert.equal(list.body.next_cursor, null);
  });

  test('a workflow can be sent as YAML text', async () => {
    const yaml = 'id: from-yaml\nname: From YAML\ntags: [yaml]\nnodes:\n  - {id: start, type: manual_trigger}\n';
    const r = await s.api('POST', '/api/v1/workflows', yaml, { 'content-type': 'application/yaml' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.name, 'From YAML');
    const byTag = await s.api('GET', '/api/v1/workflows?tag=yaml');
    assert.deepEqual(
      byTag.body.data.map((w: { id: string }) => w.id),
      ['from-yaml'],
    );
  });

  test('a bad workflow is refused with 400 and the path of every bad field', async () => {
    const r = await s.api('POST', '/api/v1/workflows', {
      name: 'Broken',
      nodes: [
        { id: 'a', type: 'manual_trigger' },
        { id: 'b', type: 'set_variabel', config: {} },
        { id: 'c', type: 'http_request', config: { method: 'FETCH' } },
      ],
      connections: [{ source_node_id: 'a', target_node_id: 'zzz' }],
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'VALIDATION_FAILED');
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    assert.ok(paths.includes('nodes[1].type'), paths.join());
    assert.ok(paths.includes('nodes[2].config.url'), paths.join());
    assert.ok(paths.includes('nodes[2].config.method'), paths.join());
    assert.ok(paths.includes('connections[0].target_node_id'), paths.join());
  });

  test('malformed JSON is a 400, a body over the API limit a 413', async () => {
    const bad = await s.api('POST', '/api/v1/workflows', '{"name": ', { 'content-type': 'application/json' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'INVALID_JSON');
    const big = await s.api('POST', '/api/v1/workflows', { name: 'big', description: 'x'.repeat(11 * 1024 * 1024) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  test('an id or a name that exists is a 409', async () => {
    const again = await s.api('POST', '/api/v1/workflows', hello());
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'WORKFLOW_EXISTS');
    const sameName = await s.api('POST', '/api/v1/workflows', { ...hello(), id: 'other' });
    assert.equal(sameName.status, 409);
    assert.equal(sameName.body.error.code, 'WORKFLOW_NAME_TAKEN');
  });

  test('PUT makes a new version; versions and older versions can be read', async () => {
    const changed = { ...hello(), description: 'now with a description' };
    const put = await s.api('PUT', '/api/v1/workflows/hello', changed);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.version, 2);
    const same = await s.api('PUT', '/api/v1/workflows/hello', changed);
    assert.equal(same.body.version, 2, 'an unchanged workflow adds no version');
    const versions = await s.api('GET', '/api/v1/workflows/hello/versions');
    assert.deepEqual(
      versions.body.data.map((v: { version: number }) => v.version),
      [2, 1],
    );
    const firstPage = await s.api('GET', '/api/v1/workflows/hello/versions?limit=1');
    assert.equal(firstPage.body.data.length, 1);
    const secondPage = await s.api('GET', `/api/v1/workflows/hello/versions?limit=1&cursor=${firstPage.body.next_cursor}`);
    assert.equal(secondPage.body.data[0].version, 1);
    assert.equal(secondPage.body.next_cursor, null);
    const v1 = await s.api('GET', '/api/v1/workflows/hello?version=1');
    assert.equal(v1.body.description, '');
    const missing = await s.api('GET', '/api/v1/workflows/hello?version=9');
    assert.equal(missing.status, 404);
    const mismatch = await s.api('PUT', '/api/v1/workflows/hello', { ...changed, id: 'not-hello' });
    assert.equal(mismatch.status, 400);
  });

  test('bad query parameters are 400 with their path', async () => {
    const r = await s.api('GET', '/api/v1/workflows?limit=0&cursor=@@');
    assert.equal(r.status, 400);
    assert.ok(r.body.error.details.some((d: { path: string }) => d.path === 'query.limit'));
  });

  test('run with ?wait=true answers the finished execution; without, 202 and the id', async () => {
    const done = await s.api('POST', '/api/v1/workflows/hello/run?wait=true', { name: 'Ada' });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.mode, 'api');
    assert.equal(done.body.variables.greeting, 'Hello Ada');
    assert.equal(done.body.node_results.length, 2);
    const started = await s.api('POST', '/api/v1/workflows/hello/run', { name: 'Grace' });
    assert.equal(started.status, 202);
    assert.equal(started.headers.get('location'), `/api/v1/executions/${started.body.execution_id}`);
    const stored = await s.api('GET', `/api/v1/executions/${started.body.execution_id}`);
    assert.equal(stored.status, 200);
  });

  test('a workflow with nothing to serve cannot be activated (422)', async () => {
    const r = await s.api('POST', '/api/v1/workflows/hello/activate');
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'WORKFLOW_NOT_ACTIVATABLE');
  });

  test('activate and deactivate a webhook workflow; the list shows it active', async () => {
    await s.api('POST', '/api/v1/workflows', chain('hooked', [{ id: 'in', type: 'webhook-trigger', config: { path: 'hooked' } }]));
    // curl -X POST -H 'content-type: application/json' sends an empty JSON body: that is no body.
    const on = await s.request('POST', '/api/v1/workflows/hooked/activate', { headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' } });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.body.active, true);
    assert.equal(on.body.webhooks[0].url, `${s.url}/webhook/hooked`);
    const listed = await s.api('GET', '/api/v1/workflows?search=hooked');
    assert.equal(listed.body.data[0].active, true);
    const off = await s.api('POST', '/api/v1/workflows/hooked/deactivate');
    assert.equal(off.body.active, false);
    const call = await s.request('POST', '/webhook/hooked');
    assert.equal(call.status, 404);
  });

  test('delete removes the workflow and its file; then 404', async () => {
    const r = await s.api('DELETE', '/api/v1/workflows/from-yaml');
    assert.equal(r.status, 204);
    assert.equal(existsSync(join(s.dataDir, 'workflows', 'from-yaml.yaml')), false);
    assert.equal((await s.api('GET', '/api/v1/workflows/from-yaml')).status, 404);
    assert.equal((await s.api('DELETE', '/api/v1/workflows/from-yaml')).body.error.code, 'WORKFLOW_NOT_FOUND');
  });

  test('list pages with a cursor', async () => {
    for (let i = 0; i < 3; i++) await s.api('POST', '/api/v1/workflows', chain(`page-${i}`, [{ id: 'start', type: 'manual_trigger' }]));
    const first = await s.api('GET', '/api/v1/workflows?search=page-&limit=2');
    assert.equal(first.body.data.length, 2);
    assert.ok(first.body.next_cursor);
    const second = await s.api('GET', `/api/v1/workflows?search=page-&limit=2&cursor=${first.body.next_cursor}`);
    assert.equal(second.body.data.length, 1);
    assert.equal(second.body.next_cursor, null);
  });
});

describe('OpenAPI document', () => {
  test('is served and every route it lists exists', async () => {
    const r = await s.api('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    for (const [path, operations] of Object.entries(r.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) {
        if (method === 'parameters') continue;
        const concrete = path.replace('{id}', 'does-not-exist').replace('{type}', 'does-not-exist');
        const answer = await s.api(method.toUpperCase(), concrete, method === 'get' || method === 'delete' ? undefined : {});
        assert.notEqual(answer.body?.error?.code, 'NOT_FOUND', `${method.toUpperCase()} ${path} is documented but has no route`);
      }
    }
  });
});
