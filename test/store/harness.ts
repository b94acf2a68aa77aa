/**
 * The two databases the store suite runs on. Each `open()` gives a fresh, empty database (a new
 * SQLite file, or a new Postgres schema); `cleanup()` removes them all and closes every handle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../src/store/database.js';

export const PG_URL = process.env.SKYNETTE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreHarness {
  dialect: 'sqlite' | 'postgres';
  /** A fresh, empty, migrated database. */
  open(options?: Partial<OpenDatabaseOptions>): Promise<Database>;
  /** The same database opened again (as another process would). */
  reopen(database: Database, options?: Partial<OpenDatabaseOptions>): Promise<Database>;
  /** A second connection takes the write lock until the returned function is called. */
  holdWriteLock(database: Database): Promise<() => Promise<void>>;
  /** Writes that need more space fail as on a full disk until the returned function is called. */
  simulateDiskFull(database: Database): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

const DATA_TABLES = ['workflows', 'workflow_versions', 'executions', 'execution_nodes', 'execution_data', 'settings'];

export function sqliteHarness(): StoreHarness {
  const dirs: string[] = [];
  const opened: Database[] = [];
  const track = (database: Database) => (opened.push(database), database);
  return {
    dialect: 'sqlite',
    async open(options = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'skynette-store-'));
      dirs.push(dir);
      return track(await openDatabase({ dataDir: dir, ...options }));
    },
    async reopen(database, options = {}) {
      return track(await openDatabase({ file: database.file!, ...options }));
    },
    async holdWriteLock(database) {
      const other = new BetterSqlite3(database.file!);
      other.exec('begin immediate');
      return async () => {
        other.exec('rollback');
        other.close();
      };
    },
    async simulateDiskFull(database) {
      const connection = database.sqlite!.sqlite;
      const pages = Number(connection.pragma('page_count', { simple: true }));
      // No free pages to reuse, and the file may not grow: the next write needing a page fails with SQLITE_FULL.
      connection.pragma('incremental_vacuum');
      connection.pragma(`max_page_count = ${pages}`);
      return async () => {
        connection.pragma('max_page_count = 1073741823');
      };
    },
    async cleanup() {
      for (const database of opened) await database.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function postgresHarness(): StoreHarness {
  const schemas: string[] = [];
  const opened: Database[] = [];
  const schemaOf = new Map<Database, string>();
  const track = (database: Database, schema: string) => {
    opened.push(database);
    schemaOf.set(database, schema);
    return database;
  };
  return {
    dialect: 'postgres',
    async open(options = {}) {
      const schema = `skynette_test_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 8)}`;
      schemas.push(schema);
      return track(await openDatabase({ url: PG_URL, schema, poolSize: 4, ...options }), schema);
    },
    async reopen(database, options = {}) {
      const schema = schemaOf.get(database)!;
      return track(await openDatabase({ url: PG_URL, schema, poolSize: 4, ...options }), schema);
    },
    async holdWriteLock(database) {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schemaOf.get(database)}` });
      await client.connect();
      await client.query('begin');
      // EXCLUSIVE lets readers in and keeps every writer waiting.
      await client.query(`lock table ${DATA_TABLES.join(', ')} in exclusive mode`);
      return async () => {
        await client.query('rollback');
        await client.end();
      };
    },
    async simulateDiskFull(database) {
      // Postgres cannot be filled up from here: a trigger raises the error a full disk raises (SQLSTATE 53100).
      const { db } = database;
      await sql`create or replace function skynette_test_disk_full() returns trigger language plpgsql as $$
        begin raise exception 'could not extend file: No space left on device' using errcode = 'disk_full'; end $$`.execute(db);
      for (const table of DATA_TABLES) {
        await sql`create trigger skynette_test_disk_full before insert or update on ${sql.table(table)} for each row execute function skynette_test_disk_full()`.execute(db);
      }
      return async () => {
        for (const table of DATA_TABLES) await sql`drop trigger skynette_test_disk_full on ${sql.table(table)}`.execute(db);
      };
    },
    async cleanup() {
      for (const database of opened) await database.close();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
