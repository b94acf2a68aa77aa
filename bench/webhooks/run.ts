/**
 * Webhook throughput: Skynette (every execution and node result saved on SQLite, and with saving
 * off), Node-RED, n8n and a bare Fastify echo, measured with autocannon in one run on one machine.
 * Three workflows, as in n8n's own benchmark suite: webhook → set → respond; webhook → code →
 * respond; webhook → 8 set nodes with expressions → respond. Prints one table row per target,
 * scenario and connection count: requests/s, p50, p99, errors and the server's peak RSS (its
 * process tree), plus Skynette's idle RSS and time to the first answered webhook.
 *
 *   npm run build                                  # the benchmark runs the compiled server
 *   npx tsx bench/webhooks/run.ts                  # 15 s per point; BENCH_SECONDS=5 for a quick look
 *
 * Peers come from a scratch folder outside the project (BENCH_PEERS_DIR, default
 * /tmp/skynette-bench-peers) with `npm install node-red@4.1.0 n8n@2.8.4` done there; a peer that is
 * not installed or does not start is reported and skipped. BENCH_TARGETS and BENCH_SCENARIOS
 * (comma lists) pick a subset; BENCH_CONNECTIONS (default 1,10,50).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const flows = join(here, 'flows');
const peersDir = process.env.BENCH_PEERS_DIR ?? '/tmp/skynette-bench-peers';
/** Another checkout's build to compare against (its bench/webhooks/skynette-start.mjs is used). */
const skynetteRoot = process.env.BENCH_SKYNETTE_ROOT ?? root;
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '1,10,50').split(',').map(Number);
const scenarios = (process.env.BENCH_SCENARIOS ?? 'set,code,eight-set').split(',');
const targets = (process.env.BENCH_TARGETS ?? 'skynette,skynette-unsaved,node-red,n8n,fastify').split(',');
const payload = JSON.stringify({ name: 'Ada', amount: 42, items: [1, 2, 3] });

interface Started {
  child: ChildProcess;
  /** Scenario -> URL to POST to. */
  urls: Record<string, string>;
  /** Time from spawn to the first answered webhook, ms. */
  firstAnswerMs?: number;
  idleRssMb?: number;
  note?: string;
}

interface Row {
  target: string;
  scenario: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  peakRssMb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** RSS of a process and all its descendants, in MB (Linux /proc). */
function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // The process ended while we looked.
    }
  }
  let kb = 0;
  const queue = [pid];
  while (queue.length) {
    const p = queue.pop()!;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      continue;
    }
    queue.push(...(children.get(p) ?? []));
  }
  return kb / 1024;
}

function spawnLogged(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  (child as ChildProcess & { log: () => string }).log = () => log;
  return child;
}

function logOf(child: ChildProcess): string {
  return (child as ChildProcess & { log?: () => string }).log?.() ?? '';
}

async function waitForAnswer(url: string, timeoutMs: number, child: ChildProcess, init: RequestInit = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${logOf(child).slice(-2000)}`);
    try {
      const r = await fetch(url, init);
      if (r.status < 500 && r.status !== 404) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} in ${timeoutMs} ms: ${logOf(child).slice(-2000)}`);
    await sleep(20);
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }, 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      // The whole process group: n8n and Node-RED start helpers of their own.
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload };

