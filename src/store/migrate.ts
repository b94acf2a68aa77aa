/**
 * Applies the migration list at open, each once, recorded in `skynette_migrations`. All pending
 * migrations run in one transaction under a lock (BEGIN IMMEDIATE on SQLite, an advisory lock on
 * Postgres), so two processes starting together apply them once and a failure applies none.
 */
import { sql, type Kysely } from 'kysely';
import { SkynetteError } from '../util/errors.js';
import type { DialectName } from './errors.js';
import { migrations as allMigrations, type StoreMigration } from './migrations/index.js';

export const MIGRATIONS_TABLE = 'skynette_migrations';

/** Applies what is pending; returns the names applied now. */
export async function migrate(db: Kysely<any>, dialect: DialectName, migrations: readonly StoreMigration[] = allMigrations): Promise<string[]> {
  checkOrder(migrations);
  if (dialect === 'sqlite') {
    await createMigrationsTable(db);
    // The common case, nothing to do, takes no write lock.
    if ((await pendingMigrations(db, migrations)).length === 0) return [];
  }
  return db.transaction().execute(async (trx) => {
    if (dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.skynette_migrations'))`.execute(trx);
      await createMigrationsTable(trx);
    }
    const pending = await pendingMigrations(trx, migrations);
    for (const migration of pending) {
      await migration.up(trx, dialect);
      await trx.insertInto(MIGRATIONS_TABLE).values({ name: migration.name, applied_at: new Date().toISOString() }).execute();
    }
    return pending.map((m) => m.name);
  });
}

async function createMigrationsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable(MIGRATIONS_TABLE)
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

async function pendingMigrations(db: Kysely<any>, migrations: readonly StoreMigration[]): Promise<StoreMigration[]> {
  const rows: Array<{ name: string }> = await db.selectFrom(MIGRATIONS_TABLE).select('name').execute();
  const applied = new Set(rows.map((r) => r.name));
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...applied].filter((name) => !known.has(name)).sort();
  if (unknown.length) {
    throw new SkynetteError(
      'DB_TOO_NEW',
      `the database was migrated by a newer Skynette (it has migration ${unknown.join(', ')}, which this version does not know); upgrade Skynette to use it`,
    );
  }
  return migrations.filter((m) => !applied.has(m.name));
}

function checkOrder(migrations: readonly StoreMigration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i - 1].name >= migrations[i].name) {
      throw new SkynetteError('MIGRATIONS_OUT_OF_ORDER', `migration "${migrations[i].name}" must sort after "${migrations[i - 1].name}"`);
    }
  }
}
