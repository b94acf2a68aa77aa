/**
 * Store throughput: the 10-node workflow with every checkpoint persisted (execution start, each
 * node's start and finish, the final record), on SQLite in a temporary directory and on the local
 * Postgres (SKYNETTE_BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/test, in a scratch
 * schema dropped afterwards). Prints one line per database: workflow executions per second.
 * Run: npx tsx bench/store.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { runWorkflow } from '../src/engine/runner.js';
import { checkpointHooks } from '../src/store/checkpoint-hooks.js';
import { openStore, type Store } from '../src/store/index.js';
import { benchTrigger, tenNodeWorkflow } from './ten-node-workflow.js';

const workflow = tenNodeWorkflow();
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const pgUrl = process.env.SKYNETTE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function measure(label: string, store: Store): Promise<void> {
  const hooks = checkpointHooks(store.executionStore);
  const check = await runWorkflow(workflow, { trigger: benchTrigger, hooks });
  if (check.status !== 'completed') throw new Error(`benchmark workflow failed: ${JSON.stringify(check.error)}`);
  const stored = await store.executionStore.require(check.id);
  if (stored.node_results.length !== check.node_results.length) throw new Error('benchmark: the stored record lacks node results');

  const warmUntil = performance.now() + Math.min(1000, seconds * 200);
  while (performance.now() < warmUntil) await runWorkflow(workflow, { trigger: benchTrigger, hooks });

  let runs = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) await runWorkflow(workflow, { trigger: benchTrigger, hooks });
    runs += 20;
  }
  const perSecond = runs / ((performance.now() - started) / 1000);
  console.log(`store: 10-node workflow executions/s, every checkpoint persisted (${label}): ${Math.round(perSecond).toLocaleString('en-US')}`);
}

const dir = mkdtempSync(join(tmpdir(), 'skynette-bench-'));
const sqliteStore = await openStore({ dataDir: dir });
try {
  await measure('SQLite', sqliteStore);
} finally {
  await sqliteStore.close();
  rmSync(dir, { recursive: true, force: true });
}

const schema = `skynette_bench_${process.pid}`;
let pgStore: Store | undefined;
try {
  pgStore = await openStore({ url: pgUrl, schema });
  await measure('Postgres', pgStore);
} catch (error) {
  console.log(`store: Postgres skipped: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  if (pgStore) {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(pgStore.database.db);
    await pgStore.close();
  }
}