async function startSkynette(saved: boolean): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-bench-'));
  const port = await freePort();
  const child = spawnLogged(process.execPath, [join(skynetteRoot, 'bench', 'webhooks', 'skynette-start.mjs'), 'start', '--port', String(port)], {
    cwd: skynetteRoot,
    env: { SKYNETTE_DATA_DIR: dataDir, SKYNETTE_LOG_LEVEL: 'warn', SKYNETTE_DB_URL: '' },
  });
  const base = `http://127.0.0.1:${port}`;
  // The token file is written before the server listens.
  await waitForAnswer(`${base}/healthz`, 20_000, child);
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  const api = (method: string, path: string, body?: unknown) =>
    fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const urls: Record<string, string> = {};
  const failed = async (message: string) => {
    await stop(child);
    return new Error(message);
  };
  for (const scenario of scenarios) {
    const workflow = JSON.parse(readFileSync(join(flows, `skynette-${scenario}.json`), 'utf8')) as Record<string, unknown>;
    if (!saved) workflow.settings = { save_executions: false };
    const created = await api('POST', '/api/v1/workflows', workflow);
    if (created.status !== 201) throw await failed(`skynette: ${scenario}: ${await created.text()}`);
    const on = await api('POST', `/api/v1/workflows/${workflow.id}/activate`);
    if (on.status !== 200) throw await failed(`skynette: ${scenario}: ${await on.text()}`);
    urls[scenario] = `${base}/webhook/${scenario}`;
  }
  await sleep(1000);
  const idleRssMb = treeRssMb(child.pid!);
  // Time to first answer: a fresh start of the same data dir, its workflows already active.
  await stop(child);
  const again = performance.now();
  const restarted = spawnLogged(process.execPath, [join(skynetteRoot, 'bench', 'webhooks', 'skynette-start.mjs'), 'start', '--port', String(port)], {
    cwd: skynetteRoot,
    env: { SKYNETTE_DATA_DIR: dataDir, SKYNETTE_LOG_LEVEL: 'warn', SKYNETTE_DB_URL: '' },
  });
  await waitForAnswer(urls[scenarios[0]], 20_000, restarted, post);
  const firstAnswerMs = performance.now() - again;
  restarted.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  return { child: restarted, urls, firstAnswerMs, idleRssMb };
}

async function startFastify(): Promise<Started> {
  const port = await freePort();
  const child = spawnLogged(process.execPath, [join(here, 'fastify-echo.mjs'), String(port)], { cwd: root });
  const url = `http://127.0.0.1:${port}/echo`;
  await waitForAnswer(url, 10_000, child, post);
  return { child, urls: Object.fromEntries(scenarios.map((s) => [s, url])), note: 'echoes the body; same URL for every scenario' };
}

async function startNodeRed(): Promise<Started> {
  const bin = join(peersDir, 'node_modules', 'node-red', 'red.js');
  if (!existsSync(bin)) throw new Error(`not installed (npm install node-red@4.1.0 in ${peersDir})`);
  const userDir = mkdtempSync(join(tmpdir(), 'node-red-bench-'));
  cpSync(join(flows, 'node-red-flows.json'), join(userDir, 'flows.json'));
  const port = await freePort();
  const child = spawnLogged(process.execPath, [bin, '--userDir', userDir, '--port', String(port), 'flows.json'], { cwd: peersDir });
  child.once('exit', () => rmSync(userDir, { recursive: true, force: true }));
  const base = `http://127.0.0.1:${port}`;
  await waitForAnswer(`${base}/set`, 60_000, child, post);
  return { child, urls: Object.fromEntries(scenarios.map((s) => [s, `${base}/${s}`])) };
}

async function startN8n(): Promise<Started> {
  const bin = join(peersDir, 'node_modules', 'n8n', 'bin', 'n8n');
  if (!existsSync(bin)) throw new Error(`not installed (npm install n8n@2.8.4 in ${peersDir})`);
  const home = mkdtempSync(join(tmpdir(), 'n8n-bench-'));
  const port = await freePort();
  const env = {
    N8N_USER_FOLDER: home,
    N8N_PORT: String(port),
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_LOG_LEVEL: 'warn',
    N8N_RUNNERS_ENABLED: 'true',
    N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
    N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
    DB_SQLITE_POOL_SIZE: '2',
  };
  const cli = async (args: string[]) => {
    const c = spawnLogged(process.execPath, [bin, ...args], { cwd: peersDir, env });
    const code = await new Promise<number | null>((resolve) => c.once('exit', (x) => resolve(x)));
    if (code !== 0) throw new Error(`n8n ${args.join(' ')} failed (${code}): ${logOf(c).slice(-1500)}`);
  };
  const dir = mkdtempSync(join(tmpdir(), 'n8n-flows-'));
  for (const scenario of scenarios) {
    const workflow = JSON.parse(readFileSync(join(flows, `n8n-${scenario}.json`), 'utf8')) as Record<string, unknown>;
    workflow.active = true;
    writeFileSync(join(dir, `${scenario}.json`), JSON.stringify(workflow));
  }
  await cli(['import:workflow', '--separate', `--input=${dir}`]);
  for (const scenario of scenarios) {
    const id = (JSON.parse(readFileSync(join(flows, `n8n-${scenario}.json`), 'utf8')) as { id: string }).id;
    await cli(['update:workflow', `--id=${id}`, '--active=true']).catch(() => cli(['publish:workflow', `--id=${id}`]));
  }
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const child = spawnLogged(process.execPath, [bin, 'start'], { cwd: peersDir, env });
  child.once('exit', () => rmSync(home, { recursive: true, force: true }));
  const base = `http://127.0.0.1:${port}`;
  await waitForAnswer(`${base}/webhook/${scenarios[0]}`, 120_000, child, post);
  return { child, urls: Object.fromEntries(scenarios.map((s) => [s, `${base}/webhook/${s}`])), firstAnswerMs: performance.now() - started };
}

