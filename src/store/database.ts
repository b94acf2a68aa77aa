/**
 * Opens Skynette's database: an embedded SQLite file by default, Postgres when a postgres:// URL is
 * given (option or SKYNETTE_DB_URL). Applies pending migrations before returning.
 */
import { chmodSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import * as sqliteVec from 'sqlite-vec';
import { ensurePrivateDir, resolveDataDir } from '../config/data-dir.js';
import { SkynetteError } from '../util/errors.js';
import { redactUrl, translateDatabaseError, type DialectName, type ErrorContext } from './errors.js';
import { migrate } from './migrate.js';
import type { StoreMigration } from './migrations/index.js';
import type { Schema } from './schema.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import { SkynetteSqliteDialect, SqliteDriver, type SqliteConnection } from './sqlite-driver.js';
import { TranslatingDialect } from './translating-dialect.js';

export const DATABASE_FILE_NAME = 'skynette.db';
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface OpenDatabaseOptions {
  /** SQLite: the file is `<dataDir>/skynette.db`. Default: resolveDataDir(). */
  dataDir?: string;
  /** SQLite: an explicit file path instead of `<dataDir>/skynette.db`. */
  file?: string;
  /** Postgres: postgres:// or postgresql:// URL. Default: SKYNETTE_DB_URL when set. */
  url?: string;
  /** Postgres: the schema to use (search_path), created when missing. Default: SKYNETTE_DB_SCHEMA. */
  schema?: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for another writer's lock before failing with DB_BUSY. */
  busyTimeoutMs?: number;
  /** Postgres connection pool size. */
  poolSize?: number;
  /**
   * Postgres: wait for the WAL flush at each commit. Off by default, which matches SQLite's
   * synchronous=NORMAL: a commit survives a crash of Skynette; only a crash of the database server
   * itself may lose the last fraction of a second (never corrupts).
   */
  synchronousCommit?: boolean;
  /** SQLite: run WAL checkpoints in a worker thread (default true). */
  backgroundCheckpoints?: boolean;
  /** For tests of the migration runner. */
  migrations?: readonly StoreMigration[];
}

export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: DialectName;
  /** For messages: the SQLite file, or the Postgres URL without its password. */
  readonly location: string;
  /** The SQLite file; null on Postgres. */
  readonly file: string | null;
  /** Migrations applied by this open (empty when the schema was current). */
  readonly appliedMigrations: readonly string[];
  readonly busyTimeoutMs: number;
  /** SQLite: the one connection with its statement cache, for the checkpoint fast path. */
  readonly sqlite: SqliteConnection | null;
  /** Turns any driver error into a SkynetteError with a code (already done for Kysely queries). */
  translateError(error: unknown): SkynetteError;
  close(): Promise<void>;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const env = options.env ?? process.env;
  const url = options.url ?? (env.SKYNETTE_DB_URL?.trim() || undefined);
  if (url !== undefined) {
    if (!POSTGRES_URL.test(url)) {
      throw new SkynetteError('DB_URL_INVALID', `the database URL must start with postgres:// or postgresql:// (got "${redactUrl(url).slice(0, 60)}"); unset SKYNETTE_DB_URL to use the embedded SQLite database`);
    }
    return openPostgres(url, options);
  }
  let file = options.file ? resolve(options.file) : undefined;
  if (!file) {
    const dataDir = options.dataDir ? resolve(options.dataDir) : resolveDataDir(env);
    ensurePrivateDir(dataDir);
    file = join(dataDir, DATABASE_FILE_NAME);
  }
  return openSqlite(file, options);
}

