/**
 * Every webhook auth mode with the right, a wrong and a missing secret; secrets from the vault;
 * and the HMAC signature exactly as the webhook-call node makes it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { webhookSignature } from '../../src/nodes/core/http/webhook-call.js';
import { chain, startInProcess, type TestServer } from './helpers.js';

let s: TestServer;

function hookWorkflow(id: string, trigger: Record<string, unknown>) {
  return chain(id, [
    { id: 'in', type: 'webhook-trigger', config: { path: id, method: 'POST', response_mode: 'last_node', ...trigger } },
    { id: 'echo', type: 'set_variable', config: { variable_name: 'seen', value: '{{ $trigger }}' } },
  ]);
}

async function activate(id: string, trigger: Record<string, unknown>): Promise<void> {
  const created = await s.api('POST', '/api/v1/workflows', hookWorkflow(id, trigger));
  assert.equal(created.status, 201, created.text);
  const on = await s.api('POST', `/api/v1/workflows/${id}/activate`);
  assert.equal(on.status, 200, on.text);
}

function post(path: string, headers: Record<string, string> = {}, body = '{"order": 1}') {
  return s.request('POST', path, { body, headers: { 'content-type': 'application/json', ...headers } });
}

function assertRefused(r: { status: number; headers: Headers; body: any }, scheme: RegExp): void {
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'UNAUTHORIZED');
  assert.match(r.headers.get('www-authenticate') ?? '', scheme);
}

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

before(async () => {
  s = await startInProcess();
  await s.api('POST', '/api/v1/credentials', { type: 'api_key', name: 'hook-key', fields: { key: 'vault-key-0123456789' } });
  await s.api('POST', '/api/v1/credentials', { type: 'bearer', name: 'hook-bearer', fields: { token: 'vault-bearer-0123456789' } });
  await s.api('POST', '/api/v1/credentials', { type: 'basic_auth', name: 'hook-basic', fields: { username: 'ada', password: 'lovelace-1815' } });
  await activate('none', { auth_type: 'none' });
  await activate('header', { auth_type: 'header', auth_credential: 'hook-key' });
  await activate('header-inline', { auth_type: 'header', header_name: 'X-Secret', auth_token: 'inline-token-42' });
  await activate('query', { auth_type: 'query', query_param: 'key', auth_credential: 'hook-key' });
  await activate('basic', { auth_type: 'basic', auth_credential: 'hook-basic' });
  await activate('basic-inline', { auth_type: 'basic', auth_token: 'grace:hopper-1906' });
  await activate('bearer', { auth_type: 'bearer', auth_credential: 'hook-bearer' });
  await activate('hmac', { auth_type: 'hmac_sha256', auth_credential: 'hook-key' });
  await activate('hmac-github', { auth_type: 'hmac_sha256', header_name: 'X-Hub-Signature-256', auth_token: 'github-secret-xyz' });
});
after(async () => {
  await s.close();
});

describe('webhook auth', () => {
  test('none: anyone may call', async () => {
    const r = await post('/webhook/none');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value.body.order, 1);
  });

  test('header: token from the vault, in X-Webhook-Token by default', async () => {
    assert.equal((await post('/webhook/header', { 'x-webhook-token': 'vault-key-0123456789' })).status, 200);
    assertRefused(await post('/webhook/header', { 'x-webhook-token': 'vault-key-012345678' }), /^Token realm="skynette", header="x-webhook-token"/);
    assertRefused(await post('/webhook/header'), /^Token/);
  });

  test('header: an inline token in a named header; the token is not kept in the execution', async () => {
    const r = await post('/webhook/header-inline', { 'X-Secret': 'inline-token-42' });
    assert.equal(r.status, 200);
    assert.equal(r.body.value.headers['x-secret'], '***');
    assertRefused(await post('/webhook/header-inline', { 'X-Secret': 'inline-token-43' }), /header="x-secret"/);
    assertRefused(await post('/webhook/header-inline', { 'X-Webhook-Token': 'inline-token-42' }), /Token/);
  });

  test('query: token in a query parameter', async () => {
    const r = await post('/webhook/query?key=vault-key-0123456789&x=1');
    assert.equal(r.status, 200);
    assert.equal(r.body.value.query.key, '***');
    assert.equal(r.body.value.query.x, '1');
    assertRefused(await post('/webhook/query?key=nope'), /param="key"/);
    assertRefused(await post('/webhook/query?x=1'), /^Token/);
  });

  test('basic: user and password from the vault, or user:password inline', async () => {
    assert.equal((await post('/webhook/basic', { authorization: basic('ada', 'lovelace-1815') })).status, 200);
    assertRefused(await post('/webhook/basic', { authorization: basic('ada', 'lovelace-1816') }), /^Basic realm="skynette"/);
    assertRefused(await post('/webhook/basic', { authorization: basic('bob', 'lovelace-1815') }), /^Basic/);
    assertRefused(await post('/webhook/basic'), /^Basic/);
    assertRefused(await post('/webhook/basic', { authorization: 'Bearer lovelace-1815' }), /^Basic/);
    const inline = await post('/webhook/basic-inline', { authorization: basic('grace', 'hopper-1906') });
    assert.equal(inline.status, 200);
    assert.equal(inline.body.value.headers.authorization, '***');
    assertRefused(await post('/webhook/basic-inline', { authorization: basic('grace', 'hopper') }), /^Basic/);
  });

  test('bearer', async () => {
    assert.equal((await post('/webhook/bearer', { authorization: 'Bearer vault-bearer-0123456789' })).status, 200);
    assertRefused(await post('/webhook/bearer', { authorization: 'Bearer vault-bearer-x' }), /^Bearer realm="skynette"/);
    assertRefused(await post('/webhook/bearer'), /^Bearer/);
  });

  test('hmac_sha256: the signature webhook-call sends (X-Skynette-Signature) is accepted', async () => {
    const body = JSON.stringify({ order: 2, note: 'signed' });
    const signature = webhookSignature('vault-key-0123456789', body);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    const r = await post('/webhook/hmac', { 'x-skynette-signature': signature }, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.value.body.note, 'signed');
    // Without the prefix too.
    assert.equal((await post('/webhook/hmac', { 'x-skynette-signature': signature.slice(7) }, body)).status, 200);
    assertRefused(await post('/webhook/hmac', { 'x-skynette-signature': signature }, body.replace('2', '3')), /^HMAC-SHA256 realm="skynette", header="x-skynette-signature"/);
    assertRefused(await post('/webhook/hmac', { 'x-skynette-signature': webhookSignature('another-secret', body) }, body), /HMAC/);
    assertRefused(await post('/webhook/hmac', {}, body), /HMAC/);
  });

  test('hmac_sha256 in a named header (GitHub style)', async () => {
    const body = '{"action":"opened"}';
    const r = await post('/webhook/hmac-github', { 'X-Hub-Signature-256': webhookSignature('github-secret-xyz', body) }, body);
    assert.equal(r.status, 200);
    assertRefused(await post('/webhook/hmac-github', { 'X-Skynette-Signature': webhookSignature('github-secret-xyz', body) }, body), /x-hub-signature-256/);
  });

  test('a changed credential takes effect at once', async () => {
    await s.api('PUT', '/api/v1/credentials/hook-bearer', { fields: { token: 'rotated-bearer-987654321' } });
    assertRefused(await post('/webhook/bearer', { authorization: 'Bearer vault-bearer-0123456789' }), /Bearer/);
    assert.equal((await post('/webhook/bearer', { authorization: 'Bearer rotated-bearer-987654321' })).status, 200);
  });

  test('a trigger with an auth type but no secret cannot be activated', async () => {
    await s.api('POST', '/api/v1/workflows', hookWorkflow('no-secret', { auth_type: 'bearer' }));
    const r = await s.api('POST', '/api/v1/workflows/no-secret/activate');
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'WEBHOOK_AUTH_INCOMPLETE');
  });

  test('refused requests start no execution', async () => {
    const before = (await s.api('GET', '/api/v1/executions?workflow=bearer&limit=1000')).body.data.length;
    await post('/webhook/bearer', { authorization: 'Bearer wrong' });
    const after = (await s.api('GET', '/api/v1/executions?workflow=bearer&limit=1000')).body.data.length;
    assert.equal(after, before);
  });
});
