import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { webhookCallNode, webhookSignature } from '../../../src/nodes/core/http/webhook-call.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  server.on('*', '/hook', { json: { received: true } });
});

async function run(config: Record<string, unknown>, input: unknown = {}) {
  const ctx = nodeContext(webhookCallNode, config, input);
  return { output: (await webhookCallNode.run(ctx)) as Record<string, any>, ctx };
}

describe('webhook-call node', () => {
  it('POSTs the payload as JSON and outputs the response', async () => {
    const { output } = await run({ url: `${server.url}/hook`, payload: { event: 'order.created', id: 7 } });
    const req = server.last();
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.json(), { event: 'order.created', id: 7 });
    assert.equal(req.headers['x-skynette-signature'], undefined);
    assert.equal(output.ok, true);
    assert.deepEqual(output.body, { received: true });
  });

  it("sends the previous node's output when payload is empty", async () => {
    await run({ url: `${server.url}/hook` }, { from: 'previous', n: [1, 2] });
    assert.deepEqual(server.last().json(), { from: 'previous', n: [1, 2] });
  });

  it('uses the chosen method and extra headers', async () => {
    await run({ url: `${server.url}/hook`, method: 'PUT', payload: { a: 1 }, headers: { 'X-Source': 'skynette' } });
    assert.equal(server.last().method, 'PUT');
    assert.equal(server.last().headers['x-source'], 'skynette');
  });

  it('signs the exact body with HMAC-SHA256 when a secret is set', async () => {
    await run({ url: `${server.url}/hook`, payload: { text: 'héllo', list: [1] }, secret: 'shh-webhook-secret' });
    const req = server.last();
    const expected = `sha256=${createHmac('sha256', 'shh-webhook-secret').update(req.body).digest('hex')}`;
    assert.equal(req.headers['x-skynette-signature'], expected);
    assert.equal(webhookSignature('shh-webhook-secret', req.body), expected);
  });

  it('fails on an error status without showing the secret', async () => {
    server.on('POST', '/reject', (req) => ({ status: 403, json: { error: `bad signature ${req.headers['x-skynette-signature']} for secret shh-webhook-secret` } }));
    const ctx = nodeContext(webhookCallNode, { url: `${server.url}/reject`, payload: { a: 1 }, secret: 'shh-webhook-secret' });
    await assert.rejects(
      async () => webhookCallNode.run(ctx),
      (error: unknown) => {
        assert.ok(error instanceof SkynetteError);
        assert.equal(error.code, 'HTTP_STATUS');
        assert.match(error.message, /HTTP 403 Forbidden: bad signature/);
        assert.ok(!error.message.includes('shh-webhook-secret'));
        assert.ok(!JSON.stringify(ctx.logs).includes('shh-webhook-secret'));
        return true;
      },
    );
  });

  it('outputs an error response with ok false when fail_on_error_status is off', async () => {
    server.on('POST', '/gone', { status: 410, json: { error: 'gone' } });
    const { output } = await run({ url: `${server.url}/gone`, payload: {}, fail_on_error_status: false });
    assert.equal(output.ok, false);
    assert.equal(output.status, 410);
  });
});
