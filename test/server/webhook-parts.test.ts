/**
 * The pieces of webhook serving on their own: the routes table, the rate limiter, body parsing
 * and the constant-time comparison.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookRoutesTable, normalizeWebhookPath } from '../../src/server/webhooks/routes-table.js';
import { RateLimiter } from '../../src/server/webhooks/rate-limit.js';
import { bodyKind, parseJsonStrict, parseWebhookBody } from '../../src/server/webhooks/body.js';
import { constantTimeEqual } from '../../src/server/api-token.js';

describe('routes table', () => {
  test('normalises paths and refuses bad ones', () => {
    assert.equal(normalizeWebhookPath('//orders//:id/'), 'orders/:id');
    assert.throws(() => normalizeWebhookPath('/'), /empty/);
    assert.throws(() => normalizeWebhookPath('a/:1x'), /not a parameter name/);
    assert.throws(() => normalizeWebhookPath('a/:id/b/:id'), /twice/);
    assert.throws(() => normalizeWebhookPath('a/../b'), /not allowed/);
    assert.throws(() => normalizeWebhookPath('a b'), /not allowed/);
  });

  test('matches static before parameter routes, reports allowed methods, frees routes on removal', () => {
    const table = new WebhookRoutesTable<string>();
    table.replace('wf1', [{ method: 'POST', path: 'orders/:id', target: 'param' }]);
    table.replace('wf2', [{ method: 'POST', path: 'orders/new', target: 'static' }]);
    table.replace('wf3', [{ method: 'GET', path: 'orders/:id', target: 'get' }]);
    const hit = (m: string, p: string) => {
      const r = table.match(m, p);
      return r && 'route' in r ? [r.route.target, r.params] : r;
    };
    assert.deepEqual(hit('POST', 'orders/new'), ['static', {}]);
    assert.deepEqual(hit('POST', 'orders/7'), ['param', { id: '7' }]);
    assert.deepEqual(hit('GET', 'orders/7'), ['get', { id: '7' }]);
    assert.deepEqual(hit('DELETE', 'orders/7'), { allowed: ['POST', 'GET'] });
    assert.equal(hit('POST', 'orders'), null);
    assert.equal(hit('POST', 'orders/7/x'), null);
    assert.throws(() => table.replace('wf4', [{ method: 'ANY', path: '/orders/:other', target: 'x' }]), /already served by the active workflow wf1/);
    table.remove('wf1');
    table.remove('wf3');
    table.replace('wf4', [{ method: 'ANY', path: '/orders/:other', target: 'any' }]);
    assert.deepEqual(hit('PUT', 'orders/9'), ['any', { other: '9' }]);
    assert.throws(
      () =>
        table.replace('wf5', [
          { method: 'POST', path: 'x', target: 'a' },
          { method: 'POST', path: 'x/', target: 'b' },
        ]),
      /two webhook triggers of this workflow/,
    );
  });
});

describe('rate limiter', () => {
  test('allows N a minute, smoothly across window edges', () => {
    let now = 60_000 * 1000;
    const limiter = new RateLimiter(3, () => now);
    assert.deepEqual([limiter.take(), limiter.take(), limiter.take()], [0, 0, 0]);
    assert.ok(limiter.take() > 0);
    now += 30_000;
    assert.ok(limiter.take() > 0, 'half a minute later the three requests still count');
    now += 31_000;
    // A new window: the previous one weighs (1 - 1/60) * 3 ≈ 2.95, so one more request is too many.
    assert.ok(limiter.take() > 0);
    now += 60_000;
    assert.equal(limiter.take(), 0);
  });
});

describe('bodies', () => {
  test('content types', () => {
    assert.equal(bodyKind('application/json; charset=utf-8'), 'json');
    assert.equal(bodyKind('application/ld+json'), 'json');
    assert.equal(bodyKind('application/x-www-form-urlencoded'), 'form');
    assert.equal(bodyKind('multipart/form-data; boundary=x'), 'multipart');
    assert.equal(bodyKind('text/csv'), 'text');
    assert.equal(bodyKind('application/atom+xml'), 'text');
    assert.equal(bodyKind('application/octet-stream'), null);
    assert.equal(bodyKind(undefined), null);
  });

  test('strict JSON: prototype keys refused, ordinary ones kept', () => {
    assert.deepEqual(parseJsonStrict('{"constructor": "a string is fine", "x": 1}'), { constructor: 'a string is fine', x: 1 });
    assert.throws(() => parseJsonStrict('{"a": {"__proto__": {"x": 1}}}'), /not allowed/);
    assert.throws(() => parseJsonStrict('{"constructor": {"prototype": {"x": 1}}}'), /not allowed/);
  });

  test('an empty body is null whatever its type; a body without a type is refused', async () => {
    assert.deepEqual(await parseWebhookBody('application/octet-stream', Buffer.alloc(0), () => '/nowhere'), { body: null });
    await assert.rejects(parseWebhookBody(undefined, Buffer.from('x'), () => '/nowhere'), /no Content-Type/);
    const form = await parseWebhookBody('application/x-www-form-urlencoded', Buffer.from('__proto__=1&a=2'), () => '/nowhere');
    assert.equal(Object.getPrototypeOf(form.body), Object.prototype);
    assert.equal((form.body as Record<string, unknown>).a, '2');
  });
});

test('constant-time comparison', () => {
  assert.equal(constantTimeEqual('secret', 'secret'), true);
  assert.equal(constantTimeEqual('secret', 'secreT'), false);
  assert.equal(constantTimeEqual('secret', 'secret-longer'), false);
  assert.equal(constantTimeEqual('', ''), true);
});

test('the server log censors auth headers and secret fields, and blanks out vault secrets', async () => {
  const { Writable } = await import('node:stream');
  const { createServerLogger } = await import('../../src/server/logger.js');
  const { rememberSecret, forgetSecrets } = await import('../../src/secrets/redact.js');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  rememberSecret('sk-live-0123456789abcdef');
  try {
    const log = createServerLogger('info', sink);
    log.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } }, credential: { password: 'hunter2-hunter2' } }, 'calling with sk-live-0123456789abcdef');
    log.warn({ error: 'upstream said: key sk-live-0123456789abcdef is invalid' }, 'failed');
  } finally {
    forgetSecrets();
  }
  const text = lines.join('');
  assert.ok(!text.includes('abc.def.ghi'), text);
  assert.ok(!text.includes('hunter2-hunter2'), text);
  assert.ok(!text.includes('sk-live-0123456789abcdef'), text);
  assert.match(text, /calling with \*\*\*/);
  assert.equal(JSON.parse(lines[0]).level, 30);
});
