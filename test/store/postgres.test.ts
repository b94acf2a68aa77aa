/**
 * The store suite on the local Postgres (a fresh schema per test, dropped at the end), and what only
 * Postgres has: URLs, schemas, a server that is not there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { SkynetteError } from '../../src/util/errors.js';
import { PG_URL, postgresHarness } from './harness.js';
import { storeSuite } from './store-suite.js';

storeSuite(postgresHarness());

describe('Postgres connection', () => {
  test('an unreachable server gives DB_UNREACHABLE without the password', async () => {
    const url = 'postgres://skynette:s3cret-pw@127.0.0.1:1/test';
    await assert.rejects(openDatabase({ url }), (error: unknown) => {
      assert.ok(error instanceof SkynetteError);
      assert.equal(error.code, 'DB_UNREACHABLE');
      assert.match(error.message, /cannot reach the Postgres server at postgres:\/\/skynette:\*\*\*@127\.0\.0\.1:1\/test/);
      assert.doesNotMatch(error.message, /s3cret/);
      assert.doesNotMatch(JSON.stringify(error.details ?? null), /s3cret/);
      return true;
    });
  });

  test('a database that does not exist gives DB_NOT_FOUND', async () => {
    const url = new URL(PG_URL);
    url.pathname = '/skynette_no_such_database';
    await assert.rejects(openDatabase({ url: url.toString() }), (error: unknown) => error instanceof SkynetteError && error.code === 'DB_NOT_FOUND');
  });

  test('SKYNETTE_DB_URL selects Postgres, and the schema option keeps the tables in that schema', async () => {
    const schema = `skynette_test_env_${process.pid}`;
    const database = await openDatabase({ env: { SKYNETTE_DB_URL: PG_URL }, schema });
    try {
      assert.equal(database.dialect, 'postgres');
      assert.equal(database.file, null);
      const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(database.db);
      const names = tables.rows.map((r) => r.table_name);
      for (const table of ['credentials', 'execution_data', 'execution_nodes', 'executions', 'settings', 'skynette_migrations', 'workflow_versions', 'workflows']) {
        assert.ok(names.includes(table), `${table} is in ${schema}`);
      }
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    }
  });

  test('a schema name that is not a plain identifier is refused', async () => {
    await assert.rejects(openDatabase({ url: PG_URL, schema: 'x; drop table y' }), (error: unknown) => error instanceof SkynetteError && error.code === 'DB_SCHEMA_INVALID');
  });
});
