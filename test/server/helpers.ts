/**
 * Tools for the server tests: the real server in this process on a free port with a temporary
 * data dir, or as a child process running `skynette start`; a small API client; and a local HTTP
 * server that counts calls (an observable side effect for crash and shutdown tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { startServer, type RunningServer } from '../../src/server/server.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'skynette-server-test-'));
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestServer {
  url: string;
  token: string;
  dataDir: string;
  server: RunningServer;
  /** A request to the API with the token; `body` objects are sent as JSON. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** A request without the token (webhooks, health). */
  request<T = any>(method: string, path: string, init?: { body?: string | Uint8Array | FormData; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

async function toResponse<T>(response: Response): Promise<ApiResponse<T>> {
  const text = await response.text();
  let body: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

export async function startInProcess(options: { dataDir?: string; env?: Record<string, string>; grace?: number } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const env: Record<string, string | undefined> = { ...process.env, SKYNETTE_DATA_DIR: dataDir };
  delete env.SKYNETTE_DB_URL;
  Object.assign(env, options.env);
  const server = await startServer({ port: 0, dataDir, env, grace: options.grace ?? 2000, log: pino({ level: 'silent' }) });
  const token = server.context.token.current();
  const request = async <T>(method: string, path: string, init: { body?: string | Uint8Array | FormData; headers?: Record<string, string> } = {}) =>
    toResponse<T>(await fetch(server.url + path, { method, headers: init.headers, body: init.body as BodyInit | undefined }));
  return {
    url: server.url,
    token,
    dataDir,
    server,
    request,
    api: (method, path, body, headers = {}) => {
      const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
      let payload: string | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' ? body : JSON.stringify(body);
        if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
      }
      return request(method, path, { body: payload, headers: h });
    },
    async close() {
      await server.close('test');
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `skynette start` in a child process. */
export interface ChildServer {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** Kills every server child still running (for `after` hooks, so a failed test leaves none behind). */
export function killServers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

export async function spawnServer(dataDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'start', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', SKYNETTE_DATA_DIR: dataDir, SKYNETTE_LOG_LEVEL: 'warn', SKYNETTE_DB_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in time:\n${out}\n${err}`)), 30_000);
    const check = () => {
      const m = /running at (http:\/\/\S+)[\s\S]*stop with Ctrl-C/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it started:\n${out}\n${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A workflow object with a chain of nodes; connections follow the order given. */
export function chain(id: string, nodes: Array<{ id: string; type: string; config?: Record<string, unknown> }>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: extra.name ?? id,
    nodes: nodes.map((n) => ({ id: n.id, type: n.type, config: n.config ?? {} })),
    connections: nodes.slice(1).map((n, i) => ({ source_node_id: nodes[i].id, target_node_id: n.id })),
    ...extra,
  };
}
