/**
 * Finds the vault's master key, in this order:
 *   1. SKYNETTE_ENCRYPTION_KEY: 64 hex digits or base64 of 32 bytes is used as the key; any other
 *      text (8 characters or more) is a passphrase, turned into the key with scrypt (N=2^15, r=8, p=1).
 *   2. The OS keyring entry for this data directory, when the keyring works.
 *   3. The key file `<data dir>/vault.key` (mode 0600).
 * A new key is created only when none exists (and the vault is empty): in the keyring when it can
 * store one, else in the key file.
 */
import { resolve } from 'node:path';
import { SkynetteError } from '../util/errors.js';
import { decodeRawKey, encodeKey, generateMasterKey, makeMasterKey, parseKeyText, type MasterKey } from './key.js';
import { createKeyFile, keyFilePath, readKeyFile, rotatingKeys } from './key-file.js';
import { defaultKeyring, KEYRING_SERVICE, type KeyringAccess } from './keyring.js';
import { keySet, type KeySet } from './crypto.js';

export const ENCRYPTION_KEY_ENV = 'SKYNETTE_ENCRYPTION_KEY';

export interface MasterKeyOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** The keyring to use; null for none. Default: the OS keyring (see defaultKeyring). */
  keyring?: KeyringAccess | null;
}

/** One keyring entry per data directory, so separate installations keep separate keys. */
export function keyringAccount(dataDir: string): string {
  return `vault-key:${resolve(dataDir)}`;
}

export function keyringFor(options: MasterKeyOptions): KeyringAccess | null {
  return options.keyring === undefined ? defaultKeyring(options.env ?? process.env) : options.keyring;
}

function fromKeyring(keyring: KeyringAccess | null, account: string): MasterKey | null {
  if (!keyring) return null;
  const stored = keyring.get(account);
  if (stored === null || stored === '') return null;
  const key = decodeRawKey(stored);
  if (!key) {
    throw new SkynetteError('VAULT_KEY_INVALID', `the OS keyring entry "${KEYRING_SERVICE} / ${account}" does not hold a 32-byte key; remove it or set ${ENCRYPTION_KEY_ENV}`);
  }
  return makeMasterKey(key, 'keyring', `${KEYRING_SERVICE} / ${account}`);
}

/** The master key if one exists; never creates one. */
export function findMasterKey(options: MasterKeyOptions): MasterKey | null {
  const env = options.env ?? process.env;
  const fromEnv = env[ENCRYPTION_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseKeyText(fromEnv, 'env', ENCRYPTION_KEY_ENV);
  return fromKeyring(keyringFor(options), keyringAccount(options.dataDir)) ?? readKeyFile(keyFilePath(options.dataDir));
}

/** Stores `key` in the keyring if it works (read back to be sure), else returns null. */
export function storeInKeyring(keyring: KeyringAccess | null, dataDir: string, key: Buffer): MasterKey | null {
  if (!keyring) return null;
  const account = keyringAccount(dataDir);
  try {
    keyring.set(account, encodeKey(key));
    if (keyring.get(account) === encodeKey(key)) return makeMasterKey(key, 'keyring', `${KEYRING_SERVICE} / ${account}`);
  } catch {
    // headless Linux and locked keyrings end up here; the key file is the fallback
  }
  return null;
}

/** Creates and stores a new master key: in the OS keyring when it works, else in the key file. */
export function createMasterKey(options: MasterKeyOptions): MasterKey {
  const fresh = generateMasterKey().key;
  return storeInKeyring(keyringFor(options), options.dataDir, fresh) ?? createKeyFile(keyFilePath(options.dataDir), fresh);
}

/** The keys to decrypt with: the master key, plus any left by an interrupted key rotation. */
export function vaultKeys(primary: MasterKey, dataDir: string): KeySet {
  return keySet(primary, rotatingKeys(dataDir));
}

/** Where a new key would be looked for, for the "no key" message. */
export function keyLocations(options: MasterKeyOptions): string {
  return `${ENCRYPTION_KEY_ENV}, the OS keyring or ${keyFilePath(options.dataDir)}`;
}
