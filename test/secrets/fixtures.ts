/**
 * Shared by the vault tests: valid fields of every built-in type, the secrets in them, fake
 * keyrings and a vault over a temporary database.
 */
import type { KeyringAccess } from '../../src/secrets/keyring.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.js';
import { CredentialVault, type VaultOptions } from '../../src/secrets/vault.js';

/** A keyring like the one on a headless Linux box: reads find nothing, writes throw. */
export const headlessKeyring: KeyringAccess = {
  get: () => null,
  set: () => {
    throw new Error("Couldn't access platform storage: AccessDenied");
  },
  delete: () => {},
};

/** Valid fields for every built-in credential type, with secrets easy to search for. */
export const serviceAccountJson = JSON.stringify({
  type: 'service_account',
  project_id: 'demo',
  private_key_id: 'abc',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-SECRET-PRIVATE-KEY-BODY\n-----END PRIVATE KEY-----\n',
  client_email: 'robot@demo.iam.gserviceaccount.com',
});

export const validFields: Record<string, Record<string, unknown>> = {
  api_key: { key: 'sk-live-APIKEY-0123456789abcdef', header_name: 'X-Api-Token', in: 'header', base_url: 'https://api.example.com' },
  bearer: { token: 'ghp_BEARERTOKEN0123456789abcdef' },
  basic_auth: { username: 'alice', password: 'BASIC-PASSWORD-s3cret' },
  oauth2: {
    access_token: 'ya29.OAUTH-ACCESS-TOKEN-xyz',
    refresh_token: '1//OAUTH-REFRESH-TOKEN-xyz',
    expires_at: '2030-01-31T12:00:00Z',
    scopes: ['read', 'write'],
    token_url: 'https://oauth.example.com/token',
    client_id: 'client-1',
    client_secret: 'OAUTH-CLIENT-SECRET-xyz',
  },
  aws: { access_key_id: 'AKIAEXAMPLE', secret_access_key: 'AWS-SECRET-ACCESS-KEY-wJalrXUtnFEMI', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4568' },
  google_service_account: { service_account_json: serviceAccountJson },
  smtp: { host: 'smtp.example.com', port: 465, secure: true, username: 'mailer', password: 'SMTP-PASSWORD-s3cret' },
  imap: { host: 'imap.example.com', port: 993, secure: true, username: 'reader', password: 'IMAP-PASSWORD-s3cret' },
  postgres: { host: 'db.example.com', port: 5432, database: 'app', user: 'app', password: 'PG-PASSWORD-s3cret', ssl: true },
  mysql: { connection_string: 'mysql://app:MYSQL-PASSWORD-s3cret@db.example.com:3306/app' },
};

/** Secret values in validFields that must never be found in the clear. */
export const secretValues = [
  'sk-live-APIKEY-0123456789abcdef',
  'ghp_BEARERTOKEN0123456789abcdef',
  'BASIC-PASSWORD-s3cret',
  'OAUTH-ACCESS-TOKEN-xyz',
  'OAUTH-REFRESH-TOKEN-xyz',
  'OAUTH-CLIENT-SECRET-xyz',
  'AWS-SECRET-ACCESS-KEY-wJalrXUtnFEMI',
  'SECRET-PRIVATE-KEY-BODY',
  'SMTP-PASSWORD-s3cret',
  'IMAP-PASSWORD-s3cret',
  'PG-PASSWORD-s3cret',
  'MYSQL-PASSWORD-s3cret',
];

export type TestDialect = 'sqlite' | 'postgres';

export const postgresUrl = process.env.SKYNETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the Postgres server of the development machine and CI answers. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestVault {
  dir: string;
  dialect: TestDialect;
  database: Database;
  vault: CredentialVault;
  /** Another vault over the same database, e.g. with another key. */
  reopen(options?: Partial<VaultOptions>): CredentialVault;
  cleanup(): Promise<void>;
}

/**
 * A vault with no keyring over a fresh database: a SQLite file in a temporary data directory, or a
 * schema of its own on the local Postgres server (the key file still lives in the data directory).
 */
export async function openTestVault(options: Partial<VaultOptions> = {}, dialect: TestDialect = 'sqlite'): Promise<TestVault> {
  const dir = mkdtempSync(join(tmpdir(), 'skynette-vault-'));
  const schema = `skynette_secrets_${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = dialect === 'sqlite' ? await openDatabase({ dataDir: dir, env: {} }) : await openDatabase({ url: postgresUrl, schema, env: {}, poolSize: 2 });
  const make = (more: Partial<VaultOptions> = {}) => new CredentialVault({ db: database.db, dataDir: dir, env: {}, keyring: null, ...options, ...more });
  return {
    dir,
    dialect,
    database,
    vault: make(),
    reopen: make,
    async cleanup() {
      if (dialect === 'postgres') await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db).catch(() => {});
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
