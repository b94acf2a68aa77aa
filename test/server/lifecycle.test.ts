/**
 * The server as a process: `skynette start` in a child process, graceful SIGTERM with running
 * executions (finished within the grace period, or left checkpointed and resumed at the next
 * start), and the crash test: kill -9 with 100 webhook executions in flight, start again, and
 * every accepted execution finishes with no finished node run twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { openStore } from '../../src/store/index.js';
import { readApiToken } from '../../src/server/api-token.js';
import { startTestServer as startHttpServer, type TestServer as HttpServer } from '../helpers/http-server.js';
import { chain, killServers, spawnServer, tempDataDir, waitFor, type ChildServer } from './helpers.js';

let remote: HttpServer;
/** Calls seen by the counting server, by `execution/node`. */
const calls = new Map<string, number>();

before(async () => {
  remote = await startHttpServer();
  remote.on('POST', '/hit', (req) => {
    const { exec, node } = req.json() as { exec: string; node: string };
    calls.set(`${exec}/${node}`, (calls.get(`${exec}/${node}`) ?? 0) + 1);
    return { json: { ok: true }, delayMs: 100 + Math.floor(Math.random() * 500) };
  });
});
after(async () => {
  killServers();
  await remote.close();
});

const hit = (node: string) => ({
  id: node,
  type: 'http_request',
  config: { method: 'POST', url: `${remote.url}/hit`, body_type: 'json', body: { exec: '{{ $execution.id }}', node }, request_timeout_ms: 20_000 },
});

class Client {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
}

async function setUp(server: ChildServer, dataDir: string, workflow: Record<string, unknown>): Promise<Client> {
  const client = new Client(server.url, readApiToken(dataDir)!);
  const created = await client.api('POST', '/api/v1/workflows', workflow);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const on = await client.api('POST', `/api/v1/workflows/${workflow.id}/activate`);
  assert.equal(on.status, 200, JSON.stringify(on.body));
  return client;
}

