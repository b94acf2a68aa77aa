/**
 * Serving webhooks: response modes, path parameters, trigger data and body parsing, the limits
 * (404, 405, 413, 415, 429), test webhooks, activation conflicts and unsaved (speed mode) runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chain, startInProcess, waitFor, type TestServer } from './helpers.js';

let s: TestServer;

async function create(workflow: Record<string, unknown>, activate = true): Promise<void> {
  const r = await s.api('POST', '/api/v1/workflows', workflow);
  assert.equal(r.status, 201, r.text);
  if (activate) {
    const on = await s.api('POST', `/api/v1/workflows/${workflow.id}/activate`);
    assert.equal(on.status, 200, on.text);
  }
}

const hook = (path: string, config: Record<string, unknown> = {}) => ({ id: 'in', type: 'webhook-trigger', config: { path, method: 'POST', ...config } });

before(async () => {
  s = await startInProcess({ env: { SKYNETTE_WEBHOOK_BODY_LIMIT: String(64 * 1024) } });
});
after(async () => {
  await s.close();
});

describe('response modes', () => {
  test('immediate: 202 with the execution id, which is saved by then', async () => {
    await create(chain('imm', [hook('imm'), { id: 'nap', type: 'wait', config: { amount: 200, unit: 'milliseconds' } }]));
    const r = await s.request('POST', '/webhook/imm', { body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 202);
    assert.equal(r.body.status, 'accepted');
    const id = r.body.execution_id;
    const stored = await s.api('GET', `/api/v1/executions/${id}`);
    assert.equal(stored.status, 200);
    assert.equal(stored.body.mode, 'webhook');
    await waitFor('the run to finish', async () => (await s.api('GET', `/api/v1/executions/${id}`)).body.status === 'completed');
  });

  test('last_node: the last node’s output as JSON; a failure is 500 without internals', async () => {
    await create(
      chain('last', [
        hook('last', { response_mode: 'last_node' }),
        { id: 'pick', type: 'set_variable', config: { variable_name: 'total', value: '{{ $prev.body.a + $prev.body.b }}' } },
        { id: 'branch', type: 'if_else', config: { expression: '{{ $vars.total > 100 }}' } },
      ]),
    );
    const r = await s.request('POST', '/webhook/last', { body: '{"a": 1, "b": 2}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value, 3);
    await create(chain('last-fail', [hook('last-fail', { response_mode: 'last_node' }), { id: 'boom', type: 'set_variable', config: { variable_name: 'x', value: 'not-a-number', value_type: 'number' } }]));
    const failed = await s.request('POST', '/webhook/last-fail', { body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(failed.status, 500);
    assert.equal(failed.body.error.code, 'EXECUTION_FAILED');
    assert.doesNotMatch(failed.text, /not-a-number/);
    const id = failed.body.error.details.execution_id;
    assert.equal((await s.api('GET', `/api/v1/executions/${id}`)).body.status, 'failed');
  });

  test('webhook-response: status, headers, body and content type set by the workflow; later nodes still run', async () => {
    await create(
      chain('respond', [
        hook('respond', { response_mode: 'response_node' }),
        {
          id: 'reply',
          type: 'webhook-response',
          config: { status_code: 201, content_type: 'text/csv', headers: { 'X-Order': '{{ $trigger.body.id }}', 'Content-Length': '1' }, body: 'id,total\n{{ $trigger.body.id }},9\n' },
        },
        { id: 'after', type: 'wait', config: { amount: 1500, unit: 'milliseconds' } },
        { id: 'note', type: 'set_variable', config: { variable_name: 'done', value: true } },
      ]),
    );
    const started = Date.now();
    const r = await s.request('POST', '/webhook/respond', { body: '{"id": "A7"}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'text/csv');
    assert.equal(r.headers.get('x-order'), 'A7');
    assert.equal(r.text, 'id,total\nA7,9\n');
    assert.ok(Date.now() - started < 1200, 'answered before the wait after the response node');
    const list = await s.api('GET', '/api/v1/executions?workflow=respond');
    const id = list.body.data[0].id;
    const record = await waitFor('the rest of the run', async () => {
      const e = await s.api('GET', `/api/v1/executions/${id}`);
      return e.body.status === 'completed' && e.body;
    });
    assert.equal(record.variables.done, true);
    const reply = record.node_results.find((n: { node_id: string }) => n.node_id === 'reply');
    assert.equal(reply.status, 'completed', 'the answer was saved before it was sent');
  });

  test('webhook-response with JSON (the default) and no response node: the last output', async () => {
    await create(chain('respond-json', [hook('respond-json', { response_mode: 'response_node' }), { id: 'reply', type: 'webhook-response', config: { body: { ok: true, got: '{{ $trigger.body }}' } } }]));
    const r = await s.request('POST', '/webhook/respond-json', { body: '{"x": [1,2]}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(r.body, { ok: true, got: { x: [1, 2] } });
    await create(chain('respond-none', [hook('respond-none', { response_mode: 'response_node' }), { id: 'calc', type: 'set_variable', config: { variable_name: 'v', value: 5 } }]));
    const fallback = await s.request('POST', '/webhook/respond-none');
    assert.equal(fallback.status, 200);
    assert.equal(fallback.body.value, 5);
  });
});

describe('paths and trigger data', () => {
  test('path parameters, query, lower-case headers, client ip and time', async () => {
    await create(chain('orders', [hook('/orders/:orderId/items/:item', { method: 'ANY', response_mode: 'last_node' }), { id: 'echo', type: 'set_variable', config: { variable_name: 't', value: '{{ $trigger }}' } }]));
    const r = await s.request('PATCH', '/webhook/orders/A%2017/items/3?color=red&color=blue&size=L', { body: '{"q": 2}', headers: { 'content-type': 'application/json', 'X-Custom': 'Yes' } });
    assert.equal(r.status, 200, r.text);
    const t = r.body.value;
    assert.equal(t.method, 'PATCH');
    assert.equal(t.path, '/webhook/orders/A%2017/items/3');
    assert.deepEqual(t.params, { orderId: 'A 17', item: '3' });
    assert.deepEqual(t.query, { color: ['red', 'blue'], size: 'L' });
    assert.equal(t.headers['x-custom'], 'Yes');
    assert.deepEqual(t.body, { q: 2 });
    assert.equal(t.client_ip, '127.0.0.1');
    assert.ok(Date.now() - Date.parse(t.received_at) < 5000);
    const static_ = await s.request('GET', '/webhook/orders/9/items/1/');
    assert.equal(static_.status, 200, 'a trailing slash is the same path');
  });

  test('a static path wins over a parameter at the same place', async () => {
    await create(chain('orders-new', [hook('orders/new/items/:item', { response_mode: 'last_node' }), { id: 'mark', type: 'set_variable', config: { variable_name: 'which', value: 'static' } }]));
    const r = await s.request('POST', '/webhook/orders/new/items/1');
    assert.equal(r.body.value, 'static');
  });

  test('bodies: urlencoded form, text, XML, multipart with files stored for the execution', async () => {
    await create(chain('bodies', [hook('bodies', { response_mode: 'last_node' }), { id: 'echo', type: 'set_variable', config: { variable_name: 't', value: '{{ $trigger }}' } }]));
    const form = await s.request('POST', '/webhook/bodies', { body: 'a=1&b=two&a=3', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(form.body.value.body, { a: ['1', '3'], b: 'two' });
    const text = await s.request('POST', '/webhook/bodies', { body: 'plain words', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    assert.equal(text.body.value.body, 'plain words');
    const xml = await s.request('POST', '/webhook/bodies', { body: '<a>1</a>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.body.value.body, '<a>1</a>');
    const data = new FormData();
    data.append('title', 'report');
    data.append('upload', new Blob(['col\n1\n'], { type: 'text/csv' }), '../../etc/report.csv');
    const multi = await s.request('POST', '/webhook/bodies', { body: data });
    assert.equal(multi.status, 200, multi.text);
    const t = multi.body.value;
    assert.deepEqual(t.body, { title: 'report' });
    assert.equal(t.files.length, 1);
    const file = t.files[0];
    assert.equal(file.field, 'upload');
    assert.equal(file.filename, '../../etc/report.csv');
    assert.equal(file.content_type, 'text/csv');
    assert.equal(file.size, 6);
    assert.ok(file.path.startsWith(s.dataDir), file.path);
    assert.match(file.path, /webhook-files\/[0-9a-f-]+\/1-report\.csv$/);
    assert.equal(readFileSync(file.path, 'utf8'), 'col\n1\n');
  });

  test('a JSON field is never a file, and prototype keys are refused', async () => {
    const looksLikeFile = JSON.stringify({ files: [{ path: '/etc/passwd', filename: 'passwd' }], upload: { filepath: '/etc/passwd' } });
    const r = await s.request('POST', '/webhook/bodies', { body: looksLikeFile, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.value.files, undefined);
    assert.deepEqual(r.body.value.body, JSON.parse(looksLikeFile));
    const proto = await s.request('POST', '/webhook/bodies', { body: '{"__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' } });
    assert.equal(proto.status, 400);
    assert.equal(proto.body.error.code, 'WEBHOOK_BODY_INVALID');
    const broken = await s.request('POST', '/webhook/bodies', { body: '{"a":', headers: { 'content-type': 'application/json' } });
    assert.equal(broken.status, 400);
    const json = await s.request('POST', '/webhook/bodies', { body: '{"a":1}', headers: { 'content-type': 'application/vnd.api+json' } });
    assert.deepEqual(json.body.value.body, { a: 1 });
  });

  test('404 unknown path, 405 wrong method with Allow, 415 unknown content type, 413 above the limit', async () => {
    const unknown = await s.request('POST', '/webhook/nowhere');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'WEBHOOK_NOT_FOUND');
    const wrong = await s.request('GET', '/webhook/bodies');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    const binary = await s.request('POST', '/webhook/bodies', { body: new Uint8Array([1, 2, 3]), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(binary.status, 415);
    assert.equal(binary.body.error.code, 'UNSUPPORTED_MEDIA_TYPE');
    const noType = await s.request('POST', '/webhook/bodies', { body: new Uint8Array([1, 2, 3]) });
    assert.equal(noType.status, 415);
    const big = await s.request('POST', '/webhook/bodies', { body: JSON.stringify({ x: 'y'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  test('rate limit: 429 with Retry-After above the limit', async () => {
    await create(chain('limited', [hook('limited', { rate_limit_per_minute: 3 })]));
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await s.request('POST', '/webhook/limited')).status);
    assert.deepEqual(codes, [202, 202, 202, 429, 429]);
    const r = await s.request('POST', '/webhook/limited');
    assert.equal(r.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  });
});

describe('activation', () => {
  test('two workflows cannot serve the same method and path: 409, also when activated at once', async () => {
    await create(chain('claim-a', [hook('shared/:id')]), false);
    await create(chain('claim-b', [hook('shared/:key')]), false);
    const [a, b] = await Promise.all([s.api('POST', '/api/v1/workflows/claim-a/activate'), s.api('POST', '/api/v1/workflows/claim-b/activate')]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409]);
    const loser = a.status === 409 ? a : b;
    assert.equal(loser.body.error.code, 'WEBHOOK_CONFLICT');
    const winner = a.status === 200 ? 'claim-a' : 'claim-b';
    const other = winner === 'claim-a' ? 'claim-b' : 'claim-a';
    assert.equal((await s.api('GET', `/api/v1/workflows?search=${other}`)).body.data[0].active, false);
    // ANY overlaps every method; a different method on the same path does not.
    await create(chain('claim-any', [hook('shared/:x', { method: 'ANY' })]), false);
    assert.equal((await s.api('POST', '/api/v1/workflows/claim-any/activate')).status, 409);
    await create(chain('claim-get', [hook('shared/:x', { method: 'GET' })]), false);
    assert.equal((await s.api('POST', '/api/v1/workflows/claim-get/activate')).status, 200);
    // Saving an active workflow onto a taken path is refused and nothing is saved.
    const before = (await s.api('GET', '/api/v1/workflows/claim-get')).body;
    const put = await s.api('PUT', '/api/v1/workflows/claim-get', { ...before, nodes: [{ ...before.nodes[0], config: { path: 'shared/:y', method: 'POST' } }] });
    assert.equal(put.status, 409);
    assert.equal((await s.api('GET', '/api/v1/workflows/claim-get')).body.version, before.version);
    await s.api('POST', `/api/v1/workflows/${winner}/deactivate`);
    assert.equal((await s.api('POST', `/api/v1/workflows/${other}/activate`)).status, 200);
  });

  test('ten activations racing for one path: exactly one wins', async () => {
    for (let i = 0; i < 10; i++) await create(chain(`race-${i}`, [hook('race')]), false);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => s.api('POST', `/api/v1/workflows/race-${i}/activate`)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.equal(results.filter((r) => r.status === 409).length, 9);
  });

  test('an active workflow serves its new version as soon as it is saved', async () => {
    await create(chain('versioned', [hook('versioned', { response_mode: 'last_node' }), { id: 'v', type: 'set_variable', config: { variable_name: 'v', value: 'one' } }]));
    assert.equal((await s.request('POST', '/webhook/versioned')).body.value, 'one');
    const wf = (await s.api('GET', '/api/v1/workflows/versioned')).body;
    wf.nodes[1].config.value = 'two';
    assert.equal((await s.api('PUT', '/api/v1/workflows/versioned', wf)).status, 200);
    assert.equal((await s.request('POST', '/webhook/versioned')).body.value, 'two');
  });

  test('/webhook-test/ runs the latest saved version of an inactive workflow', async () => {
    await create(chain('draft', [hook('draft', { response_mode: 'last_node' }), { id: 'v', type: 'set_variable', config: { variable_name: 'v', value: 'draft' } }]), false);
    assert.equal((await s.request('POST', '/webhook/draft')).status, 404);
    const r = await s.request('POST', '/webhook-test/draft');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value, 'draft');
    const list = await s.api('GET', '/api/v1/executions?workflow=draft');
    assert.equal(list.body.data[0].mode, 'webhook-test');
    assert.equal((await s.request('GET', '/webhook-test/draft')).status, 405);
    assert.equal((await s.request('POST', '/webhook-test/nothing-here')).status, 404);
  });

  test('settings.save_executions false: runs are answered but not saved', async () => {
    await create({ ...chain('fast', [hook('fast', { response_mode: 'last_node' }), { id: 'v', type: 'set_variable', config: { variable_name: 'v', value: '{{ $trigger.body.n * 2 }}' } }]), settings: { save_executions: false } });
    const r = await s.request('POST', '/webhook/fast', { body: '{"n": 21}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.body.value, 42);
    const imm = await s.api('PUT', '/api/v1/workflows/fast', { ...chain('fast', [hook('fast')]), settings: { save_executions: false } });
    assert.equal(imm.status, 200);
    const accepted = await s.request('POST', '/webhook/fast');
    assert.equal(accepted.status, 202);
    assert.equal((await s.api('GET', '/api/v1/executions?workflow=fast')).body.data.length, 0);
  });
});

describe('metrics and health', () => {
  test('/healthz, /readyz and /metrics in the Prometheus format', async () => {
    assert.deepEqual((await s.request('GET', '/healthz')).body, { status: 'ok' });
    assert.deepEqual((await s.request('GET', '/readyz')).body, { status: 'ready' });
    const m = await s.request('GET', '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = m.text;
    assert.match(text, /# TYPE skynette_executions_total counter/);
    assert.match(text, /skynette_executions_total\{workflow_id="last",workflow="last",status="completed",mode="webhook"\} \d+/);
    assert.match(text, /skynette_executions_total\{workflow_id="last-fail",workflow="last-fail",status="failed",mode="webhook"\} 1/);
    assert.match(text, /skynette_execution_duration_seconds_bucket\{workflow_id="last",workflow="last",le="\+Inf"\} \d+/);
    assert.match(text, /skynette_node_duration_seconds_count\{node_type="set_variable",status="completed"\} \d+/);
    assert.match(text, /skynette_webhook_requests_total\{code="404"\} \d+/);
    assert.match(text, /skynette_webhook_requests_total\{code="429"\} 3/);
    assert.match(text, /skynette_executions_running \d+/);
    assert.match(text, /process_resident_memory_bytes \d+/);
    assert.match(text, /process_cpu_seconds_total [\d.]+/);
    assert.ok(!existsSync(`${s.dataDir}/executions/webhook-files/none`));
  });
});
