import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { httpRequest, createHttpClient, type HttpMethod } from '../../src/http/index.js';
import { SkynetteError } from '../../src/util/errors.js';
import { closedPort, startTestServer, type TestServer } from '../helpers/http-server.js';

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

async function rejection(promise: Promise<unknown>): Promise<SkynetteError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SkynetteError, `expected a SkynetteError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('httpRequest: methods, headers, query', () => {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as HttpMethod[]) {
    it(`sends ${method}`, async () => {
      server.on('*', '/method', (req) => ({ json: { method: req.method } }));
      const response = await httpRequest({ method, url: `${server.url}/method` });
      assert.equal(server.last().method, method);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, method === 'HEAD' ? null : { method });
    });
  }

  it('accepts a lower-case method', async () => {
    server.on('PATCH', '/m', { status: 204 });
    const response = await httpRequest({ method: 'patch', url: `${server.url}/m` });
    assert.equal(response.status, 204);
    assert.equal(server.last().method, 'PATCH');
  });

  it('rejects an unknown method', async () => {
    const error = await rejection(httpRequest({ method: 'FETCH' as HttpMethod, url: `${server.url}/` }));
    assert.equal(error.code, 'HTTP_BAD_METHOD');
  });

  it('sends headers as given', async () => {
    server.on('GET', '/h', { json: {} });
    await httpRequest({ url: `${server.url}/h`, headers: { 'X-Custom': 'one', Accept: 'application/json', 'X-Number': 5, 'X-Skip': undefined } });
    const { headers } = server.last();
    assert.equal(headers['x-custom'], 'one');
    assert.equal(headers.accept, 'application/json');
    assert.equal(headers['x-number'], '5');
    assert.equal(headers['x-skip'], undefined);
  });

  it('merges query parameters into the URL, replacing same names and repeating lists', async () => {
    server.on('GET', '/q', { json: {} });
    await httpRequest({
      url: `${server.url}/q?keep=1&page=1`,
      query: { page: 2, tags: ['a', 'b'], flag: true, text: 'a b&c', skip: null, filter: { x: 1 } },
    });
    const { query } = server.last();
    assert.deepEqual(query, { keep: '1', page: '2', tags: ['a', 'b'], flag: 'true', text: 'a b&c', filter: '{"x":1}' });
  });

  it('sends URL userinfo as Basic auth (fetch refuses it in the URL)', async () => {
    server.on('GET', '/who', { json: {} });
    const response = await httpRequest({ url: `http://al%40ice:p%3Ass@127.0.0.1:${server.port}/who` });
    assert.equal(server.last().headers.authorization, `Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`);
    assert.equal(response.url, `${server.url}/who`);
  });

  it('resolves a path against baseUrl, keeping the base path', async () => {
    server.on('GET', '/api/v1/items', { json: { ok: true } });
    const response = await httpRequest({ baseUrl: `${server.url}/api`, url: '/v1/items' });
    assert.deepEqual(response.body, { ok: true });
    assert.equal(server.last().path, '/api/v1/items');
  });

  it('rejects a malformed URL and a non-HTTP scheme', async () => {
    assert.equal((await rejection(httpRequest({ url: 'not a url' }))).code, 'HTTP_BAD_URL');
    assert.equal((await rejection(httpRequest({ url: 'file:///etc/passwd' }))).code, 'HTTP_BAD_URL');
  });
});