/** Calls a webhook `count` times at once; the ids of the executions it accepted (202). */
async function fire(url: string, path: string, count: number): Promise<string[]> {
  const answers = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const r = await fetch(`${url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i }) });
        const body = (await r.json()) as { execution_id?: string };
        return r.status === 202 ? body.execution_id : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return answers.filter((id): id is string => id !== undefined);
}

async function storedStatuses(dataDir: string, ids: string[]): Promise<string[]> {
  const store = await openStore({ dataDir });
  try {
    const out: string[] = [];
    for (const id of ids) out.push((await store.executionStore.get(id))?.status ?? 'missing');
    return out;
  } finally {
    await store.close();
  }
}

describe('graceful stop', () => {
  test('SIGTERM: running executions finish within the grace period, then the process exits 0', async () => {
    const dataDir = tempDataDir();
    try {
      const server = await spawnServer(dataDir, ['--grace', '8000']);
      assert.match(server.stdout(), /Skynette is running at http:\/\/127\.0\.0\.1:\d+/);
      await setUp(server, dataDir, chain('graceful', [{ id: 'in', type: 'webhook-trigger', config: { path: 'graceful' } }, { id: 'nap', type: 'wait', config: { amount: 800, unit: 'milliseconds' } }, hit('after-nap')]));
      const ids = await fire(server.url, 'graceful', 3);
      assert.equal(ids.length, 3);
      server.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 150));
      const during = await fetch(`${server.url}/healthz`).then(
        (r) => r.status,
        () => 'refused',
      );
      assert.ok(during === 'refused' || during === 503, `a request while stopping got ${during}`);
      const exit = await server.exited;
      assert.equal(exit.code, 0, server.stderr());
      assert.deepEqual(await storedStatuses(dataDir, ids), ['completed', 'completed', 'completed']);
      for (const id of ids) assert.equal(calls.get(`${id}/after-nap`), 1);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('SIGTERM: executions still running after the grace period stay checkpointed and resume at the next start', async () => {
    const dataDir = tempDataDir();
    try {
      const first = await spawnServer(dataDir, ['--grace', '300']);
      await setUp(first, dataDir, chain('long', [{ id: 'in', type: 'webhook-trigger', config: { path: 'long' } }, hit('before'), { id: 'nap', type: 'wait', config: { amount: 2, unit: 'seconds' } }, hit('after')]));
      const ids = await fire(first.url, 'long', 3);
      assert.equal(ids.length, 3);
      await waitFor('the first calls', () => ids.every((id) => calls.get(`${id}/before`) === 1), 10_000);
      // Let the first calls' checkpoints land, so every run is in its wait.
      await new Promise((resolve) => setTimeout(resolve, 800));
      const stopping = Date.now();
      first.child.kill('SIGTERM');
      const exit = await first.exited;
      assert.equal(exit.code, 0, first.stderr());
      assert.ok(Date.now() - stopping < 6000, 'the grace period bounds the stop');
      assert.match(first.stderr(), /3 execution\(s\) will resume at the next start/);
      assert.deepEqual(await storedStatuses(dataDir, ids), ['running', 'running', 'running']);
      for (const id of ids) assert.equal(calls.get(`${id}/after`), undefined);

      const second = await spawnServer(dataDir);
      assert.match(second.stdout(), /resumed 3 interrupted execution/);
      const client = new Client(second.url, readApiToken(dataDir)!);
      await waitFor(
        'the resumed runs',
        async () => {
          for (const id of ids) if ((await client.api('GET', `/api/v1/executions/${id}`)).body.status !== 'completed') return false;
          return true;
        },
        15_000,
        100,
      );
      for (const id of ids) {
        assert.equal(calls.get(`${id}/before`), 1, 'a finished node is not run again');
        assert.equal(calls.get(`${id}/after`), 1);
      }
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('crash', () => {
  test('kill -9 with 100 webhook executions in flight: all accepted ones finish, none lost, no finished node run twice', async () => {
    const dataDir = tempDataDir();
    try {
      const first = await spawnServer(dataDir);
      await setUp(first, dataDir, chain('crash', [{ id: 'in', type: 'webhook-trigger', config: { path: 'crash' } }, hit('first'), { id: 'mid', type: 'set_variable', config: { variable_name: 'x', value: '{{ $prev.status }}' } }, hit('second')]));
      const accepted = await fire(first.url, 'crash', 100);
      assert.ok(accepted.length >= 95, `only ${accepted.length} of 100 accepted`);
      const callsFor = (node: string) => accepted.filter((id) => calls.has(`${id}/${node}`)).length;
      // Kill while runs are spread out: every first call made, some second calls made, some not.
      await waitFor('calls in flight', () => callsFor('first') === accepted.length && callsFor('second') >= 20, 30_000, 10);
      first.child.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      assert.ok(callsFor('second') < accepted.length, 'some executions were cut off before their last node');

      // What the database holds at the crash: every accepted execution, and which nodes had finished.
      const finishedBeforeCrash = new Set<string>();
      const store = await openStore({ dataDir });
      try {
        for (const id of accepted) {
          const record = await store.executionStore.get(id);
          assert.ok(record, `accepted execution ${id} is not in the database after the crash`);
          for (const r of record.node_results) if (r.status === 'completed') finishedBeforeCrash.add(`${id}/${r.node_id}`);
        }
      } finally {
        await store.close();
      }
      assert.ok([...finishedBeforeCrash].some((k) => k.endsWith('/first')), 'some nodes had finished before the crash');

      const second = await spawnServer(dataDir);
      assert.match(second.stdout(), /resumed \d+ interrupted execution/);
      const client = new Client(second.url, readApiToken(dataDir)!);
      const records = await waitFor(
        'every accepted execution to finish',
        async () => {
          const out = [];
          for (const id of accepted) {
            const r = await client.api('GET', `/api/v1/executions/${id}`);
            if (r.status !== 200 || r.body.status === 'running' || r.body.status === 'queued') return false;
            out.push(r.body);
          }
          return out;
        },
        45_000,
        200,
      );
      assert.equal(records.length, accepted.length, 'none lost');
      for (const record of records) {
        assert.equal(record.status, 'completed', `execution ${record.id} ended ${record.status}: ${JSON.stringify(record.error)}`);
        for (const node of ['first', 'second']) {
          const key = `${record.id}/${node}`;
          const result = record.node_results.find((r: { node_id: string }) => r.node_id === node);
          const made = calls.get(key) ?? 0;
          if (finishedBeforeCrash.has(key)) {
            assert.equal(made, 1, `${key} had finished before the crash but was called ${made} times`);
            assert.equal(result.attempts, 1);
          } else {
            // Cut off mid-run (or not started yet): run after the restart, its attempts counting
            // every start that may have reached the other side.
            assert.ok(made >= 1 && made <= result.attempts, `${key}: ${made} call(s), ${result.attempts} attempt(s) recorded`);
          }
        }
      }
      assert.equal(callsFor('second'), accepted.length, 'the resumed runs made their remaining calls');
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
