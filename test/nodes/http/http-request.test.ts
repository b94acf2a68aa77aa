import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequestNode } from '../../../src/nodes/core/http/http-request.js';
import { httpNodes } from '../../../src/nodes/core/http/index.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';
import { closedPort, startTestServer, type TestServer } from '../../helpers/http-server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

function credentials(store: Record<string, Record<string, unknown>>) {
  return {
    async getCredential(reference: string) {
      const found = store[reference];
      if (!found) throw new Error(`no credential ${reference}`);
      return found;
    },
  };
}

async function run(config: Record<string, unknown>, extra: Parameters<typeof nodeContext>[3] = {}) {
  const ctx = nodeContext(httpRequestNode, config, {}, extra);
  const output = await httpRequestNode.run(ctx);
  return { output: output as Record<string, any>, ctx };
}

async function runFailure(config: Record<string, unknown>, extra: Parameters<typeof nodeContext>[3] = {}) {
  const ctx = nodeContext(httpRequestNode, config, {}, extra);
  try {
    await httpRequestNode.run(ctx);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, String(error));
    return { error, ctx };
  }
  assert.fail('expected the node to fail');
}

describe('http_request node', () => {
  it('is registered with its original type id', () => {
    assert.deepEqual(
      httpNodes.map((n) => n.type),
      ['http_request', 'webhook-call'],
    );
    assert.equal(httpRequestNode.category, 'http');
    assert.equal(httpRequestNode.fields.method.default, 'GET');
    assert.equal(httpRequestNode.fields.request_timeout_ms.default, 30000);
  });

  it('GETs with headers and query and outputs status, lower-case headers, parsed body, url', async () => {
    server.on('GET', '/items', (req) => ({ json: { items: [1, 2], q: req.query }, headers: { 'X-Total': '2' } }));
    const { output } = await run({ url: `${server.url}/items?sort=asc`, headers: { Accept: 'application/json' }, query: { page: 2 } });
    assert.deepEqual(output, {
      ok: true,
      status: 200,
      status_text: 'OK',
      headers: output.headers,
      body: { items: [1, 2], q: { sort: 'asc', page: '2' } },
      url: `${server.url}/items?sort=asc&page=2`,
    });
    assert.equal(output.headers['x-total'], '2');
    assert.equal(server.last().headers.accept, 'application/json');
  });

  it('takes headers and query given as JSON text', async () => {
    server.on('GET', '/t', { json: {} });
    await run({ url: `${server.url}/t`, headers: '{"X-A": "1"}', query: '{"b": 2}' });
    assert.equal(server.last().headers['x-a'], '1');
    assert.deepEqual(server.last().query, { b: '2' });
  });

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    it(`${method} sends a JSON body by default`, async () => {
      server.on(method, '/write', (req) => ({ status: 201, json: { got: req.json() } }));
      const { output } = await run({ method, url: `${server.url}/write`, body: { name: 'x', n: 1 } });
      assert.equal(output.status, 201);
      assert.deepEqual(output.body, { got: { name: 'x', n: 1 } });
      assert.equal(server.last().headers['content-type'], 'application/json');
    });
  }

  it('sends JSON text as written rather than quoting it again', async () => {
    server.on('POST', '/j', { json: {} });
    await run({ method: 'POST', url: `${server.url}/j`, body: '{"already": "json"}' });
    assert.deepEqual(server.last().json(), { already: 'json' });
  });

  it('sends a form body', async () => {
    server.on('POST', '/form', { json: {} });
    await run({ method: 'POST', url: `${server.url}/form`, body_type: 'form', body: { a: '1', b: 'x y' } });
    assert.equal(server.last().headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(server.last().text(), 'a=1&b=x+y');
  });

  it('sends a raw body with the content type from headers', async () => {
    server.on('POST', '/raw', { json: {} });
    await run({ method: 'POST', url: `${server.url}/raw`, body_type: 'raw', body: '<a>1</a>', headers: { 'Content-Type': 'application/xml' } });
    assert.equal(server.last().headers['content-type'], 'application/xml');
    assert.equal(server.last().text(), '<a>1</a>');
  });

  it('sends raw bytes from a {data_base64} object', async () => {
    server.on('POST', '/raw', { json: {} });
    await run({ method: 'POST', url: `${server.url}/raw`, body_type: 'raw', body: { data_base64: Buffer.from([1, 2, 3]).toString('base64'), content_type: 'application/x-thing' } });
    assert.equal(server.last().headers['content-type'], 'application/x-thing');
    assert.deepEqual([...server.last().body], [1, 2, 3]);
  });

  it('sends a multipart body with a file', async () => {
    server.on('POST', '/upload', { json: {} });
    await run({
      method: 'POST',
      url: `${server.url}/upload`,
      body_type: 'multipart',
      body: { purpose: 'assistants', file: { filename: 'doc.txt', content_type: 'text/plain', text: 'hello file' } },
    });
    const form = await server.last().formData();
    assert.equal(form.get('purpose'), 'assistants');
    const file = form.get('file') as File;
    assert.equal(file.name, 'doc.txt');
    assert.equal(await file.text(), 'hello file');
  });

  it('sends no body with body_type none', async () => {
    server.on('POST', '/none', { json: {} });
    await run({ method: 'POST', url: `${server.url}/none`, body_type: 'none', body: { ignored: true } });
    assert.equal(server.last().body.length, 0);
  });

  it('refuses a form body that is not an object', async () => {
    const { error } = await runFailure({ method: 'POST', url: `${server.url}/x`, body_type: 'form', body: [1, 2] });
    assert.equal(error.code, 'INVALID_CONFIG');
  });

  it('outputs binary responses as {data_base64, content_type, size}', async () => {
    server.on('GET', '/img', { body: Buffer.from([137, 80, 78, 71]), headers: { 'content-type': 'image/png' } });
    const { output } = await run({ url: `${server.url}/img` });
    assert.deepEqual(output.body, { data_base64: Buffer.from([137, 80, 78, 71]).toString('base64'), content_type: 'image/png', size: 4 });
  });

  it('parses by response_type', async () => {
    server.on('GET', '/j', { json: { a: 1 } });
    assert.equal((await run({ url: `${server.url}/j`, response_type: 'text' })).output.body, '{"a":1}');
    assert.equal((await run({ url: `${server.url}/j`, response_type: 'binary' })).output.body.size, 7);
  });

  it('fails on a 4xx with the service message by default', async () => {
    server.on('GET', '/nope', { status: 404, json: { message: 'Item 7 not found' } });
    const { error } = await runFailure({ url: `${server.url}/nope` });
    assert.equal(error.code, 'HTTP_STATUS');
    assert.match(error.message, /returned HTTP 404 Not Found: Item 7 not found/);
  });

  it('outputs the error response with ok false when fail_on_error_status is off', async () => {
    server.on('GET', '/nope', { status: 500, json: { message: 'boom' } });
    const { output } = await run({ url: `${server.url}/nope`, fail_on_error_status: false });
    assert.equal(output.ok, false);
    assert.equal(output.status, 500);
    assert.deepEqual(output.body, { message: 'boom' });
  });

  it('times out per request_timeout_ms', async () => {
    server.on('GET', '/slow', { delayMs: 2000, json: {} });
    const { error } = await runFailure({ url: `${server.url}/slow`, request_timeout_ms: 100 });
    assert.equal(error.code, 'HTTP_TIMEOUT');
  });

  it('follows redirects up to max_redirects, or returns the 3xx when follow_redirects is off', async () => {
    server.on('GET', '/a', { status: 302, headers: { location: '/b' } });
    server.on('GET', '/b', { status: 302, headers: { location: '/c' } });
    server.on('GET', '/c', { json: { end: true } });
    assert.deepEqual((await run({ url: `${server.url}/a` })).output.body, { end: true });
    const manual = await run({ url: `${server.url}/a`, follow_redirects: false });
    assert.equal(manual.output.status, 302);
    assert.equal(manual.output.headers.location, '/b');
    assert.equal((await runFailure({ url: `${server.url}/a`, max_redirects: 1 })).error.code, 'HTTP_TOO_MANY_REDIRECTS');
  });

  it('limits the response size by max_response_mb', async () => {
    server.on('GET', '/big', { body: Buffer.alloc(300 * 1024) });
    const { error } = await runFailure({ url: `${server.url}/big`, max_response_mb: 0.25 });
    assert.equal(error.code, 'HTTP_TOO_LARGE');
  });

  it('retries a 429 when retries is set', async () => {
    server.once('GET', '/rl', { status: 429, headers: { 'retry-after': '0' } });
    server.on('GET', '/rl', { json: { ok: 1 } });
    const { output, ctx } = await run({ url: `${server.url}/rl`, retries: 2 });
    assert.deepEqual(output.body, { ok: 1 });
    assert.ok(ctx.logs.some((l) => l.level === 'warn' && /retrying/.test(l.message)));
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const { error } = await runFailure({ url: `http://127.0.0.1:${port}/` });
    assert.equal(error.code, 'HTTP_NETWORK');
  });
});