describe('httpRequest: request bodies as the server receives them', () => {
  beforeEach(() => {
    server.on('*', '/echo', { json: { ok: true } });
  });

  it('json', async () => {
    await httpRequest({ method: 'POST', url: `${server.url}/echo`, body: { type: 'json', data: { a: 1, list: [true, null], s: 'é' } } });
    const req = server.last();
    assert.equal(req.headers['content-type'], 'application/json');
    assert.deepEqual(req.json(), { a: 1, list: [true, null], s: 'é' });
    assert.equal(req.headers['content-length'], String(req.body.length));
  });

  it('json keeps a content type the caller set', async () => {
    await httpRequest({
      method: 'POST',
      url: `${server.url}/echo`,
      headers: { 'Content-Type': 'application/vnd.api+json' },
      body: { type: 'json', data: { a: 1 } },
    });
    assert.equal(server.last().headers['content-type'], 'application/vnd.api+json');
  });

  it('form urlencoded', async () => {
    await httpRequest({ method: 'POST', url: `${server.url}/echo`, body: { type: 'form', data: { name: 'A B', tag: ['x', 'y'], n: 3, empty: null } } });
    const req = server.last();
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(req.text(), 'name=A+B&tag=x&tag=y&n=3');
  });

  it('raw text', async () => {
    await httpRequest({ method: 'PUT', url: `${server.url}/echo`, body: { type: 'raw', data: 'hello\nworld' } });
    const req = server.last();
    assert.equal(req.headers['content-type'], 'text/plain;charset=utf-8');
    assert.equal(req.text(), 'hello\nworld');
  });

  it('raw bytes with a content type', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
    await httpRequest({ method: 'POST', url: `${server.url}/echo`, body: { type: 'raw', data: bytes, contentType: 'image/png' } });
    const req = server.last();
    assert.equal(req.headers['content-type'], 'image/png');
    assert.deepEqual([...req.body], [0, 1, 2, 255, 254]);
  });

  it('multipart with text fields and files (base64 and text)', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    await httpRequest({
      method: 'POST',
      url: `${server.url}/echo`,
      headers: { 'content-type': 'multipart/form-data' },
      body: {
        type: 'multipart',
        data: {
          title: 'report',
          count: 2,
          image: { filename: 'a.png', content_type: 'image/png', data_base64: png.toString('base64') },
          notes: [
            { filename: 'n1.txt', text: 'first' },
            { filename: 'n2.csv', content_type: 'text/csv', text: 'a,b\n1,2' },
          ],
        },
      },
    });
    const req = server.last();
    assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
    const form = await req.formData();
    assert.equal(form.get('title'), 'report');
    assert.equal(form.get('count'), '2');
    const image = form.get('image') as File;
    assert.equal(image.name, 'a.png');
    assert.equal(image.type, 'image/png');
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), png);
    const notes = form.getAll('notes') as File[];
    assert.deepEqual(
      notes.map((n) => n.name),
      ['n1.txt', 'n2.csv'],
    );
    assert.equal(await notes[0].text(), 'first');
    assert.equal(notes[1].type, 'text/csv');
    assert.equal(await notes[1].text(), 'a,b\n1,2');
  });

  it('refuses a body on GET', async () => {
    const error = await rejection(httpRequest({ url: `${server.url}/echo`, body: { type: 'json', data: {} } }));
    assert.equal(error.code, 'HTTP_BAD_BODY');
    assert.equal(server.requests.length, 0);
  });
});

