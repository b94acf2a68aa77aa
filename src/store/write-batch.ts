/**
 * Runs a few compiled statements as one transaction: the shape of every checkpoint write.
 * On SQLite the statements run synchronously on the cached prepared statements while holding the
 * connection (so no other query can interleave), which avoids Kysely's per-statement async
 * round trips on the hottest path. On Postgres it is an ordinary Kysely transaction; a single
 * statement runs on its own (it is atomic anyway) to save the BEGIN/COMMIT round trips.
 */
import type { CompiledQuery } from 'kysely';
import type { Database } from './database.js';

export type WriteBatch = (queries: readonly CompiledQuery[]) => Promise<void>;

export function createWriteBatch(database: Database): WriteBatch {
  const { db, sqlite } = database;
  if (sqlite) {
    return (queries) =>
      sqlite.exclusive(() => {
        try {
          if (queries.length === 1) {
            sqlite.run(queries[0].sql, queries[0].parameters);
            return;
          }
          sqlite.run('begin immediate', []);
          try {
            for (const query of queries) sqlite.run(query.sql, query.parameters);
            sqlite.run('commit', []);
          } catch (error) {
            // SQLite rolls back by itself on some errors (SQLITE_FULL); then there is nothing to undo.
            if (sqlite.sqlite.inTransaction) sqlite.run('rollback', []);
            throw error;
          }
        } catch (error) {
          throw database.translateError(error);
        }
      });
  }
  return async (queries) => {
    if (queries.length === 1) {
      await db.executeQuery(queries[0]);
      return;
    }
    await db.transaction().execute(async (trx) => {
      for (const query of queries) await trx.executeQuery(query);
    });
  };
}