async function measure(target: string, started: Started, scenario: string, connections: number): Promise<Row> {
  const url = started.urls[scenario];
  const check = await fetch(url, post);
  const text = await check.text();
  if (check.status !== 200) throw new Error(`${target} ${scenario}: ${check.status} ${text.slice(0, 300)}`);
  await autocannon({ url, connections, duration: Math.min(2, seconds), ...post });
  let peak = treeRssMb(started.child.pid!);
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRssMb(started.child.pid!));
  }, 250);
  const result = await autocannon({ url, connections, duration: seconds, ...post });
  clearInterval(sampler);
  peak = Math.max(peak, treeRssMb(started.child.pid!));
  return {
    target,
    scenario,
    connections,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    peakRssMb: Math.round(peak),
  };
}

const starters: Record<string, () => Promise<Started>> = {
  skynette: () => startSkynette(true),
  'skynette-unsaved': () => startSkynette(false),
  'node-red': startNodeRed,
  n8n: startN8n,
  fastify: startFastify,
};

const rows: Row[] = [];
const notes: string[] = [];
process.stdout.write(`webhook benchmark: ${seconds} s per point, connections ${connectionCounts.join('/')}, scenarios ${scenarios.join(', ')}\n`);
process.stdout.write('| target | workflow | conn | req/s | p50 ms | p99 ms | errors | peak RSS MB |\n|---|---|---:|---:|---:|---:|---:|---:|\n');
for (const target of targets) {
  const start = starters[target];
  if (!start) throw new Error(`unknown target ${target}; known: ${Object.keys(starters).join(', ')}`);
  let started: Started;
  try {
    started = await start();
  } catch (error) {
    notes.push(`${target}: skipped: ${(error as Error).message.split('\n')[0]}`);
    process.stdout.write(`| ${target} | (skipped: ${(error as Error).message.split('\n')[0].slice(0, 120)}) | | | | | | |\n`);
    continue;
  }
  if (started.firstAnswerMs !== undefined) notes.push(`${target}: first webhook answered ${Math.round(started.firstAnswerMs)} ms after the process was started`);
  if (started.idleRssMb !== undefined) notes.push(`${target}: idle RSS ${Math.round(started.idleRssMb)} MB`);
  if (started.note) notes.push(`${target}: ${started.note}`);
  try {
    for (const scenario of scenarios) {
      for (const connections of connectionCounts) {
        try {
          const row = await measure(target, started, scenario, connections);
          rows.push(row);
          process.stdout.write(`| ${row.target} | ${row.scenario} | ${row.connections} | ${row.rps.toLocaleString('en-US')} | ${row.p50} | ${row.p99} | ${row.errors} | ${row.peakRssMb} |\n`);
        } catch (error) {
          process.stdout.write(`| ${target} | ${scenario} | ${connections} | failed: ${(error as Error).message.slice(0, 200)} | | | | |\n`);
        }
      }
    }
  } finally {
    await stop(started.child);
  }
}
for (const note of notes) process.stdout.write(`- ${note}\n`);
