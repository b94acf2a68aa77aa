/**
 * The store suite, written once and run on SQLite and on Postgres (see sqlite.test.ts and
 * postgres.test.ts). Every test gets a fresh database.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { runWorkflow } from '../../src/engine/runner.js';
import type { ExecutionHooks, ExecutionRecord, NodeResult } from '../../src/engine/execution.js';
import type { Database } from '../../src/store/database.js';
import { checkpointHooks } from '../../src/store/checkpoint-hooks.js';
import { createStore, type Store } from '../../src/store/index.js';
import { migrations, type StoreMigration } from '../../src/store/migrations/index.js';
import { SkynetteError } from '../../src/util/errors.js';
import { registerTestNodes } from '../helpers/test-nodes.js';
import { workflow } from '../helpers/workflow.js';

registerTestNodes();
import type { StoreHarness } from './harness.js';

const trigger = { id: 'start', type: 'manual_trigger' };

/** start -> set total -> check -> (big | small) -> log */
function orderWorkflow(extra: Record<string, unknown> = {}) {
  return workflow(
    [
      trigger,
      { id: 'total', type: 'set_variable', config: { variable_name: 'total', value: '{{ $prev.qty * $prev.price }}' } },
      { id: 'check', type: 'if_else', config: { expression: '{{ $vars.total > 10 }}' } },
      { id: 'big', type: 'set_variable', config: { variable_name: 'size', value: 'big' } },
      { id: 'small', type: 'set_variable', config: { variable_name: 'size', value: 'small' } },
      { id: 'log', type: 'log_debug', config: { message: 'size {{ $vars.size }}' } },
    ],
    ['start -> total', 'total -> check', 'check:true -> big', 'check:false -> small', 'big -> log'],
    { id: 'wf_orders', name: 'Orders', ...extra },
  );
}

export function nodeResult(key: string, overrides: Partial<NodeResult> = {}): NodeResult {
  return {
    key,
    node_id: key,
    node_name: key,
    node_type: 'set_variable',
    status: 'completed',
    output: { key },
    ports: ['output'],
    error: null,
    attempts: 1,
    started_at: '2025-01-01T00:00:00.000Z',
    finished_at: '2025-01-01T00:00:00.010Z',
    duration_ms: 10.5,
    logs: [],
    ...overrides,
  };
}

export function executionRecord(id: string, overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    id,
    workflow_id: 'wf_orders',
    workflow_name: 'Orders',
    workflow_version: 1,
    status: 'completed',
    mode: 'manual',
    trigger_data: { qty: 1 },
    started_at: '2025-01-01T00:00:00.000Z',
    finished_at: '2025-01-01T00:00:01.000Z',
    duration_ms: 1000,
    error: null,
    node_results: [],
    variables: {},
    ...overrides,
  };
}

