/**
 * The store suite on a temporary SQLite file, and what only SQLite has: the file itself (its
 * location, pragmas, damage, shrinking after a prune) and several processes sharing it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { resolveDataDir } from '../../src/config/data-dir.js';
import { openDatabase, shrinkSqliteFile } from '../../src/store/database.js';
import { openStore } from '../../src/store/index.js';
import { SkynetteError } from '../../src/util/errors.js';
import { sqliteHarness } from './harness.js';
import { executionRecord, nodeResult, storeSuite } from './store-suite.js';

storeSuite(sqliteHarness());

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'skynette-sqlite-'));
}

describe('SQLite file', () => {
  test('lives in <data dir>/skynette.db with WAL, foreign keys, incremental auto-vacuum and a busy timeout', async () => {
    const dir = tempDir();
    try {
      const database = await openDatabase({ dataDir: join(dir, 'nested', 'data') });
      try {
        assert.equal(database.dialect, 'sqlite');
        assert.equal(database.file, join(dir, 'nested', 'data', 'skynette.db'));
        assert.equal(statSync(join(dir, 'nested', 'data')).mode & 0o777, 0o700);
        assert.equal(statSync(database.file!).mode & 0o777, 0o600);
        const connection = database.sqlite!.sqlite;
        assert.equal(connection.pragma('journal_mode', { simple: true }), 'wal');
        assert.equal(connection.pragma('foreign_keys', { simple: true }), 1);
        assert.equal(connection.pragma('auto_vacuum', { simple: true }), 2);
        assert.equal(connection.pragma('synchronous', { simple: true }), 1);
        assert.equal(connection.pragma('busy_timeout', { simple: true }), 5000);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('resolveDataDir: SKYNETTE_DATA_DIR, else ~/.skynette, created owner-only', () => {
    const dir = tempDir();
    try {
      const wanted = join(dir, 'state');
      assert.equal(resolveDataDir({ SKYNETTE_DATA_DIR: wanted }), wanted);
      assert.equal(statSync(wanted).mode & 0o777, 0o700);
      assert.equal(resolveDataDir({ SKYNETTE_DATA_DIR: wanted }), wanted, 'an existing directory is fine');
      assert.equal(resolveDataDir({ HOME: dir }), join(dir, '.skynette'));
      writeFileSync(join(dir, 'file'), 'x');
      assert.throws(() => resolveDataDir({ SKYNETTE_DATA_DIR: join(dir, 'file') }), (e: unknown) => e instanceof SkynetteError && e.code === 'DATA_DIR_UNUSABLE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that is not a database gives DB_CORRUPT with what to do, and is left untouched', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'skynette.db');
      const garbage = Buffer.from('this is not a database, just some text that happens to be here\n'.repeat(100));
      writeFileSync(file, garbage);
      await assert.rejects(openDatabase({ dataDir: dir }), (error: unknown) => {
        assert.ok(error instanceof SkynetteError);
        assert.equal(error.code, 'DB_CORRUPT');
        assert.ok(error.message.includes(`the database file ${file} is damaged (not a SQLite database)`), error.message);
        assert.match(error.message, /move it aside and restore a backup: mv/);
        return true;
      });
      assert.deepEqual(readFileSync(file), garbage);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SKYNETTE_DB_URL that is not a postgres:// URL is refused', async () => {
    await assert.rejects(openDatabase({ env: { SKYNETTE_DB_URL: 'mysql://root:pw@localhost/x' } }), (error: unknown) => {
      assert.ok(error instanceof SkynetteError);
      assert.equal(error.code, 'DB_URL_INVALID');
      assert.doesNotMatch(error.message, /:pw@/);
      return true;
    });
  });

  test('the file shrinks after pruning many large executions (incremental vacuum)', async () => {
    const dir = tempDir();
    const store = await openStore({ dataDir: dir });
    try {
      const { executionStore, database } = store;
      const started = Date.now() - 1000_000;
      for (let i = 0; i < 120; i++) {
        const output = { blob: `${i}:`.padEnd(90_000, String.fromCharCode(97 + (i % 26))) };
        await executionStore.save(executionRecord(`big_${i}`, { started_at: new Date(started + i * 1000).toISOString(), node_results: [nodeResult('a', { output }), nodeResult('b')] }));
      }
      assert.equal(await shrinkSqliteFile(database), true);
      const before = statSync(database.file!).size;
      assert.ok(before > 10_000_000, `the file holds the outputs (${before} bytes)`);
      const result = await executionStore.prune({ maxCount: 5 });
      assert.equal(result.deleted, 115);
      const after = statSync(database.file!).size;
      assert.ok(after < before / 5, `the file went from ${before} to ${after} bytes`);
      assert.equal(result.fileSizeAfter, after);
      assert.equal((await executionStore.list()).items.length, 5);
      assert.equal(String((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db)).rows[0].integrity_check), 'ok');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two processes writing the same file at once corrupt nothing and lose nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'skynette.db');
    try {
      // Created first, so the two writers race on data rather than on the first migration.
      await (await openDatabase({ file })).close();
      const count = 25;
      const writer = (name: string) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'store', 'fixtures', 'concurrent-writer.ts'), file, name, String(count)], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (chunk) => (stderr += chunk));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${name} exited with ${code}: ${stderr}`))));
        });
      await Promise.all([writer('one'), writer('two')]);

      const store = await openStore({ file });
      try {
        const { workflowStore, executionStore, database } = store;
        assert.equal((await workflowStore.history('wf_one')).length, count);
        assert.equal((await workflowStore.history('wf_two')).length, count);
        const shared = await workflowStore.history('wf_shared');
        assert.deepEqual(shared.map((v) => v.version), Array.from({ length: shared.length }, (_, i) => shared.length - i), 'versions without gaps or repeats');
        const executions = await executionStore.list({ limit: 1000 });
        assert.equal(executions.items.length, 2 * count);
        assert.ok(executions.items.every((e) => e.status === 'completed'));
        for (const summary of executions.items.slice(0, 10)) assert.equal((await executionStore.require(summary.id)).node_results.length, 3);
        assert.equal(String((await sql<{ integrity_check: string }>`pragma integrity_check`.execute(database.db)).rows[0].integrity_check), 'ok');
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
