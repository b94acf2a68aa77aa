/**
 * A local HTTP server for tests that records every request and answers from a script, so tests
 * can stand in for an external service (a fake Slack or OpenAI API) on 127.0.0.1.
 *
 *   const server = await startTestServer();
 *   server.on('POST', '/chat.postMessage', (req) => ({ json: { ok: true, echo: req.json() } }));
 *   server.once('GET', '/flaky', { status: 429, headers: { 'retry-after': '1' } });
 *   ... request `${server.url}/chat.postMessage` ...
 *   assert.equal(server.requests[0].headers.authorization, 'Bearer xoxb-test');
 *   await server.close();
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path and query exactly as sent. */
  url: string;
  /** Decoded query; a name given more than once maps to a list. */
  query: Record<string, string | string[]>;
  /** Lower-case names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** The raw body bytes. */
  body: Buffer;
  text(): string;
  json(): any;
  /** Parses a urlencoded or multipart body with the platform's own parser. */
  formData(): Promise<FormData>;
}

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string | number | string[]>;
  /** Sent as JSON with content-type application/json (unless headers set one). */
  json?: unknown;
  /** Sent as is. */
  body?: string | Buffer;
  /** Wait before answering (the connection stays open: for timeout tests). */
  delayMs?: number;
  /** Drop the connection without answering (for network error tests). */
  destroy?: boolean;
}

/** Returns the response, or nothing when it wrote to `res` itself (streaming, odd framing). */
export type RequestHandler = (req: RecordedRequest, res: ServerResponse) => ScriptedResponse | void | Promise<ScriptedResponse | void>;

type PathMatcher = string | RegExp;
type Answer = ScriptedResponse | RequestHandler;

interface Route {
  method: string;
  path: PathMatcher;
  answer: Answer;
  once: boolean;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Answers every matching request (method `*` matches any). Later routes win over earlier ones. */
  on(method: string, path: PathMatcher, answer: Answer): TestServer;
  /** Answers the next matching request only; queued one-time answers are used in order, before `on` routes. */
  once(method: string, path: PathMatcher, answer: Answer): TestServer;
  /** Answer for requests no route matches (default: 404 with a JSON error). */
  fallback(answer: Answer): TestServer;
  /** The most recent request (throws when there is none). */
  last(): RecordedRequest;
  /** Forgets recorded requests and routes. */
  reset(): void;
  close(): Promise<void>;
}

function parseQuery(search: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of search) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

function record(req: IncomingMessage, body: Buffer): RecordedRequest {
  const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: req.method ?? 'GET',
    path: parsed.pathname,
    url: req.url ?? '/',
    query: parseQuery(parsed.searchParams),
    headers: req.headers,
    body,
    text: () => body.toString('utf8'),
    json: () => JSON.parse(body.toString('utf8')),
    formData: () => new Response(new Uint8Array(body), { headers: { 'content-type': String(req.headers['content-type'] ?? '') } }).formData(),
  };
}

function matches(route: Route, req: RecordedRequest): boolean {
  if (route.method !== '*' && route.method.toUpperCase() !== req.method) return false;
  return typeof route.path === 'string' ? route.path === req.path : route.path.test(req.path);
}

export async function startTestServer(): Promise<TestServer> {
  let routes: Route[] = [];
  let fallback: Answer = (req) => ({ status: 404, json: { error: `no route for ${req.method} ${req.path}` } });
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function answer(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const onceIndex = routes.findIndex((r) => r.once && matches(r, req));
    let route: Route | undefined;
    if (onceIndex >= 0) route = routes.splice(onceIndex, 1)[0];
    else route = [...routes].reverse().find((r) => !r.once && matches(r, req));
    const chosen = route ? route.answer : fallback;
    const scripted = typeof chosen === 'function' ? await chosen(req, res) : chosen;
    if (!scripted || res.writableEnded || res.destroyed) return;
    if (scripted.delayMs) await delay(scripted.delayMs);
    if (res.destroyed) return;
    if (scripted.destroy) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string | number | string[]> = { ...scripted.headers };
    let payload: string | Buffer = '';
    if (scripted.json !== undefined) {
      payload = JSON.stringify(scripted.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    } else if (scripted.body !== undefined) {
      payload = scripted.body;
    }
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding')) {
      headers['content-length'] = Buffer.byteLength(payload);
    }
    res.writeHead(scripted.status ?? 200, headers);
    res.end(payload);
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = record(req, Buffer.concat(chunks));
      requests.push(recorded);
      answer(recorded, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `test server handler failed: ${(error as Error).message}` }));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const api: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    on(method, path, answer) {
      routes.push({ method, path, answer, once: false });
      return api;
    },
    once(method, path, answer) {
      routes.push({ method, path, answer, once: true });
      return api;
    },
    fallback(answer) {
      fallback = answer;
      return api;
    },
    last() {
      const request = requests[requests.length - 1];
      if (!request) throw new Error('the test server has received no request');
      return request;
    },
    reset() {
      requests.length = 0;
      routes = [];
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

/** A port on 127.0.0.1 that nothing listens on (for connection-refused tests). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
