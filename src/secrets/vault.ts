/**
 * The credential vault: typed credentials, each sealed with its own key (see crypto.ts), in the
 * `credentials` table. Listing needs no key; reading, adding and rotating do. Every change that
 * touches several records (rotation, import) happens in one transaction: all or nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SkynetteError, errorMessage } from '../util/errors.js';
import { openFields, sealFields, type KeySet, type RecordIdentity } from './crypto.js';
import { generateMasterKey, makeMasterKey, parseKeyText, type MasterKey } from './key.js';
import { createKeyFile, keyFilePath, removeKeyFile, replaceKeyFile, rotatingKeyPath, rotatingKeys } from './key-file.js';
import { ENCRYPTION_KEY_ENV, createMasterKey, findMasterKey, keyringFor, storeInKeyring, vaultKeys, type MasterKeyOptions } from './master-key.js';
import { CredentialRepository, type CredentialRow } from './repository.js';
import { findCredentialType, getCredentialType, parseCredentialFields } from './types/registry.js';
import type { CredentialFields } from './types/define.js';
import { rememberSecret } from './redact.js';
import { EXPORT_FORMAT, EXPORT_VERSION, parseImportFile, type CredentialExport } from './export-format.js';

export interface VaultOptions extends MasterKeyOptions {
  db: Kysely<any>;
  now?: () => Date;
}

/** A credential as listed: which fields are set, never their values. */
export interface CredentialSummary {
  id: string;
  name: string;
  type: string;
  field_names: string[];
  key_id: string;
  meta: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface Credential extends CredentialSummary {
  fields: CredentialFields;
}

export interface CredentialUpdate {
  name?: string;
  /** Merged into the stored fields; a field set to null is removed. */
  fields?: Record<string, unknown>;
  /** Replace all fields instead of merging (works even when the old ones cannot be decrypted). */
  replaceFields?: boolean;
  meta?: Record<string, unknown>;
}

export interface RotateResult {
  count: number;
  old_key_id: string | null;
  new_key_id: string;
  /** Where the new key now lives (or what the user must do with it). */
  stored: string;
  warning?: string;
}

export interface ImportResult {
  added: string[];
  replaced: string[];
}

const NAME_MAX = 100;
const META_MAX_BYTES = 16 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The non-secret meta column: the names of the set fields, and the caller's own meta. */
interface StoredMeta {
  field_names: string[];
  meta: Record<string, unknown>;
}

function readMeta(text: string): StoredMeta {
  try {
    const parsed = JSON.parse(text) as Partial<StoredMeta>;
    return {
      field_names: Array.isArray(parsed.field_names) ? parsed.field_names.filter((n): n is string => typeof n === 'string') : [],
      meta: parsed.meta && typeof parsed.meta === 'object' && !Array.isArray(parsed.meta) ? parsed.meta : {},
    };
  } catch {
    return { field_names: [], meta: {} };
  }
}

function writeMeta(fields: CredentialFields, meta: Record<string, unknown>): string {
  const fieldNames = Object.keys(fields).filter((k) => fields[k] !== undefined);
  return JSON.stringify({ field_names: fieldNames, meta });
}

function summaryOf(row: CredentialRow): CredentialSummary {
  const stored = readMeta(row.meta);
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    field_names: stored.field_names,
    key_id: row.key_id,
    meta: stored.meta,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Problems with a name, or null. Names are how workflows refer to credentials. */
export function credentialNameProblem(name: unknown): string | null {
  if (typeof name !== 'string' || name.trim() === '') return 'required';
  if (name.length > NAME_MAX) return `at most ${NAME_MAX} characters`;
  if (name !== name.trim()) return 'no spaces at the start or end';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'no control characters';
  if (UUID.test(name)) return 'must not look like a credential id';
  return null;
}

function checkName(name: unknown, path = 'name'): string {
  const problem = credentialNameProblem(name);
  if (problem) throw new SkynetteError('CREDENTIAL_INVALID', `${path}: ${problem}`, { path });
  return name as string;
}

function checkMeta(meta: unknown, path = 'meta'): Record<string, unknown> {
  if (meta === undefined) return {};
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) throw new SkynetteError('CREDENTIAL_INVALID', `${path}: expected an object`, { path });
  if (Buffer.byteLength(JSON.stringify(meta)) > META_MAX_BYTES) {
    throw new SkynetteError('CREDENTIAL_INVALID', `${path}: at most ${META_MAX_BYTES / 1024} KB`, { path });
  }
  return meta as Record<string, unknown>;
}

function notFound(reference: string): SkynetteError {
  return new SkynetteError('CREDENTIAL_NOT_FOUND', `no credential named "${reference}" (see \`skynette credentials list\`)`);
}

/** Feeds the secret registry with every secret value of a decrypted credential. */
export function rememberCredentialSecrets(type: string, fields: CredentialFields): void {
  const definition = findCredentialType(type);
  // A type whose node module is not loaded: every string counts as secret.
  const secretNames = definition ? definition.secret : Object.keys(fields);
  for (const name of secretNames) {
    const value = fields[name];
    rememberSecret(typeof value === 'string' ? value : value === undefined || value === null ? undefined : JSON.stringify(value));
  }
  for (const value of definition?.derivedSecrets?.(fields) ?? []) rememberSecret(value);
}

function identity(row: Pick<CredentialRow, 'id' | 'name' | 'type'>): RecordIdentity {
  return { id: row.id, name: row.name, type: row.type };
}

export class CredentialVault {
  private readonly repository: CredentialRepository;
  private readonly now: () => Date;