describe('http_request credentials', () => {
  beforeEach(() => {
    server.on('*', /.*/, (req) => ({ json: { auth: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null, custom: req.headers['x-token'] ?? null, query: req.query, path: req.path } }));
  });
  const store = credentials({
    bearer: { type: 'bearer', token: 'tok-abc' },
    basic: { type: 'basic_auth', username: 'ann', password: 'pw1' },
    key: { type: 'api_key', key: 'k-1' },
    keyHeader: { type: 'api_key', key: 'k-2', header_name: 'X-Token' },
    keyQuery: { type: 'api_key', key: 'k-3', in: 'query', param_name: 'apikey' },
    untyped: { token: 'tok-untyped' },
    other: { type: 'slack', bot_token: 'x' },
  });

  it('bearer sets Authorization: Bearer', async () => {
    const { output } = await run({ url: `${server.url}/x`, credential: 'bearer' }, store);
    assert.equal(output.body.auth, 'Bearer tok-abc');
  });

  it('basic_auth sets Authorization: Basic', async () => {
    const { output } = await run({ url: `${server.url}/x`, credential: 'basic' }, store);
    assert.equal(output.body.auth, `Basic ${Buffer.from('ann:pw1').toString('base64')}`);
  });

  it('api_key goes in X-API-Key, a named header, or a query parameter', async () => {
    assert.equal((await run({ url: `${server.url}/x`, credential: 'key' }, store)).output.body.key, 'k-1');
    assert.equal((await run({ url: `${server.url}/x`, credential: 'keyHeader' }, store)).output.body.custom, 'k-2');
    const viaQuery = await run({ url: `${server.url}/x`, credential: 'keyQuery' }, store);
    assert.deepEqual(viaQuery.output.body.query, { apikey: 'k-3' });
    assert.equal(viaQuery.output.url, `${server.url}/x?apikey=***`);
  });

  it('guesses the type of a credential without one', async () => {
    assert.equal((await run({ url: `${server.url}/x`, credential: 'untyped' }, store)).output.body.auth, 'Bearer tok-untyped');
  });

  it('resolves a relative url against the credential base_url', async () => {
    const withBase = credentials({ api: { type: 'bearer', token: 't', base_url: `${server.url}/api/v2` } });
    const { output } = await run({ url: '/users/1', credential: 'api' }, withBase);
    assert.equal(output.body.path, '/api/v2/users/1');
  });

  it('refuses a credential of another type', async () => {
    const { error } = await runFailure({ url: `${server.url}/x`, credential: 'other' }, store);
    assert.equal(error.code, 'CREDENTIAL_INVALID');
    assert.match(error.message, /of type slack; this node accepts api_key, bearer, basic_auth/);
  });
});

