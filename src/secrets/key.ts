/**
 * A master key: 32 bytes, known by a short id that is a hash of the key (never the key itself), and
 * where it came from so errors can say which key was in use.
 */
import { createHash, randomBytes, scryptSync } from 'node:crypto';
import { SkynetteError } from '../util/errors.js';

export const KEY_BYTES = 32;

export type KeySource = 'env' | 'keyring' | 'file' | 'given';

export interface MasterKey {
  readonly key: Buffer;
  readonly id: string;
  readonly source: KeySource;
  /** The env variable, keyring entry or file path the key came from. */
  readonly location?: string;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('skynette/vault-key-id/v1\0').update(key).digest('hex').slice(0, 16);
}

export function makeMasterKey(key: Buffer, source: KeySource, location?: string): MasterKey {
  if (key.length !== KEY_BYTES) throw new SkynetteError('VAULT_KEY_INVALID', `a master key must be ${KEY_BYTES} bytes, got ${key.length}`);
  return { key, id: keyIdOf(key), source, location };
}

export function generateMasterKey(source: KeySource = 'given'): MasterKey {
  return makeMasterKey(randomBytes(KEY_BYTES), source);
}

/** How a key is written to a file or the keyring. */
export function encodeKey(key: Buffer): string {
  return key.toString('base64');
}

/** 32 bytes written as 64 hex digits or as base64 (standard or URL-safe); null for anything else. */
export function decodeRawKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return null;
}

export const MIN_PASSPHRASE_LENGTH = 8;
// A passphrase has far less entropy than 32 random bytes, so it goes through a memory-hard KDF. The
// salt is fixed (the same passphrase must give the same key on every machine); the per-record HKDF
// step still gives every record its own key.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const PASSPHRASE_SALT = 'skynette/master-key-from-passphrase/v1';
const derived = new Map<string, Buffer>();

export function keyFromPassphrase(passphrase: string): Buffer {
  const cacheKey = createHash('sha256').update(passphrase).digest('hex');
  let key = derived.get(cacheKey);
  if (!key) {
    key = scryptSync(passphrase.normalize('NFC'), PASSPHRASE_SALT, KEY_BYTES, SCRYPT);
    derived.set(cacheKey, key);
  }
  return key;
}

/**
 * Reads a key as a person supplies it (SKYNETTE_ENCRYPTION_KEY, --new-key-file): 64 hex digits or
 * base64 of 32 bytes is the key itself; any other text of 8 characters or more is a passphrase.
 */
export function parseKeyText(text: string, source: KeySource, location: string): MasterKey {
  const raw = decodeRawKey(text);
  if (raw) return makeMasterKey(raw, source, location);
  const passphrase = text.replace(/\r?\n$/, '');
  if (passphrase.trim().length < MIN_PASSPHRASE_LENGTH) {
    throw new SkynetteError(
      'VAULT_KEY_INVALID',
      `${location} is too short: use 32 random bytes as base64 or hex (\`openssl rand -base64 32\`) or a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
  return makeMasterKey(keyFromPassphrase(passphrase), source, location);
}

export function describeKeySource(key: MasterKey): string {
  switch (key.source) {
    case 'env':
      return 'from SKYNETTE_ENCRYPTION_KEY';
    case 'keyring':
      return 'from the OS keyring';
    case 'file':
      return `from ${key.location ?? 'the key file'}`;
    default:
      return key.location ? `from ${key.location}` : 'given';
  }
}