  constructor(private readonly options: VaultOptions) {
    this.repository = new CredentialRepository(options.db);
    this.now = options.now ?? (() => new Date());
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /**
   * The engine's `RunOptions.getCredential`: the decrypted fields of a credential (by id or name),
   * with its `type`. Every secret in it is remembered so logs and errors can redact it.
   */
  readonly resolveCredential = async (reference: string): Promise<Record<string, unknown>> => {
    const credential = await this.get(reference);
    return { type: credential.type, ...credential.fields };
  };

  /** The master key in use, or null when none exists yet. Never creates one. */
  currentKey(): MasterKey | null {
    return findMasterKey(this.options);
  }

  /**
   * The keys, looked up again for every operation (a file read or a keyring lookup): a long-running
   * server must not keep encrypting with a key that `rotate-key` in another process has replaced.
   */
  private async keySet(create: boolean): Promise<KeySet> {
    let key = findMasterKey(this.options);
    if (!key) {
      const ids = await this.repository.keyIds();
      if (ids.length > 0) throw await this.missingKey(ids);
      if (!create) throw new SkynetteError('VAULT_KEY_MISSING', `the credential vault has no master key yet; set ${ENCRYPTION_KEY_ENV} or add a credential to create one`);
      key = createMasterKey(this.options);
    }
    return vaultKeys(key, this.options.dataDir);
  }

  private async missingKey(keyIds: string[]): Promise<SkynetteError> {
    const count = await this.repository.count();
    return new SkynetteError(
      'VAULT_KEY_MISSING',
      `no master key found, but the vault holds ${count} credential(s) saved with key id ${keyIds.join(', ')}: ` +
        `set ${ENCRYPTION_KEY_ENV} to the key they were saved with, or restore the key file ${keyFilePath(this.options.dataDir)}`,
    );
  }

  private async row(reference: string, repository = this.repository): Promise<CredentialRow> {
    const row = await repository.find(reference);
    if (!row) throw notFound(reference);
    return row;
  }

  private seal(keys: KeySet, record: RecordIdentity, fields: CredentialFields, meta: Record<string, unknown>, times: { created_at: string; updated_at: string }): CredentialRow {
    return { ...record, ...sealFields(keys.primary, record, fields), meta: writeMeta(fields, meta), ...times };
  }

  private decrypt(keys: KeySet, row: CredentialRow): CredentialFields {
    return openFields(keys, identity(row), row);
  }

  async add(type: string, name: string, fields: Record<string, unknown>, meta?: Record<string, unknown>): Promise<CredentialSummary> {
    getCredentialType(type);
    checkName(name);
    const parsed = parseCredentialFields(type, fields);
    const userMeta = checkMeta(meta);
    const keys = await this.keySet(true);
    return this.repository.transaction(async (repository) => {
      if (await repository.byName(name)) {
        throw new SkynetteError('CREDENTIAL_EXISTS', `a credential named "${name}" already exists; pick another name, or change it with \`skynette credentials update\``, {
          path: 'name',
        });
      }
      const at = this.now().toISOString();
      const row = this.seal(keys, { id: randomUUID(), name, type }, parsed, userMeta, { created_at: at, updated_at: at });
      await repository.insert(row);
      return summaryOf(row);
    });
  }

  async update(reference: string, changes: CredentialUpdate): Promise<CredentialSummary> {
    await this.row(reference);
    const keys = await this.keySet(false);
    return this.repository.transaction(async (repository) => {
      const row = await this.row(reference, repository);
      const name = changes.name === undefined ? row.name : checkName(changes.name);
      if (name !== row.name && (await repository.byName(name))) {
        throw new SkynetteError('CREDENTIAL_EXISTS', `a credential named "${name}" already exists`, { path: 'name' });
      }
      let fields: Record<string, unknown>;
      if (changes.replaceFields) fields = { ...changes.fields };
      else {
        fields = { ...this.decrypt(keys, row) };
        for (const [k, v] of Object.entries(changes.fields ?? {})) {
          if (v === null) delete fields[k];
          else fields[k] = v;
        }
      }
      const parsed = parseCredentialFields(row.type, fields);
      const meta = changes.meta === undefined ? readMeta(row.meta).meta : checkMeta(changes.meta);
      const updated = this.seal(keys, { id: row.id, name, type: row.type }, parsed, meta, { created_at: row.created_at, updated_at: this.now().toISOString() });
      await repository.replace(updated);
      return summaryOf(updated);
    });
  }

  /** A credential with its decrypted fields, by id or name. */
  async get(reference: string): Promise<Credential> {
    const row = await this.row(reference);
    const fields = this.decrypt(await this.keySet(false), row);
    rememberCredentialSecrets(row.type, fields);
    return { ...summaryOf(row), fields };
  }

  async list(): Promise<CredentialSummary[]> {
    return (await this.repository.all()).map(summaryOf);
  }

  async delete(reference: string): Promise<CredentialSummary> {
    return this.repository.transaction(async (repository) => {
      const row = await this.row(reference, repository);
      await repository.delete(row.id);
      return summaryOf(row);
    });
  }

  /**
   * Re-encrypts every record under `newKey` (default: a fresh random key) in one transaction; if
   * any record fails, nothing changes. The new key is written next to the data before the
   * transaction commits, so a crash at any point leaves every record readable.
   */
  async rotateKey(newKey?: MasterKey | Buffer | string): Promise<RotateResult> {
    const current = findMasterKey(this.options);
    const keyIds = await this.repository.keyIds();
    if (!current && keyIds.length > 0) throw await this.missingKey(keyIds);
    if (current?.source === 'env' && newKey === undefined) {
      throw new SkynetteError(
        'VAULT_KEY_FROM_ENV',
        `the master key comes from ${ENCRYPTION_KEY_ENV}, which Skynette cannot change: write a new key to a file (\`openssl rand -base64 32 > new.key\`), ` +
          `run \`skynette credentials rotate-key --new-key-file new.key\`, then set ${ENCRYPTION_KEY_ENV} to it`,
      );
    }
    const next =
      newKey === undefined
        ? generateMasterKey()
        : Buffer.isBuffer(newKey)
          ? makeMasterKey(newKey, 'given')
          : typeof newKey === 'string'
            ? parseKeyText(newKey, 'given', 'the new key')
            : newKey;
    if (current && next.id === current.id) throw new SkynetteError('VAULT_KEY_SAME', `the new key is the key already in use (key id ${current.id})`);

    const dataDir = this.options.dataDir;
    const keys = current ? vaultKeys(current, dataDir) : null;
    const pending = current?.source === 'env' ? null : rotatingKeyPath(dataDir, next.id);
    if (pending) createKeyFile(pending, next.key);

    const reseal = async (repository: CredentialRepository, rows: CredentialRow[]) => {
      for (const row of rows) {
        const fields = this.decrypt(keys!, row);
        await repository.replace({ ...row, ...sealFields(next, identity(row), fields) });
      }
    };

    let count: number;
    try {
      count = await this.repository.transaction(async (repository) => {
        const rows = await repository.all();
        await reseal(repository, rows);
        return rows.length;
      });
    } catch (error) {
      if (pending) removeKeyFile(pending);
      const message = `key rotation cancelled, nothing was changed: ${errorMessage(error)}`;
      throw error instanceof SkynetteError ? new SkynetteError(error.code, message, { cause: error, path: error.path }) : new SkynetteError('VAULT_ROTATE_FAILED', message, { cause: error });
    }

    const installed = this.installKey(current, next, pending);
    // A credential another process added with the old key while the rotation ran.
    if (keys) {
      await this.repository.transaction(async (repository) => {
        const stragglers = (await repository.all()).filter((row) => row.key_id !== next.id && keys.byId.has(row.key_id));
        await reseal(repository, stragglers);
      });
    }
    if (!installed.warning) {
      for (const leftover of rotatingKeys(dataDir)) if (leftover.location) removeKeyFile(leftover.location);
    }
    return { count, old_key_id: current?.id ?? null, new_key_id: next.id, stored: installed.stored, warning: installed.warning };
  }

  /** Puts the new key where the old one was; the pending copy goes once that succeeded. */
  private installKey(current: MasterKey | null, next: MasterKey, pending: string | null): { stored: string; warning?: string } {
    const dataDir = this.options.dataDir;
    if (current?.source === 'env') {
      return { stored: `set ${ENCRYPTION_KEY_ENV} to the new key before the next command` };
    }
    if (current?.source === 'keyring') {
      if (storeInKeyring(keyringFor(this.options), dataDir, next.key)) {
        if (pending) removeKeyFile(pending);
        return { stored: 'the OS keyring' };
      }
      return {
        stored: pending ?? '',
        warning: `the OS keyring refused the new key; it is kept in ${pending} and records stay readable; run rotate-key again once the keyring works`,
      };
    }
    const file = replaceKeyFile(keyFilePath(dataDir), next.key);
    if (pending) removeKeyFile(pending);
    return { stored: file.location ?? keyFilePath(dataDir) };
  }

  /** Every credential, encrypted as stored (default) or with plain fields. */
  async export(options: { decrypted?: boolean } = {}): Promise<CredentialExport> {
    const rows = await this.repository.all();
    const base = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported_at: this.now().toISOString() } as const;
    if (!options.decrypted) {
      const keyIds = [...new Set(rows.map((r) => r.key_id))];
      return {
        ...base,
        encrypted: true,
        ...(keyIds.length === 1 ? { key_id: keyIds[0] } : {}),
        credentials: rows.map((row) => {
          const s = summaryOf(row);
          return { id: row.id, name: row.name, type: row.type, key_id: row.key_id, nonce: row.nonce, ciphertext: row.ciphertext, auth_tag: row.auth_tag, field_names: s.field_names, meta: s.meta, created_at: row.created_at, updated_at: row.updated_at };
        }),
      };
    }
    const keys = rows.length ? await this.keySet(false) : null;
    return {
      ...base,
      encrypted: false,
      credentials: rows.map((row) => ({ id: row.id, name: row.name, type: row.type, fields: this.decrypt(keys!, row), meta: summaryOf(row).meta, created_at: row.created_at, updated_at: row.updated_at })),
    };
  }