describe('http_request keeps secrets out of errors and logs', () => {
  it('with a credential, a secret header and a secret query parameter', async () => {
    const port = await closedPort();
    const store = credentials({ api: { type: 'api_key', key: 'cred-key-777', in: 'query', param_name: 'key' } });
    const { error, ctx } = await runFailure(
      {
        url: `http://127.0.0.1:${port}/v1?access_token=query-tok-888`,
        headers: { Authorization: 'Bearer header-tok-999', 'X-Session-Id': 'sess-000-secret' },
        credential: 'api',
      },
      store,
    );
    const everything = `${error.message} ${JSON.stringify(error.details)} ${JSON.stringify(ctx.logs)}`;
    for (const secret of ['cred-key-777', 'query-tok-888', 'header-tok-999', 'sess-000-secret']) {
      assert.ok(!everything.includes(secret), `${secret} leaked: ${everything}`);
    }
    assert.ok(ctx.logs.length > 0, 'the request was logged');
    assert.match(error.message, /access_token=\*\*\*/);
  });

  it('when the service echoes the credential in its error body', async () => {
    server.on('GET', '/401', (req) => ({ status: 401, body: `invalid credentials: ${req.headers.authorization}`, headers: { 'content-type': 'text/plain' } }));
    const store = credentials({ basic: { type: 'basic_auth', username: 'ann', password: 'very-secret-pw' } });
    const { error } = await runFailure({ url: `${server.url}/401`, credential: 'basic' }, store);
    const encoded = Buffer.from('ann:very-secret-pw').toString('base64');
    assert.match(error.message, /HTTP 401 Unauthorized: invalid credentials/);
    assert.ok(!error.message.includes(encoded), error.message);
  });
});
