/**
 * Opens the vault of a data directory over Skynette's database (SQLite in the data dir, or
 * Postgres with SKYNETTE_DB_URL). With Postgres and several machines, give every process the same
 * SKYNETTE_ENCRYPTION_KEY: a key file or keyring entry exists on one machine only.
 */
import { resolveDataDir } from '../config/data-dir.js';
import { openDatabase, type Database } from '../store/database.js';
import type { KeyringAccess } from './keyring.js';
import { CredentialVault } from './vault.js';

export interface OpenVaultOptions {
  dataDir?: string;
  /** Postgres URL; default SKYNETTE_DB_URL. */
  url?: string;
  schema?: string;
  env?: NodeJS.ProcessEnv;
  keyring?: KeyringAccess | null;
}

export interface OpenedVault {
  vault: CredentialVault;
  database: Database;
  close(): Promise<void>;
}

export async function openVault(options: OpenVaultOptions = {}): Promise<OpenedVault> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? resolveDataDir(env);
  const database = await openDatabase({ dataDir, url: options.url, schema: options.schema, env });
  const vault = new CredentialVault({ db: database.db, dataDir, env, keyring: options.keyring });
  return { vault, database, close: () => database.close() };
}