describe('httpRequest: responses', () => {
  it('parses JSON by content type in auto mode', async () => {
    server.on('GET', '/j', { json: { a: [1, 2] }, headers: { 'content-type': 'application/problem+json' } });
    const response = await httpRequest({ url: `${server.url}/j` });
    assert.deepEqual(response.body, { a: [1, 2] });
    assert.equal(response.ok, true);
    assert.equal(response.headers['content-type'], 'application/problem+json');
  });

  it('returns text for text types, and bytes for binary types', async () => {
    server.on('GET', '/t', { body: 'plain ünïcode', headers: { 'content-type': 'text/plain; charset=utf-8' } });
    server.on('GET', '/b', { body: Buffer.from([0, 159, 146, 150]), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal((await httpRequest({ url: `${server.url}/t` })).body, 'plain ünïcode');
    const binary = await httpRequest({ url: `${server.url}/b` });
    assert.ok(Buffer.isBuffer(binary.body));
    assert.deepEqual([...(binary.body as Buffer)], [0, 159, 146, 150]);
    assert.equal(binary.size, 4);
  });

  it('honours an explicit response type', async () => {
    server.on('GET', '/j', { json: { a: 1 } });
    server.on('GET', '/untyped-json', { body: '{"b":2}' });
    assert.equal((await httpRequest({ url: `${server.url}/j`, responseType: 'text' })).body, '{"a":1}');
    assert.deepEqual((await httpRequest({ url: `${server.url}/untyped-json`, responseType: 'json' })).body, { b: 2 });
    const bytes = await httpRequest({ url: `${server.url}/j`, responseType: 'binary' });
    assert.equal((bytes.body as Buffer).toString('utf8'), '{"a":1}');
  });

  it('fails clearly when json mode meets text that is not JSON', async () => {
    server.on('GET', '/html', { body: '<html>oops</html>', headers: { 'content-type': 'text/html' } });
    const error = await rejection(httpRequest({ url: `${server.url}/html`, responseType: 'json' }));
    assert.equal(error.code, 'HTTP_BAD_JSON');
    assert.match(error.message, /<html>oops<\/html>/);
  });

  it('keeps a mislabelled JSON body as text in auto mode', async () => {
    server.on('GET', '/liar', { body: 'not json', headers: { 'content-type': 'application/json' } });
    assert.equal((await httpRequest({ url: `${server.url}/liar` })).body, 'not json');
  });

  it('gives lower-case headers, joining several Set-Cookie values', async () => {
    server.on('GET', '/c', { headers: { 'X-Request-Id': 'r1', 'Set-Cookie': ['a=1', 'b=2'] }, body: '' });
    const response = await httpRequest({ url: `${server.url}/c` });
    assert.equal(response.headers['x-request-id'], 'r1');
    assert.equal(response.headers['set-cookie'], 'a=1, b=2');
    assert.equal(response.body, null);
  });

  it('returns a non-2xx response with ok false when throwOnStatus is off', async () => {
    server.on('GET', '/missing', { status: 404, json: { error: 'nope' } });
    const response = await httpRequest({ url: `${server.url}/missing`, throwOnStatus: false });
    assert.equal(response.ok, false);
    assert.equal(response.status, 404);
    assert.deepEqual(response.body, { error: 'nope' });
  });
});

describe('httpRequest: error statuses', () => {
  it('names the status and the JSON message of the service', async () => {
    server.on('POST', '/fail', { status: 422, json: { error: { message: 'channel_not_found', code: 42 } } });
    const error = await rejection(httpRequest({ method: 'POST', url: `${server.url}/fail`, body: { type: 'json', data: {} } }));
    assert.equal(error.code, 'HTTP_STATUS');
    assert.match(error.message, /^POST http:\/\/127\.0\.0\.1:\d+\/fail returned HTTP 422 Unprocessable Entity: channel_not_found$/);
    const details = error.details as { status: number; body: string };
    assert.equal(details.status, 422);
    assert.match(details.body, /channel_not_found/);
  });

  it('uses the `message` field, and OAuth error plus description', async () => {
    server.on('GET', '/m', { status: 400, json: { message: 'Bad thing happened' } });
    server.on('GET', '/oauth', { status: 400, json: { error: 'invalid_grant', error_description: 'code expired' } });
    assert.match((await rejection(httpRequest({ url: `${server.url}/m` }))).message, /HTTP 400 Bad Request: Bad thing happened$/);
    assert.match((await rejection(httpRequest({ url: `${server.url}/oauth` }))).message, /invalid_grant: code expired$/);
  });

  it('quotes at most 500 characters of a text error body', async () => {
    server.on('GET', '/long', { status: 500, body: 'x'.repeat(2000), headers: { 'content-type': 'text/plain' } });
    const error = await rejection(httpRequest({ url: `${server.url}/long` }));
    assert.match(error.message, /HTTP 500 Internal Server Error: x{500}…$/);
  });
});

describe('httpRequest: timeouts, cancellation, network errors', () => {
  it('times out a slow server', async () => {
    server.on('GET', '/slow', { delayMs: 2000, json: {} });
    const started = Date.now();
    const error = await rejection(httpRequest({ url: `${server.url}/slow`, timeoutMs: 100 }));
    assert.equal(error.code, 'HTTP_TIMEOUT');
    assert.match(error.message, /timed out after 100 ms/);
    assert.ok(Date.now() - started < 1500);
  });

  it("stops when the caller's signal aborts", async () => {
    server.on('GET', '/slow', { delayMs: 2000, json: {} });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('execution cancelled')), 50);
    const error = await rejection(httpRequest({ url: `${server.url}/slow`, signal: controller.signal }));
    assert.equal(error.code, 'HTTP_ABORTED');
  });

  it('reports a refused connection', async () => {
    const port = await closedPort();
    const error = await rejection(httpRequest({ url: `http://127.0.0.1:${port}/x` }));
    assert.equal(error.code, 'HTTP_NETWORK');
    assert.match(error.message, /connection refused/);
    assert.equal((error.details as { code: string }).code, 'ECONNREFUSED');
  });

  it('reports a connection dropped without an answer', async () => {
    server.on('GET', '/drop', { destroy: true });
    const error = await rejection(httpRequest({ url: `${server.url}/drop` }));
    assert.equal(error.code, 'HTTP_NETWORK');
  });
});

