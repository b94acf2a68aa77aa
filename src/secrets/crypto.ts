/**
 * Sealing credential fields: AES-256-GCM with a random 12-byte nonce, under a key derived for this
 * one record (HKDF-SHA256 over the master key and the record id), with the record's id, name and
 * type as additional authenticated data. Moving ciphertext to another record, renaming a record
 * or changing its type in the database makes decryption fail instead of handing out the wrong secret.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SkynetteError } from '../util/errors.js';
import { describeKeySource, type MasterKey } from './key.js';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = Buffer.from('skynette/credential-record/v1');

export interface RecordIdentity {
  id: string;
  name: string;
  type: string;
}

/** The encrypted part of a record as stored: binary values in base64. */
export interface SealedFields {
  key_id: string;
  nonce: string;
  ciphertext: string;
  auth_tag: string;
}

export function recordKey(masterKey: Buffer, recordId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, Buffer.from(`credential:${recordId}`), 32));
}

function associatedData(record: RecordIdentity): Buffer {
  // JSON keeps the three values unambiguous (no separator can be smuggled into a name).
  return Buffer.from(JSON.stringify(['skynette-credential', 1, record.id, record.name, record.type]));
}

export function sealFields(masterKey: MasterKey, record: RecordIdentity, fields: Record<string, unknown>): SealedFields {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, recordKey(masterKey.key, record.id), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(record));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(fields), 'utf8'), cipher.final()]);
  return {
    key_id: masterKey.id,
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    auth_tag: cipher.getAuthTag().toString('base64'),
  };
}

/** The keys a vault can decrypt with, by key id, and the one it encrypts with. */
export interface KeySet {
  primary: MasterKey;
  byId: ReadonlyMap<string, MasterKey>;
}

export function keySet(primary: MasterKey, others: MasterKey[] = []): KeySet {
  const byId = new Map<string, MasterKey>();
  for (const key of [...others, primary]) byId.set(key.id, key);
  return { primary, byId };
}

function decryptFailed(record: RecordIdentity, reason: string): SkynetteError {
  return new SkynetteError('CREDENTIAL_DECRYPT_FAILED', `credential "${record.name}" could not be decrypted: ${reason}`, { details: { id: record.id } });
}

export function openFields(keys: KeySet, record: RecordIdentity, sealed: SealedFields): Record<string, unknown> {
  const masterKey = keys.byId.get(sealed.key_id);
  if (!masterKey) {
    const current = keys.primary;
    throw decryptFailed(
      record,
      `it was saved with key id ${sealed.key_id}, but the master key in use (${describeKeySource(current)}) has key id ${current.id}; ` +
        'set SKYNETTE_ENCRYPTION_KEY to the key it was saved with',
    );
  }
  let plaintext: string;
  try {
    const nonce = Buffer.from(sealed.nonce, 'base64');
    const tag = Buffer.from(sealed.auth_tag, 'base64');
    if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) throw new Error('bad nonce or tag length');
    const decipher = createDecipheriv(ALGORITHM, recordKey(masterKey.key, record.id), nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(record));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw decryptFailed(record, `the data was changed or the key is not the one it was saved with (key id ${sealed.key_id})`);
  }
  const fields: unknown = JSON.parse(plaintext);
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw decryptFailed(record, 'the decrypted data is not a set of fields');
  return fields as Record<string, unknown>;
}
