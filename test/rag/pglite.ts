/**
 * Postgres for tests without a server: PGlite (Postgres compiled to WASM, bundling pgvector 0.8)
 * behind a tiny adapter that gives Kysely's PostgresDialect the pool it expects. The schema comes
 * from the project's own migration list.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { Kysely, PostgresDialect } from 'kysely';
import { migrate } from '../../src/store/migrate.js';
import type { RagDatabase } from '../../src/rag/stores/types.js';

export async function openPglite(): Promise<{ database: RagDatabase; close(): Promise<void> }> {
  const pglite = await PGlite.create({ extensions: { vector } });
  const client = {
    async query(text: string, parameters: unknown[] = []) {
      const result = await pglite.query<Record<string, unknown>>(text, parameters as unknown[]);
      const command = text.trimStart().split(/\s+/, 1)[0].toUpperCase();
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length, command };
    },
    release() {},
  };
  const pool = {
    connect: async () => client,
    end: async () => {},
  };
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: pool as never }) });
  await migrate(db, 'postgres');
  return {
    database: { db, dialect: 'postgres', sqlite: null, location: 'pglite' },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
