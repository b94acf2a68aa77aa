import type { Kysely } from 'kysely';
import type { DialectName } from '../errors.js';

/**
 * One schema change. `up` gets the dialect for the rare column that differs between SQLite and
 * Postgres; everything else is written once with Kysely's schema builder.
 */
export interface StoreMigration {
  /** Sorted and recorded by name: `NNN_what_it_does`. */
  name: string;
  up(db: Kysely<any>, dialect: DialectName): Promise<void>;
}
