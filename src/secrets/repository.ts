/**
 * The `credentials` table: rows as stored, sealed fields in base64 and non-secret meta as JSON.
 * Knows nothing of encryption; the vault does that.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CredentialsTable } from '../store/schema.js';

export interface CredentialRow {
  id: string;
  name: string;
  type: string;
  key_id: string;
  nonce: string;
  ciphertext: string;
  auth_tag: string;
  meta: string;
  created_at: string;
  updated_at: string;
}

interface CredentialTables {
  credentials: CredentialsTable;
}

const COLUMNS = ['id', 'name', 'type', 'key_id', 'nonce', 'ciphertext', 'auth_tag', 'meta', 'created_at', 'updated_at'] as const;

export class CredentialRepository {
  private readonly db: Kysely<CredentialTables>;

  // Kysely<any>: the store's full schema, or a test database holding only this table.
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<CredentialTables>;
  }

  all(): Promise<CredentialRow[]> {
    return this.db.selectFrom('credentials').select(COLUMNS).orderBy('name').execute();
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('credentials').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Key ids in use, for the "no key" message. */
  async keyIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('credentials').select('key_id').distinct().execute();
    return rows.map((r) => r.key_id);
  }

  async byId(id: string): Promise<CredentialRow | undefined> {
    return this.db.selectFrom('credentials').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async byName(name: string): Promise<CredentialRow | undefined> {
    return this.db.selectFrom('credentials').select(COLUMNS).where('name', '=', name).executeTakeFirst();
  }

  /** By id first, then by name. */
  async find(reference: string): Promise<CredentialRow | undefined> {
    return (await this.byId(reference)) ?? (await this.byName(reference));
  }

  async insert(row: CredentialRow): Promise<void> {
    await this.db.insertInto('credentials').values(row).execute();
  }

  /** Replaces every column of the row with this id. */
  async replace(row: CredentialRow): Promise<void> {
    const { id, ...rest } = row;
    await this.db.updateTable('credentials').set(rest).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('credentials').where('id', '=', id).execute();
  }

  /** Runs `work` in one transaction (or in the one already open). */
  async transaction<T>(work: (repository: CredentialRepository) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx: Transaction<CredentialTables>) => work(new CredentialRepository(trx)));
  }
}
