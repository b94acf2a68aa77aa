/**
 * The key file fallback: `<data dir>/vault.key`, base64 of 32 bytes, mode 0600. It is created by
 * writing a temporary file and linking it into place, so a reader never sees half a key and two
 * processes starting at once end up with the same key rather than each with its own.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SkynetteError } from '../util/errors.js';
import { decodeRawKey, encodeKey, makeMasterKey, type MasterKey } from './key.js';

export const KEY_FILE_NAME = 'vault.key';
/** A new key waiting to be installed by a key rotation; see rotateKey. */
const ROTATING_PREFIX = 'vault.key.rotating-';

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE_NAME);
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function errorCodeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Refuses a key file that other users can read or write. */
export function checkKeyFileMode(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new SkynetteError(
      'VAULT_KEY_FILE_OPEN',
      `the key file ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); fix it with \`chmod 600 ${shellQuote(path)}\` and try again`,
      { path },
    );
  }
}

/** The key in a key file, or null when the file does not exist. */
export function readKeyFile(path: string): MasterKey | null {
  let text: string;
  try {
    checkKeyFileMode(path);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return null;
    if (error instanceof SkynetteError) throw error;
    throw new SkynetteError('VAULT_KEY_FILE_UNREADABLE', `cannot read the key file ${path}: ${(error as Error).message}`, { path, cause: error });
  }
  const key = decodeRawKey(text);
  if (!key) {
    throw new SkynetteError('VAULT_KEY_FILE_DAMAGED', `the key file ${path} does not hold a 32-byte key (base64 or hex); restore it from a backup`, { path });
  }
  return makeMasterKey(key, 'file', path);
}

function writeTemp(path: string, key: Buffer): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, encodeKey(key) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Creates the key file with `key`, unless one appeared meanwhile: then that one is returned. */
export function createKeyFile(path: string, key: Buffer): MasterKey {
  const temp = writeTemp(path, key);
  try {
    linkSync(temp, path);
  } catch (error) {
    if (errorCodeOf(error) !== 'EEXIST') {
      // a file system without hard links: a plain rename is the best it offers
      renameSync(temp, path);
      return makeMasterKey(key, 'file', path);
    }
    removeQuietly(temp);
    const existing = readKeyFile(path);
    if (existing) return existing;
    throw error;
  }
  removeQuietly(temp);
  return makeMasterKey(key, 'file', path);
}

/** Writes `key` over the key file in one step (write a temporary file, then rename). */
export function replaceKeyFile(path: string, key: Buffer): MasterKey {
  const temp = writeTemp(path, key);
  try {
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  return makeMasterKey(key, 'file', path);
}

export function rotatingKeyPath(dataDir: string, keyId: string): string {
  return join(dataDir, `${ROTATING_PREFIX}${keyId}`);
}

/** Keys of rotations that were interrupted after the database committed: still needed to decrypt. */
export function rotatingKeys(dataDir: string): MasterKey[] {
  let names: string[];
  try {
    names = readdirSync(dataDir).filter((name) => name.startsWith(ROTATING_PREFIX) && !name.includes('.tmp-'));
  } catch {
    return [];
  }
  const keys: MasterKey[] = [];
  for (const name of names) {
    const key = readKeyFile(join(dataDir, name));
    if (key) keys.push(key);
  }
  return keys;
}

export function removeKeyFile(path: string): void {
  removeQuietly(path);
}