describe('httpRequest: redirects', () => {
  beforeEach(() => {
    server.on('GET', '/final', (req) => ({ json: { at: req.path, auth: req.headers.authorization ?? null } }));
    server.on('*', '/r1', { status: 302, headers: { location: '/r2' } });
    server.on('*', '/r2', { status: 301, headers: { location: `${server.url}/final` } });
  });

  it('follows redirects and reports the final URL', async () => {
    const response = await httpRequest({ url: `${server.url}/r1` });
    assert.deepEqual(response.body, { at: '/final', auth: null });
    assert.equal(response.url, `${server.url}/final`);
    assert.equal(response.redirects, 2);
  });

  it('turns a POST into a GET on 302/303, as browsers do', async () => {
    const response = await httpRequest({ method: 'POST', url: `${server.url}/r1`, body: { type: 'json', data: { a: 1 } } });
    assert.equal(response.status, 200);
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ['POST', 'GET', 'GET'],
    );
    assert.equal(server.last().headers['content-type'], undefined);
  });

  it('keeps method and body on 307', async () => {
    server.on('POST', '/keep', { status: 307, headers: { location: '/landing' } });
    server.on('POST', '/landing', (req) => ({ json: req.json() }));
    const response = await httpRequest({ method: 'POST', url: `${server.url}/keep`, body: { type: 'json', data: { a: 1 } } });
    assert.deepEqual(response.body, { a: 1 });
  });

  it('returns the 3xx itself in manual mode', async () => {
    const response = await httpRequest({ url: `${server.url}/r1`, redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.ok, false);
    assert.equal(response.headers.location, '/r2');
    assert.equal(server.requests.length, 1);
  });

  it('stops after maxRedirects', async () => {
    const error = await rejection(httpRequest({ url: `${server.url}/r1`, maxRedirects: 1 }));
    assert.equal(error.code, 'HTTP_TOO_MANY_REDIRECTS');
    assert.match(error.message, /more than 1 time/);
    assert.equal(server.requests.length, 2);
  });

  it('stops a redirect loop', async () => {
    server.on('GET', '/loop', { status: 302, headers: { location: '/loop' } });
    const error = await rejection(httpRequest({ url: `${server.url}/loop` }));
    assert.equal(error.code, 'HTTP_TOO_MANY_REDIRECTS');
    assert.equal(server.requests.length, 6);
  });

  it('does not carry Authorization to another origin', async () => {
    const other = await startTestServer();
    try {
      other.on('GET', '/there', (req) => ({ json: { auth: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null } }));
      server.on('GET', '/away', { status: 302, headers: { location: `${other.url}/there` } });
      const response = await httpRequest({ url: `${server.url}/away`, headers: { Authorization: 'Bearer abc123', 'X-API-Key': 'k-123' } });
      assert.deepEqual(response.body, { auth: null, key: null });
      assert.equal(server.last().headers.authorization, 'Bearer abc123');
    } finally {
      await other.close();
    }
  });
});