  /**
   * Adds the credentials of an export (encrypted with this vault's key, or plain). Everything is
   * checked first and stored in one transaction: a bad file changes nothing. A name that exists
   * already is refused unless `overwrite` is set.
   */
  async import(input: string | unknown, options: { overwrite?: boolean } = {}): Promise<ImportResult> {
    const records = parseImportFile(input);
    const problems: string[] = [];
    const seen = new Set<string>();
    const ready: Array<{ id?: string; name: string; type: string; fields: CredentialFields; meta: Record<string, unknown>; created_at?: string }> = [];
    const keys = await this.keySet(true);
    records.forEach((record, i) => {
      const at = `credentials[${i}]`;
      try {
        checkName(record.name, `${at}.name`);
        if (seen.has(record.name)) throw new SkynetteError('CREDENTIAL_INVALID', `${at}.name: "${record.name}" appears twice in the file`);
        seen.add(record.name);
        if (!findCredentialType(record.type)) getCredentialType(record.type);
        const meta = checkMeta(record.meta, `${at}.meta`);
        const raw = 'ciphertext' in record ? openFields(keys, identity(record), record) : record.fields;
        const fields = parseCredentialFields(record.type, raw, `${at}.fields`);
        ready.push({ id: record.id, name: record.name, type: record.type, fields, meta, created_at: record.created_at });
      } catch (error) {
        problems.push(error instanceof SkynetteError && error.code === 'CREDENTIAL_TYPE_UNKNOWN' ? `${at}.type: ${error.message}` : errorMessage(error));
      }
    });
    if (problems.length) throw new SkynetteError('CREDENTIAL_IMPORT_INVALID', `${problems.join('\n')}\nnothing was imported`);

    return this.repository.transaction(async (repository) => {
      const result: ImportResult = { added: [], replaced: [] };
      const conflicts: string[] = [];
      const existing = new Map<string, CredentialRow>();
      for (const record of ready) {
        const row = await repository.byName(record.name);
        if (row) existing.set(record.name, row);
        if (row && !options.overwrite) conflicts.push(record.name);
      }
      if (conflicts.length) {
        throw new SkynetteError(
          'CREDENTIAL_EXISTS',
          `already in the vault: ${conflicts.map((n) => `"${n}"`).join(', ')}; delete them first or import with --overwrite (nothing was imported)`,
        );
      }
      const at = this.now().toISOString();
      for (const record of ready) {
        const old = existing.get(record.name);
        if (old) {
          await repository.replace(this.seal(keys, identity(old), record.fields, record.meta, { created_at: old.created_at, updated_at: at }));
          result.replaced.push(record.name);
          continue;
        }
        const idFree = record.id && UUID.test(record.id) && !(await repository.byId(record.id));
        const id = idFree ? record.id! : randomUUID();
        await repository.insert(this.seal(keys, { id, name: record.name, type: record.type }, record.fields, record.meta, { created_at: record.created_at ?? at, updated_at: at }));
        result.added.push(record.name);
      }
      return result;
    });
  }
}
