import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest, isSecretName, redactHeaders, redactUrl, scrubSecrets, collectSecrets } from '../../src/http/index.js';
import { SkynetteError } from '../../src/util/errors.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/http-server.js';

describe('isSecretName', () => {
  it('flags the usual secret carriers', () => {
    for (const name of ['Authorization', 'Proxy-Authorization', 'X-API-Key', 'x-api-key', 'apiKey', 'api_key', 'apikey', 'Cookie', 'Set-Cookie', 'access_token', 'X-Auth-Token', 'client_secret', 'password', 'db_passwd', 'key', 'X-Goog-Api-Key', 'sig', 'X-Hub-Signature']) {
      assert.ok(isSecretName(name), name);
    }
  });
  it('leaves ordinary names alone', () => {
    for (const name of ['Accept', 'Content-Type', 'page', 'keyword', 'author', 'monkey', 'q', 'User-Agent']) {
      assert.ok(!isSecretName(name), name);
    }
  });
});

describe('redactUrl', () => {
  it('removes userinfo and secret query values, keeping the rest', () => {
    assert.equal(redactUrl('https://user:pa55@example.com/x?api_key=abc123&page=2&token=t0k'), 'https://***@example.com/x?api_key=***&page=2&token=***');
  });
  it('leaves a clean URL unchanged', () => {
    assert.equal(redactUrl('https://example.com/a?b=1&c=two'), 'https://example.com/a?b=1&c=two');
  });
  it('cleans text that does not parse as a URL', () => {
    const shown = redactUrl('htp//user:pw@host/x?access_token=s3cr3t&x=1 oops');
    assert.ok(!shown.includes('s3cr3t'));
    assert.ok(!shown.includes('pw'));
    assert.match(shown, /x=1/);
  });
});

describe('redactHeaders', () => {
  it('replaces secret header values', () => {
    assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', 'X-API-Key': 'k', Accept: 'text/plain', Skip: undefined }), {
      Authorization: '***',
      'X-API-Key': '***',
      Accept: 'text/plain',
    });
    assert.deepEqual(redactHeaders(new Headers({ cookie: 'sid=1', 'content-type': 'a/b' })), { cookie: '***', 'content-type': 'a/b' });
  });
});

describe('scrubSecrets', () => {
  it('removes secret values from headers, URL and extras wherever they appear', () => {
    const secrets = collectSecrets('https://bob:hunter22@h/?token=tok-999', { Authorization: 'Bearer sk-live-123' }, ['path-secret']);
    const text = scrubSecrets('echo sk-live-123 hunter22 tok-999 path-secret Bearer sk-live-123', secrets);
    for (const secret of ['sk-live-123', 'hunter22', 'tok-999', 'path-secret']) assert.ok(!text.includes(secret), secret);
  });
});

describe('httpRequest keeps secrets out of errors and logs', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  const SECRETS = ['sk-header-secret-1', 'query-secret-2', 'userinfo-pass-3', 'cookie-secret-4', 'apikey-secret-5'];

  function assertClean(text: string) {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `"${secret}" leaked into: ${text}`);
  }

  async function failure(url: string, extra: Partial<Parameters<typeof httpRequest>[0]> = {}) {
    const logs: unknown[] = [];
    const log = { debug: (m: string, d?: unknown) => logs.push([m, d]), warn: (m: string, d?: unknown) => logs.push([m, d]) };
    try {
      await httpRequest({
        url,
        headers: { Authorization: 'Bearer sk-header-secret-1', Cookie: 'sid=cookie-secret-4', 'X-API-Key': 'apikey-secret-5' },
        query: { page: 1 },
        log,
        ...extra,
      });
    } catch (error) {
      assert.ok(error instanceof SkynetteError);
      return { error, logs };
    }
    assert.fail('expected a failure');
  }

  it('on a refused connection', async () => {
    const port = await closedPort();
    const { error, logs } = await failure(`http://bob:userinfo-pass-3@127.0.0.1:${port}/x?api_key=query-secret-2`);
    assert.equal(error.code, 'HTTP_NETWORK');
    assertClean(error.message);
    assertClean(JSON.stringify(error.details));
    assertClean(JSON.stringify(logs));
    assert.match(error.message, /api_key=\*\*\*/);
    assert.ok(logs.length > 0);
  });

  it('on an error status whose body echoes the secrets back', async () => {
    server.on('GET', '/echo-401', (req) => ({ status: 401, json: { error: `bad token ${req.headers.authorization} for ${req.url}` } }));
    const { error, logs } = await failure(`http://bob:userinfo-pass-3@127.0.0.1:${server.port}/echo-401?token=query-secret-2`);
    assert.equal(error.code, 'HTTP_STATUS');
    assert.match(error.message, /HTTP 401 Unauthorized: bad token/);
    assertClean(error.message);
    assertClean(JSON.stringify(error.details));
    assertClean(JSON.stringify(logs));
  });

  it('on a timeout, with retries logged', async () => {
    server.once('GET', '/flaky', { status: 503 });
    server.on('GET', '/flaky', { delayMs: 1000 });
    const { error, logs } = await failure(`${server.url}/flaky?access_token=query-secret-2`, { timeoutMs: 100, retry: { retries: 1, baseDelayMs: 1 } });
    assert.equal(error.code, 'HTTP_TIMEOUT');
    assertClean(error.message);
    assertClean(JSON.stringify(logs));
    assert.ok(logs.some((entry) => String((entry as unknown[])[0]).includes('retrying')));
  });

  it('on an invalid header value', async () => {
    const error = await httpRequest({ url: `${server.url}/x`, headers: { Authorization: 'Bearer sk-header-secret-1\nX-Evil: 1' } }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as SkynetteError,
    );
    assert.equal(error.code, 'HTTP_BAD_HEADER');
    assertClean(error.message);
  });

  it('on an invalid URL', async () => {
    const error = await httpRequest({ url: 'https//user:userinfo-pass-3@host?api_key=query-secret-2' }).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as SkynetteError,
    );
    assert.equal(error.code, 'HTTP_BAD_URL');
    assertClean(error.message);
  });

  it('scrubs extra secrets such as a token inside the URL path', async () => {
    const port = await closedPort();
    const { error } = await failure(`http://127.0.0.1:${port}/bot123:path-token-xyz/sendMessage`, { secrets: ['123:path-token-xyz'] });
    assert.ok(!error.message.includes('path-token-xyz'), error.message);
  });
});