describe('httpRequest: response size limit', () => {
  it('refuses a body whose content-length is over the limit', async () => {
    server.on('GET', '/big', { body: Buffer.alloc(2 * 1024 * 1024, 97), headers: { 'content-type': 'text/plain' } });
    const error = await rejection(httpRequest({ url: `${server.url}/big`, maxResponseBytes: 1024 * 1024 }));
    assert.equal(error.code, 'HTTP_TOO_LARGE');
    assert.match(error.message, /larger than the 1 MB limit \(it declares 2 MB\)/);
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    server.on('GET', '/stream', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const error = await rejection(httpRequest({ url: `${server.url}/stream`, maxResponseBytes: 256 * 1024 }));
    assert.equal(error.code, 'HTTP_TOO_LARGE');
    assert.match(error.message, /larger than the 256 KB limit/);
  });

  it('defaults to 16 MB', async () => {
    server.on('GET', '/ok', { body: Buffer.alloc(1024 * 1024) });
    const response = await httpRequest({ url: `${server.url}/ok` });
    assert.equal(response.size, 1024 * 1024);
  });
});

describe('httpRequest: retry', () => {
  it('does not retry unless asked', async () => {
    server.once('GET', '/busy', { status: 429, json: { error: 'slow down' } });
    server.on('GET', '/busy', { json: { done: true } });
    const error = await rejection(httpRequest({ url: `${server.url}/busy` }));
    assert.equal(error.code, 'HTTP_STATUS');
    assert.equal(server.requests.length, 1);
  });

  it('retries a 429 after the Retry-After seconds', async () => {
    server.once('GET', '/busy', { status: 429, headers: { 'retry-after': '1' }, json: { error: 'slow down' } });
    server.on('GET', '/busy', { json: { done: true } });
    const logs: string[] = [];
    const started = Date.now();
    const response = await httpRequest({
      url: `${server.url}/busy`,
      retry: true,
      log: { debug: () => undefined, warn: (message) => logs.push(message) },
    });
    const elapsed = Date.now() - started;
    assert.deepEqual(response.body, { done: true });
    assert.equal(response.attempts, 2);
    assert.equal(server.requests.length, 2);
    assert.ok(elapsed >= 950, `waited only ${elapsed} ms`);
    assert.match(logs[0], /HTTP 429; retrying in 1000 ms \(retry 1 of 3\)/);
  });

  it('retries 5xx with backoff and gives up with the last error', async () => {
    server.on('GET', '/down', { status: 503, json: { message: 'maintenance' } });
    const error = await rejection(httpRequest({ url: `${server.url}/down`, retry: { retries: 2, baseDelayMs: 10 } }));
    assert.equal(server.requests.length, 3);
    assert.match(error.message, /HTTP 503 Service Unavailable: maintenance/);
  });

  it('does not wait for a Retry-After longer than allowed', async () => {
    server.on('GET', '/later', { status: 429, headers: { 'retry-after': '3600' }, json: { error: 'quota' } });
    const error = await rejection(httpRequest({ url: `${server.url}/later`, retry: true }));
    assert.equal(server.requests.length, 1);
    assert.match(error.message, /quota \(the service asks to retry after 3600 s\)/);
  });

  it('does not retry a 4xx other than 429', async () => {
    server.on('GET', '/bad', { status: 400, json: { error: 'bad' } });
    await rejection(httpRequest({ url: `${server.url}/bad`, retry: { retries: 3, baseDelayMs: 1 } }));
    assert.equal(server.requests.length, 1);
  });

  it('retries a refused connection only when onNetworkError is set', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await rejection(httpRequest({ url: `http://127.0.0.1:${port}/`, retry: { retries: 2, baseDelayMs: 20, onNetworkError: true } }));
    assert.equal(error.code, 'HTTP_NETWORK');
    assert.ok(Date.now() - started >= 20);
  });

  it('stops waiting when cancelled', async () => {
    server.on('GET', '/busy', { status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(httpRequest({ url: `${server.url}/busy`, retry: true, signal: controller.signal }));
    assert.equal(error.code, 'HTTP_ABORTED');
  });
});

describe('createHttpClient', () => {
  it('applies base URL and default headers, letting a request add its own', async () => {
    server.on('POST', '/api/chat.postMessage', (req) => ({ json: { ok: true, auth: req.headers.authorization, extra: req.headers['x-extra'] } }));
    const client = createHttpClient({ baseUrl: `${server.url}/api/`, headers: { Authorization: 'Bearer xoxb-1' } });
    const response = await client.request<{ ok: boolean; auth: string; extra: string }>({
      method: 'POST',
      url: 'chat.postMessage',
      headers: { 'X-Extra': 'yes' },
      body: { type: 'json', data: { text: 'hi' } },
    });
    assert.deepEqual(response.body, { ok: true, auth: 'Bearer xoxb-1', extra: 'yes' });
  });
});
