/**
 * Runs a few compiled statements as one transaction: the shape of every checkpoint write.
 * On SQLite the statements run synchronously on the cached prepared statements while holding the
 * connection (so no other query can interleave), which avoids Kysely's per-statement async
 * round trips on the hottest path. On Postgres the statements become one (see combinePostgres).
 */
import { CompiledQuery } from 'kysely';
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
    await db.executeQuery(queries.length === 1 ? queries[0] : combinePostgres(queries));
  };
}

/**
 * Postgres runs data-modifying statements inside WITH as parts of one statement: atomic like a
 * transaction, in one round trip instead of BEGIN, each statement, COMMIT. The parts must touch
 * different rows (they see the same snapshot); foreign keys are checked at the end of the
 * statement, so a child row may reference a parent row inserted by another part.
 */
export function combinePostgres(queries: readonly CompiledQuery[]): CompiledQuery {
  const parameters: unknown[] = [];
  const parts = queries.map((query) => {
    const offset = parameters.length;
    parameters.push(...query.parameters);
    // Our statements are built by Kysely with every value as a parameter: no $n inside literals.
    return offset === 0 ? query.sql : query.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const main = parts.pop()!;
  return CompiledQuery.raw(`with ${parts.map((part, i) => `w${i} as (${part})`).join(', ')} ${main}`, parameters);
}