async function openSqlite(file: string, options: OpenDatabaseOptions): Promise<Database> {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const context: ErrorContext = { dialect: 'sqlite', location: file, busyTimeoutMs };
  const translate = (error: unknown) => translateDatabaseError(error, context);
  let sqlite: BetterSqlite3.Database;
  const created = !existsSync(file);
  try {
    sqlite = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    // The file holds credentials (encrypted) and run data: owner only. SQLite gives its WAL and
    // shared-memory files the same mode.
    if (created) chmodSync(file, 0o600);
  } catch (error) {
    throw translate(error);
  }
  try {
    // auto_vacuum only takes effect before the first table exists, so it comes first.
    sqlite.pragma('auto_vacuum = INCREMENTAL');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    // A WAL that grew during a burst is cut back to this size once it has been checkpointed.
    sqlite.pragma('journal_size_limit = 67108864');
    // Knowledge bases (src/rag) keep vectors in sqlite-vec vec0 tables: the module must be loaded on
    // every connection before any statement touches one of them.
    sqliteVec.load(sqlite);
    // Reading the schema finds a file that is not a database (or a damaged first page) now.
    sqlite.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    sqlite.close();
    throw translate(error);
  }
  const driver = new SqliteDriver(sqlite);
  const db = new Kysely<Schema>({ dialect: new TranslatingDialect(new SkynetteSqliteDialect(driver), translate) });
  const database = await finishOpen(db, 'sqlite', { location: file, file, busyTimeoutMs, sqlite: driver.connection, translate }, options);
  if (options.backgroundCheckpoints === false) return database;
  // The worker checkpoints every few ms; the main connection only steps in if it falls far behind.
  sqlite.pragma('wal_autocheckpoint = 10000');
  const checkpointer = startCheckpointer(file);
  const close = database.close;
  return {
    ...database,
    async close() {
      await checkpointer.stop();
      await close();
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const location = redactUrl(url);
  const context: ErrorContext = { dialect: 'postgres', location, busyTimeoutMs };
  const translate = (error: unknown) => translateDatabaseError(error, context);
  const schema = options.schema ?? ((options.env ?? process.env).SKYNETTE_DB_SCHEMA?.trim() || undefined);
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new SkynetteError('DB_SCHEMA_INVALID', `the Postgres schema name "${schema}" may use only letters, digits and _`);
  }
  const settings = [`-c lock_timeout=${Math.max(1, Math.floor(busyTimeoutMs))}`];
  if (!options.synchronousCommit) settings.push('-c synchronous_commit=off');
  if (schema) settings.push(`-c search_path=${schema}`);
  // The Postgres driver is loaded only when Postgres is used; the embedded default never needs it.
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    options: settings.join(' '),
  });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new TranslatingDialect(new PostgresDialect({ pool }), translate) });
  try {
    if (schema) {
      // Checked first: a user without CREATE on the database can still use a schema made for it.
      const found = await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db);
      if (found.rows.length === 0) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    }
  } catch (error) {
    await db.destroy().catch(() => {});
    throw translate(error);
  }
  return finishOpen(db, 'postgres', { location, file: null, busyTimeoutMs, sqlite: null, translate }, options);
}

async function finishOpen(
  db: Kysely<Schema>,
  dialect: DialectName,
  parts: { location: string; file: string | null; busyTimeoutMs: number; sqlite: SqliteConnection | null; translate: (error: unknown) => SkynetteError },
  options: OpenDatabaseOptions,
): Promise<Database> {
  let applied: string[];
  try {
    applied = await migrate(db, dialect, options.migrations);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw parts.translate(error);
  }
  let closed = false;
  return {
    db,
    dialect,
    location: parts.location,
    file: parts.file,
    appliedMigrations: applied,
    busyTimeoutMs: parts.busyTimeoutMs,
    sqlite: parts.sqlite,
    translateError: parts.translate,
    async close() {
      if (closed) return;
      closed = true;
      if (parts.sqlite) {
        try {
          parts.sqlite.sqlite.pragma('optimize');
        } catch {
          // Best effort: statistics for the query planner, never worth failing a close over.
        }
      }
      await db.destroy();
    },
  };
}

/** Bytes the SQLite file takes on disk now (its WAL not included). */
export function databaseFileSize(database: Database): number | null {
  if (!database.file) return null;
  try {
    return statSync(database.file).size;
  } catch {
    return null;
  }
}

/**
 * SQLite: hands the pages freed by deletes back to the file system (incremental vacuum), then
 * folds the WAL into the file and truncates it, so the file on disk shrinks now. false when
 * another connection kept the WAL busy and the file will shrink at a later checkpoint.
 */
export async function shrinkSqliteFile(database: Database): Promise<boolean> {
  const { sqlite } = database;
  if (!sqlite) return false;
  try {
    // pragma() steps the vacuum to the end; one step of a prepared statement frees one page.
    await sqlite.exclusive(() => sqlite.sqlite.pragma('incremental_vacuum'));
    for (let attempt = 0; attempt < 50; attempt++) {
      const [result] = (await sqlite.exclusive(() => sqlite.sqlite.pragma('wal_checkpoint(TRUNCATE)'))) as Array<{ busy: number }>;
      if (!result?.busy) return true;
      // The background checkpointer is mid-checkpoint: it finishes in a few ms.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  } catch (error) {
    throw database.translateError(error);
  }
}