function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * 86_400_000).toISOString();
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<SkynetteError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SkynetteError, `expected a SkynetteError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

async function countRows(database: Database, table: 'execution_nodes' | 'execution_data' | 'executions', executionId?: string): Promise<number> {
  let query = database.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n'));
  if (executionId) query = query.where(table === 'executions' ? 'id' : 'execution_id', '=', executionId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export function storeSuite(harness: StoreHarness): void {
  const open = async (options = {}): Promise<Store> => createStore(await harness.open(options));

  describe(`store on ${harness.dialect}`, () => {
    after(() => harness.cleanup());

    describe('migrations', () => {
      test('apply once at open and are recorded by name', async () => {
        const first = await harness.open();
        assert.deepEqual(first.appliedMigrations, migrations.map((m) => m.name));
        const rows = await first.db.selectFrom('skynette_migrations').selectAll().execute();
        assert.deepEqual(rows.map((r) => r.name), migrations.map((m) => m.name));
        const again = await harness.reopen(first);
        assert.deepEqual(again.appliedMigrations, []);
        assert.equal((await again.db.selectFrom('skynette_migrations').selectAll().execute()).length, migrations.length);
      });

      test('a new migration added to the list is applied on the next open, and only it', async () => {
        const database = await harness.open();
        const extra: StoreMigration = {
          name: '999_test_extra',
          async up(db) {
            await db.schema.createTable('test_extra').addColumn('id', 'text', (c) => c.primaryKey()).execute();
          },
        };
        const upgraded = await harness.reopen(database, { migrations: [...migrations, extra] });
        assert.deepEqual(upgraded.appliedMigrations, ['999_test_extra']);
        await sql`insert into test_extra (id) values ('x')`.execute(upgraded.db);
        // An older Skynette that does not know 999 refuses the newer database instead of misusing it.
        await rejectsWith(harness.reopen(database), 'DB_TOO_NEW', /999_test_extra/);
      });

      test('a migration that fails applies nothing: its tables and its record are rolled back', async () => {
        const database = await harness.open();
        const broken: StoreMigration = {
          name: '999_broken',
          async up(db) {
            await db.schema.createTable('half_done').addColumn('id', 'text').execute();
            throw new Error('migration failed halfway');
          },
        };
        await assert.rejects(harness.reopen(database, { migrations: [...migrations, broken] }), /halfway/);
        const names = (await database.db.selectFrom('skynette_migrations').select('name').execute()).map((r) => r.name);
        assert.deepEqual(names, migrations.map((m) => m.name));
        await assert.rejects(sql`select * from half_done`.execute(database.db));
      });
    });

    describe('workflows', () => {
      test('every changed save adds an immutable version; an unchanged save adds none', async () => {
        const { workflowStore } = await open();
        const wf = orderWorkflow();
        const first = await workflowStore.save(wf, 'cli');
        assert.equal(first.version, 1);
        assert.equal(first.changed, true);
        assert.equal(first.workflow.version, 1);

        // Same content, other timestamps: no new version.
        const same = await workflowStore.save({ ...wf, updated_at: new Date(Date.now() + 5000).toISOString(), version: 7 }, 'file');
        assert.equal(same.changed, false);
        assert.equal(same.version, 1);

        const edited = { ...wf, description: 'now with a description', variables: { limit: 5 } };
        const second = await workflowStore.save(edited, 'file');
        assert.equal(second.version, 2);
        assert.equal(second.changed, true);

        const history = await workflowStore.history('wf_orders');
        assert.deepEqual(history.map((h) => [h.version, h.source]), [[2, 'file'], [1, 'cli']]);
        assert.match(history[0].checksum, /^[0-9a-f]{64}$/);
        assert.notEqual(history[0].checksum, history[1].checksum);

        const v1 = await workflowStore.getVersion('wf_orders', 1);
        assert.equal(v1!.workflow.description, '');
        assert.deepEqual(v1!.workflow.variables, {});
        assert.deepEqual(v1!.workflow.nodes, wf.nodes);
        const current = await workflowStore.require('wf_orders');
        assert.equal(current.current_version, 2);
        assert.equal(current.workflow.description, 'now with a description');
        assert.equal(current.workflow.version, 2);
        assert.equal(current.created_at, first.workflow.created_at);
        assert.equal(await workflowStore.getVersion('wf_orders', 9), null);
      });

      test('the checksum ignores key order: the same workflow written differently is unchanged', async () => {
        const { workflowStore } = await open();
        const wf = orderWorkflow({ variables: { a: 1, b: { c: 2, d: 3 } } });
        await workflowStore.save(wf);
        const reordered = JSON.parse(JSON.stringify({ ...wf, variables: { b: { d: 3, c: 2 }, a: 1 } }));
        assert.equal((await workflowStore.save(reordered)).changed, false);
      });

      test('found by id, by name in any case, and by slug; missing ones are null or WORKFLOW_NOT_FOUND', async () => {
        const { workflowStore } = await open();
        await workflowStore.save(orderWorkflow({ name: 'Daily Sales Report' }));
        for (const ref of ['wf_orders', 'Daily Sales Report', 'daily sales REPORT', 'daily-sales-report']) {
          const found = await workflowStore.get(ref);
          assert.equal(found?.id, 'wf_orders', ref);
          assert.equal(found?.slug, 'daily-sales-report');
        }
        assert.equal(await workflowStore.get('nope'), null);
        await rejectsWith(workflowStore.require('nope'), 'WORKFLOW_NOT_FOUND', /"nope"/);
        await rejectsWith(workflowStore.history('nope'), 'WORKFLOW_NOT_FOUND');
      });

      test('list searches names and tags, pages, and counts the total', async () => {
        const { workflowStore } = await open();
        const names = ['Alpha sync', 'Beta report', 'Gamma sync', 'Delta 100%_sync'];
        for (const [i, name] of names.entries()) {
          await workflowStore.save(orderWorkflow({ id: `wf_${i}`, name, tags: i % 2 ? ['reports'] : ['sync', 'nightly'] }));
        }
        const all = await workflowStore.list();
        assert.equal(all.total, 4);
        assert.deepEqual(all.items.map((w) => w.name), ['Alpha sync', 'Beta report', 'Delta 100%_sync', 'Gamma sync']);
        assert.deepEqual(all.items[0].tags, ['sync', 'nightly']);
        assert.equal(all.items[0].active, false);

        const sync = await workflowStore.list({ search: 'SYNC' });
        assert.deepEqual(sync.items.map((w) => w.name), ['Alpha sync', 'Delta 100%_sync', 'Gamma sync']);
        // LIKE wildcards in the search are plain characters.
        assert.deepEqual((await workflowStore.list({ search: '%_' })).items.map((w) => w.name), ['Delta 100%_sync']);
        assert.deepEqual((await workflowStore.list({ tag: 'reports' })).items.map((w) => w.name), ['Beta report', 'Delta 100%_sync']);
        assert.equal((await workflowStore.list({ tag: 'night' })).total, 0);

        const page = await workflowStore.list({ limit: 2, offset: 2 });
        assert.equal(page.total, 4);
        assert.deepEqual(page.items.map((w) => w.name), ['Delta 100%_sync', 'Gamma sync']);
      });

      test('a name taken by another workflow is refused; renaming, activating and deleting work', async () => {
        const { workflowStore, database } = await open();
        await workflowStore.save(orderWorkflow({ id: 'wf_a', name: 'Invoices' }));
        await rejectsWith(workflowStore.save(orderWorkflow({ id: 'wf_b', name: 'invoices!' })), 'WORKFLOW_NAME_TAKEN', /Invoices/);
        assert.equal(await workflowStore.get('wf_b'), null);

        const renamed = await workflowStore.save(orderWorkflow({ id: 'wf_a', name: 'Invoices 2025' }));
        assert.equal(renamed.version, 2);
        assert.equal((await workflowStore.require('invoices-2025')).id, 'wf_a');
        assert.equal(await workflowStore.get('Invoices'), null);

        await workflowStore.setActive('wf_a', true);
        assert.equal((await workflowStore.require('wf_a')).active, true);

        assert.equal(await workflowStore.delete('Invoices 2025'), true);
        assert.equal(await workflowStore.delete('wf_a'), false);
        const versions = await database.db.selectFrom('workflow_versions').selectAll().execute();
        assert.equal(versions.length, 0, 'versions are deleted with their workflow');
      });

      test('a workflow without an id or name is refused with the path', async () => {
        const { workflowStore } = await open();
        const err = await rejectsWith(workflowStore.save({ ...orderWorkflow(), name: ' ' }), 'WORKFLOW_INVALID');
        assert.equal(err.path, 'name');
      });
    });

    describe('executions', () => {
      test('a run with checkpoint hooks is stored exactly as the engine returned it', async () => {
        const { executionStore, workflowStore } = await open();
        const saved = await workflowStore.save(orderWorkflow());
        const run = await runWorkflow(saved.workflow, { trigger: { qty: 3, price: 7.5 }, hooks: checkpointHooks(executionStore) });
        assert.equal(run.status, 'completed');
        const stored = await executionStore.require(run.id);
        assert.deepEqual(stored, run);
        assert.deepEqual(stored.node_results.map((r) => [r.key, r.status]), [
          ['start', 'completed'],
          ['total', 'completed'],
          ['check', 'completed'],
          ['big', 'completed'],
          ['small', 'skipped'],
          ['log', 'completed'],
        ]);
        assert.equal(stored.workflow_version, 1);
        assert.deepEqual(stored.variables, { total: 22.5, size: 'big' });
        assert.equal(stored.node_results[5].logs[0].message, 'size big');
        await rejectsWith(executionStore.require('missing'), 'EXECUTION_NOT_FOUND');
        assert.equal(await executionStore.get('missing'), null);
      });

      test('every finished node is on disk before the next node starts, and the starting one is marked running', async () => {
        const { executionStore } = await open();
        const inner = checkpointHooks(executionStore);
        const seen: string[] = [];
        const hooks: ExecutionHooks = {
          ...inner,
          async onNodeStart(execution, result) {
            await inner.onNodeStart!(execution, result);
            const stored = await executionStore.require(execution.id);
            const byKey = new Map(stored.node_results.map((r) => [r.key, r]));
            for (const earlier of execution.node_results) {
              if (earlier === result) continue;
              assert.equal(byKey.get(earlier.key)?.status, earlier.status, `${earlier.key} saved before ${result.key} starts`);
              assert.deepEqual(byKey.get(earlier.key)?.output, earlier.output);
            }
            assert.equal(byKey.get(result.key)?.status, 'running');
            assert.equal(byKey.get(result.key)?.attempts, result.attempts + 1);
            assert.deepEqual(stored.variables, execution.variables);
            seen.push(result.key);
          },
        };
        const run = await runWorkflow(orderWorkflow(), { trigger: { qty: 1, price: 1 }, hooks });
        assert.equal(run.status, 'completed');
        assert.deepEqual(seen, ['start', 'total', 'check', 'small']);
        assert.deepEqual(await executionStore.require(run.id), run);
      });

      test('a run killed mid-node is found as interrupted and resumes without re-running finished nodes', async () => {
        const { executionStore } = await open();
        const wf = orderWorkflow();
        const inner = checkpointHooks(executionStore);
        let stuck!: () => void;
        const crashed = new Promise<void>((resolve) => (stuck = resolve));
        // The process "dies" while `check` runs: its start is saved, then nothing happens any more.
        const dying: ExecutionHooks = {
          ...inner,
          async onNodeStart(execution, result) {
            await inner.onNodeStart!(execution, result);
            if (result.key === 'check') {
              stuck();
              await new Promise(() => {});
            }
          },
        };
        void runWorkflow(wf, { trigger: { qty: 3, price: 7.5 }, hooks: dying, executionId: 'exec_crash' });
        await crashed;

        const interrupted = await executionStore.findInterrupted();
        assert.deepEqual(interrupted.map((e) => e.id), ['exec_crash']);
        const before = interrupted[0];
        assert.equal(before.status, 'running');
        assert.deepEqual(before.node_results.map((r) => [r.key, r.status, r.attempts]), [
          ['start', 'completed', 1],
          ['total', 'completed', 1],
          ['check', 'running', 1],
        ]);
        assert.deepEqual(before.variables, { total: 22.5 });

        const resumed = await runWorkflow(wf, { resumeFrom: before, hooks: checkpointHooks(executionStore) });
        assert.equal(resumed.status, 'completed');
        const after = await executionStore.require('exec_crash');
        assert.deepEqual(after, resumed);
        const byKey = new Map(after.node_results.map((r) => [r.key, r]));
        assert.equal(byKey.get('total')!.started_at, before.node_results[1].started_at, 'finished nodes are not run again');
        assert.equal(byKey.get('check')!.attempts, 2, 'the node that was running when the process died shows its second attempt');
        assert.equal(byKey.get('check')!.status, 'completed');
        assert.deepEqual(after.node_results.map((r) => r.key), ['start', 'total', 'check', 'big', 'small', 'log']);
        assert.deepEqual(await executionStore.findInterrupted(), []);
      });

      test('failed, retried, continued, disabled and skipped nodes are stored as the engine returned them', async () => {
        const { executionStore } = await open();
        const wf = workflow(
          [
            trigger,
            { id: 'off', type: 'log_debug', enabled: false },
            { id: 'flaky', type: 'test_flaky', config: { key: `store-${harness.dialect}-${Date.now()}`, fail_times: 1, on_error: 'retry', retry_delay_ms: 1 } },
            { id: 'soft', type: 'test_fail', config: { on_error: 'continue' } },
            { id: 'hard', type: 'test_fail', config: { message: 'stops here' } },
            { id: 'never', type: 'log_debug' },
          ],
          ['start -> off', 'off -> flaky', 'flaky -> soft', 'soft -> hard', 'hard -> never'],
        );
        const run = await runWorkflow(wf, { hooks: checkpointHooks(executionStore) });
        assert.equal(run.status, 'failed');
        assert.equal(run.error?.message, 'stops here');
        const stored = await executionStore.require(run.id);
        assert.deepEqual(stored, run);
        const byKey = new Map(stored.node_results.map((r) => [r.key, r]));
        assert.equal(byKey.get('off')!.status, 'disabled');
        assert.equal(byKey.get('flaky')!.attempts, 2);
        assert.equal(byKey.get('soft')!.continued, true);
        assert.equal(byKey.get('hard')!.status, 'failed');
      });

      test('a run in which no node starts (all reused on resume) is still stored', async () => {
        const { executionStore } = await open();
        const wf = orderWorkflow();
        const first = await runWorkflow(wf, { trigger: { qty: 1, price: 1 } });
        const resumed = await runWorkflow(wf, { resumeFrom: { ...first, status: 'running' }, hooks: checkpointHooks(executionStore) });
        assert.equal(resumed.status, 'completed');
        // The engine appends a fresh result for a branch it skips again, so a key can appear twice in
        // its record; the store keeps one row per key, the latest.
        const latest = resumed.node_results.filter((r, i) => !resumed.node_results.slice(i + 1).some((later) => later.key === r.key));
        assert.deepEqual(await executionStore.require(first.id), { ...resumed, node_results: latest });
      });

      test('large outputs are kept in execution_data and come back whole; small ones stay inline', async () => {
        const { executionStore, database } = await open();
        const big = { text: 'x'.repeat(100_000), list: Array.from({ length: 100 }, (_, i) => ({ i })) };
        const record = executionRecord('exec_big', { status: 'running', finished_at: null, duration_ms: null });
        await executionStore.create(record);
        const small = nodeResult('small', { output: { ok: true } });
        const large = nodeResult('large', { output: big, attempts: 3 });
        record.node_results.push(small);
        await executionStore.saveCheckpoint(record, small);
        record.node_results.push(large);
        await executionStore.saveNodeStart(record, { ...large, status: 'running', output: null, attempts: 2 });
        await executionStore.saveCheckpoint(record, large);

        const rows = await database.db.selectFrom('execution_nodes').select(['key', 'output', 'output_ref']).orderBy('seq').execute();
        assert.deepEqual(rows[0], { key: 'small', output: '{"ok":true}', output_ref: null });
        assert.equal(rows[1].output, null);
        assert.equal(typeof rows[1].output_ref, 'string');
        assert.equal(await countRows(database, 'execution_data', 'exec_big'), 1);

        const stored = await executionStore.require('exec_big');
        assert.deepEqual(stored.node_results[1].output, big);
        assert.equal(stored.node_results[1].attempts, 3);
        assert.deepEqual(stored.node_results, record.node_results);
      });

      test('finishing a record that was never created stores all of it; save() rewrites a whole record', async () => {
        const { executionStore } = await open();
        const record = executionRecord('exec_late', {
          node_results: [nodeResult('a'), nodeResult('b', { status: 'failed', error: { message: 'boom', code: 'X', node: 'b' }, continued: true })],
          error: { message: 'boom', code: 'X' },
          status: 'failed',
          variables: { v: [1, 2] },
        });
        await executionStore.finish(record, record.node_results);
        assert.deepEqual(await executionStore.require('exec_late'), record);
        record.variables = { v: [3] };
        record.node_results.push(nodeResult('c'));
        await executionStore.save(record);
        assert.deepEqual(await executionStore.require('exec_late'), record);
      });

      test('findInterrupted lists running and queued executions, oldest first', async () => {
        const { executionStore } = await open();
        await executionStore.save(executionRecord('e_done'));
        await executionStore.save(executionRecord('e_run', { status: 'running', started_at: daysAgo(1), finished_at: null, node_results: [nodeResult('a', { status: 'running' })] }));
        await executionStore.save(executionRecord('e_queued', { status: 'queued', started_at: daysAgo(2), finished_at: null }));
        await executionStore.save(executionRecord('e_failed', { status: 'failed' }));
        const found = await executionStore.findInterrupted();
        assert.deepEqual(found.map((e) => e.id), ['e_queued', 'e_run']);
        assert.equal(found[1].node_results[0].status, 'running');
      });

      test('list filters by workflow, status and time, newest first, paging with a cursor', async () => {
        const { executionStore } = await open();
        const base = Date.parse('2025-03-01T12:00:00.000Z');
        for (let i = 0; i < 7; i++) {
          await executionStore.save(
            executionRecord(`e${i}`, {
              workflow_id: i % 2 ? 'wf_b' : 'wf_a',
              workflow_name: i % 2 ? 'Bravo' : 'Alpha',
              status: i === 3 ? 'failed' : 'completed',
              // e5 and e6 start at the same moment: the cursor must still not skip or repeat one.
              started_at: new Date(base + Math.min(i, 5) * 60_000).toISOString(),
            }),
          );
        }
        const all = await executionStore.list();
        assert.deepEqual(all.items.map((e) => e.id), ['e6', 'e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
        assert.equal(all.nextCursor, null);
        assert.equal('node_results' in all.items[0], false);

        const pages: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await executionStore.list({ limit: 3, cursor });
          pages.push(page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        assert.deepEqual(pages, [['e6', 'e5', 'e4'], ['e3', 'e2', 'e1'], ['e0']]);

        assert.deepEqual((await executionStore.list({ workflow: 'wf_b' })).items.map((e) => e.id), ['e5', 'e3', 'e1']);
        assert.deepEqual((await executionStore.list({ workflow: 'alpha' })).items.map((e) => e.id), ['e6', 'e4', 'e2', 'e0']);
        assert.deepEqual((await executionStore.list({ status: 'failed' })).items.map((e) => e.id), ['e3']);
        assert.deepEqual((await executionStore.list({ since: new Date(base + 4 * 60_000) })).items.map((e) => e.id), ['e6', 'e5', 'e4']);
        await rejectsWith(executionStore.list({ cursor: 'garbage' }), 'INVALID_ARGUMENT');
        await rejectsWith(executionStore.list({ since: 'yesterday-ish' }), 'INVALID_ARGUMENT');
      });

      test('delete removes the execution with its node rows and large outputs', async () => {
        const { executionStore, database } = await open();
        await executionStore.save(executionRecord('e_del', { node_results: [nodeResult('a', { output: 'y'.repeat(70_000) }), nodeResult('b')] }));
        await executionStore.save(executionRecord('e_keep', { node_results: [nodeResult('a')] }));
        assert.equal(await countRows(database, 'execution_data'), 1);
        assert.equal(await executionStore.delete('e_del'), true);
        assert.equal(await executionStore.delete('e_del'), false);
        assert.equal(await countRows(database, 'execution_nodes', 'e_del'), 0);
        assert.equal(await countRows(database, 'execution_data'), 0);
        assert.equal((await executionStore.require('e_keep')).node_results.length, 1);
      });

      test('prune by age deletes old finished executions and never running ones', async () => {
        const { executionStore, database } = await open();
        const now = Date.now();
        await executionStore.save(executionRecord('old_done', { started_at: daysAgo(30, now), node_results: [nodeResult('a', { output: 'z'.repeat(70_000) })] }));
        await executionStore.save(executionRecord('old_failed', { status: 'failed', started_at: daysAgo(15, now) }));
        await executionStore.save(executionRecord('old_running', { status: 'running', finished_at: null, started_at: daysAgo(40, now) }));
        await executionStore.save(executionRecord('recent', { started_at: daysAgo(2, now) }));
        const result = await executionStore.prune({ maxAgeDays: 14, now: new Date(now) });
        assert.equal(result.deleted, 2);
        const left = (await executionStore.list()).items.map((e) => e.id).sort();
        assert.deepEqual(left, ['old_running', 'recent']);
        assert.equal(await countRows(database, 'execution_data'), 0);
        assert.equal(await countRows(database, 'execution_nodes', 'old_done'), 0);
        if (harness.dialect === 'sqlite') assert.equal(typeof result.fileSizeAfter, 'number');
        else assert.equal(result.fileSizeAfter, null);
      });

      test('prune by count keeps the newest finished executions', async () => {
        const { executionStore } = await open();
        for (let i = 0; i < 12; i++) {
          await executionStore.save(executionRecord(`c${String(i).padStart(2, '0')}`, { started_at: daysAgo(12 - i), node_results: [nodeResult('a')] }));
        }
        await executionStore.save(executionRecord('running', { status: 'running', finished_at: null, started_at: daysAgo(100) }));
        const result = await executionStore.prune({ maxCount: 5 });
        assert.equal(result.deleted, 7);
        const left = (await executionStore.list()).items.map((e) => e.id);
        assert.deepEqual(left, ['c11', 'c10', 'c09', 'c08', 'c07', 'running']);
        assert.equal((await executionStore.prune({ maxCount: 5, maxAgeDays: 0 })).deleted, 0);
      });

      test('concurrent runs through one hooks object are stored separately and completely', async () => {
        const { executionStore } = await open();
        const hooks = checkpointHooks(executionStore);
        const runs = await Promise.all(Array.from({ length: 8 }, (_, i) => runWorkflow(orderWorkflow(), { trigger: { qty: i, price: 2 }, hooks })));
        for (const run of runs) assert.deepEqual(await executionStore.require(run.id), run);
      });
    });

    describe('settings', () => {
      test('defaults, typed values, list, reset', async () => {
        const { settingsStore } = await open();
        assert.equal(await settingsStore.get('executions.retention_days'), 14);
        assert.equal(await settingsStore.get('executions.max_count'), 10_000);
        assert.equal(await settingsStore.set('executions.retention_days', 30), 30);
        assert.equal(await settingsStore.get('executions.retention_days'), 30);
        assert.equal(await settingsStore.setText('executions.max_count', '500'), 500);
        assert.equal(await settingsStore.get('executions.max_count'), 500);

        const list = await settingsStore.list();
        const retention = list.find((s) => s.key === 'executions.retention_days')!;
        assert.equal(retention.value, 30);
        assert.equal(retention.default, 14);
        assert.equal(retention.isDefault, false);
        assert.match(retention.description, /days/);
        assert.deepEqual(await settingsStore.all(), { 'executions.retention_days': 30, 'executions.max_count': 500 });

        await settingsStore.reset('executions.retention_days');
        assert.equal(await settingsStore.get('executions.retention_days'), 14);
        assert.equal((await settingsStore.list()).find((s) => s.key === 'executions.retention_days')!.isDefault, true);
      });

      test('unknown keys and bad values are refused with the key as path; the stored value stays', async () => {
        const { settingsStore } = await open();
        await settingsStore.set('executions.retention_days', 7);
        const unknown = await rejectsWith(settingsStore.set('executions.retention' as never, 3), 'SETTING_UNKNOWN', /executions\.retention_days/);
        assert.equal(unknown.path, 'executions.retention');
        await rejectsWith(settingsStore.get('nope' as never), 'SETTING_UNKNOWN');
        for (const bad of [-1, 1.5, 'ten', null, true]) {
          const err = await rejectsWith(settingsStore.set('executions.retention_days', bad), 'SETTING_INVALID', /executions\.retention_days/);
          assert.equal(err.path, 'executions.retention_days');
        }
        await rejectsWith(settingsStore.setText('executions.max_count', 'lots'), 'SETTING_INVALID');
        assert.equal(await settingsStore.get('executions.retention_days'), 7);
      });

      test('a stored value that no longer validates reads as the default', async () => {
        const { settingsStore, database } = await open();
        await database.db.insertInto('settings').values({ key: 'executions.max_count', value: '"many"', updated_at: new Date().toISOString() }).execute();
        assert.equal(await settingsStore.get('executions.max_count'), 10_000);
      });
    });

    describe('faults', () => {
      test('a database locked by another writer gives DB_BUSY after the busy timeout, and loses nothing', async () => {
        const store = await open({ busyTimeoutMs: 300 });
        const { workflowStore, executionStore, database } = store;
        await workflowStore.save(orderWorkflow());
        const record = executionRecord('e_lock', { status: 'running', finished_at: null });
        await executionStore.create(record);
        const release = await harness.holdWriteLock(database);
        try {
          const started = Date.now();
          await rejectsWith(workflowStore.save(orderWorkflow({ description: 'changed' })), 'DB_BUSY', /busy.*lock/);
          assert.ok(Date.now() - started >= 250, 'waited for the busy timeout first');
          const node = nodeResult('a');
          record.node_results.push(node);
          await rejectsWith(executionStore.saveCheckpoint(record, node), 'DB_BUSY');
          // Readers are not blocked.
          assert.equal((await workflowStore.require('wf_orders')).current_version, 1);
        } finally {
          await release();
        }
        assert.equal((await workflowStore.require('wf_orders')).workflow.description, '');
        assert.deepEqual((await executionStore.require('e_lock')).node_results, []);
        await workflowStore.save(orderWorkflow({ description: 'changed' }));
        await executionStore.saveCheckpoint(record, record.node_results[0]);
        assert.equal((await workflowStore.require('wf_orders')).current_version, 2);
        assert.equal((await executionStore.require('e_lock')).node_results.length, 1);
      });

      test('a full disk gives DB_FULL, rolls the write back whole, and keeps what was stored', async () => {
        const { workflowStore, executionStore, database } = await open();
        await workflowStore.save(orderWorkflow());
        const record = executionRecord('e_full', { status: 'running', finished_at: null, variables: { n: 1 } });
        await executionStore.create(record);
        const first = nodeResult('first');
        record.node_results.push(first);
        await executionStore.saveCheckpoint(record, first);

        const restore = await harness.simulateDiskFull(database);
        try {
          const huge = 'q'.repeat(300_000);
          await rejectsWith(workflowStore.save(orderWorkflow({ description: huge })), 'DB_FULL', /full|space/);
          const second = nodeResult('second', { output: huge });
          record.node_results.push(second);
          record.variables = { n: 2 };
          await rejectsWith(executionStore.saveCheckpoint(record, second), 'DB_FULL');
        } finally {
          await restore();
        }
        const wf = await workflowStore.require('wf_orders');
        assert.equal(wf.current_version, 1);
        assert.equal((await workflowStore.history('wf_orders')).length, 1);
        const stored = await executionStore.require('e_full');
        assert.deepEqual(stored.node_results.map((r) => r.key), ['first'], 'the failed checkpoint left no half-written node');
        assert.deepEqual(stored.variables, { n: 1 }, 'and did not move the variables on without it');
        await executionStore.saveCheckpoint(record, record.node_results[1]);
        assert.equal((await executionStore.require('e_full')).node_results.length, 2);
      });

      test('a checkpoint that cannot be saved fails the run instead of being ignored', async () => {
        const { executionStore, database } = await open();
        const hooks = checkpointHooks(executionStore);
        const inner = hooks.onNodeStart!;
        let restore: (() => Promise<void>) | undefined;
        hooks.onNodeStart = async (execution, result) => {
          if (result.key === 'check') restore = await harness.simulateDiskFull(database);
          await inner(execution, { ...result, output: 'w'.repeat(200_000) });
        };
        try {
          const run = await runWorkflow(orderWorkflow(), { trigger: { qty: 1, price: 1 }, hooks });
          assert.equal(run.status, 'failed');
          assert.equal(run.error?.code, 'DB_FULL');
        } finally {
          await restore?.();
        }
      });
    });
  });
}
