import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createMasterKey, findMasterKey, keyringAccount } from '../../src/secrets/master-key.js';
import { keyIdOf, parseKeyText } from '../../src/secrets/key.js';
import { createKeyFile, keyFilePath, readKeyFile } from '../../src/secrets/key-file.js';
import type { KeyringAccess } from '../../src/secrets/keyring.js';
import { defaultKeyring, osKeyring } from '../../src/secrets/keyring.js';
import { SkynetteError } from '../../src/util/errors.js';
import { headlessKeyring } from './fixtures.js';

function memoryKeyring(): KeyringAccess & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, get: (a) => entries.get(a) ?? null, set: (a, v) => void entries.set(a, v), delete: (a) => void entries.delete(a) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'skynette-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SKYNETTE_ENCRYPTION_KEY', () => {
  const raw = randomBytes(32);
  it('takes 64 hex digits as the key', () => {
    const key = findMasterKey({ dataDir: dir, env: { SKYNETTE_ENCRYPTION_KEY: raw.toString('hex') }, keyring: null })!;
    assert.deepEqual(key.key, raw);
    assert.equal(key.source, 'env');
  });
  it('takes base64 and base64url of 32 bytes as the key', () => {
    assert.deepEqual(findMasterKey({ dataDir: dir, env: { SKYNETTE_ENCRYPTION_KEY: raw.toString('base64') }, keyring: null })!.key, raw);
    assert.deepEqual(findMasterKey({ dataDir: dir, env: { SKYNETTE_ENCRYPTION_KEY: raw.toString('base64url') }, keyring: null })!.key, raw);
    assert.deepEqual(findMasterKey({ dataDir: dir, env: { SKYNETTE_ENCRYPTION_KEY: ` ${raw.toString('base64')}\n` }, keyring: null })!.key, raw);
  });
  it('turns any other text into a key with scrypt, the same on every run', () => {
    const a = parseKeyText('correct horse battery staple', 'env', 'SKYNETTE_ENCRYPTION_KEY');
    const b = parseKeyText('correct horse battery staple', 'env', 'SKYNETTE_ENCRYPTION_KEY');
    const c = parseKeyText('correct horse battery stapler', 'env', 'SKYNETTE_ENCRYPTION_KEY');
    assert.equal(a.key.length, 32);
    assert.deepEqual(a.key, b.key);
    assert.notEqual(a.id, c.id);
  });
  it('refuses a passphrase that is too short, saying how to make a key', () => {
    assert.throws(() => findMasterKey({ dataDir: dir, env: { SKYNETTE_ENCRYPTION_KEY: 'abc' }, keyring: null }), /SKYNETTE_ENCRYPTION_KEY is too short: .*openssl rand -base64 32/);
  });
  it('wins over the keyring and the key file, and creates nothing', () => {
    const keyring = memoryKeyring();
    keyring.set(keyringAccount(dir), randomBytes(32).toString('base64'));
    createKeyFile(keyFilePath(dir), randomBytes(32));
    assert.equal(findMasterKey({ dataDir: dir, env: { SKYNETTE_ENCRYPTION_KEY: raw.toString('hex') }, keyring })!.id, keyIdOf(raw));
  });
});

describe('the OS keyring', () => {
  it('falls back to a key file quietly when the keyring cannot store (headless Linux)', () => {
    const key = createMasterKey({ dataDir: dir, env: {}, keyring: headlessKeyring });
    assert.equal(key.source, 'file');
    assert.equal(key.location, keyFilePath(dir));
    assert.equal(findMasterKey({ dataDir: dir, env: {}, keyring: headlessKeyring })!.id, key.id);
  });
  it('falls back when the keyring says it stored the key but does not give it back', () => {
    const forgetful: KeyringAccess = { get: () => null, set: () => {}, delete: () => {} };
    assert.equal(createMasterKey({ dataDir: dir, env: {}, keyring: forgetful }).source, 'file');
  });
  it('keeps a new key in the keyring when it works, one entry per data directory', () => {
    const keyring = memoryKeyring();
    const key = createMasterKey({ dataDir: dir, env: {}, keyring });
    assert.equal(key.source, 'keyring');
    assert.ok(keyring.entries.has(keyringAccount(dir)));
    assert.throws(() => statSync(keyFilePath(dir)), /ENOENT/);
    assert.equal(findMasterKey({ dataDir: dir, env: {}, keyring })!.id, key.id);
    assert.equal(findMasterKey({ dataDir: join(dir, 'other'), env: {}, keyring }), null);
  });
  it('uses an existing key file before creating a keyring entry', () => {
    const file = createKeyFile(keyFilePath(dir), randomBytes(32));
    const keyring = memoryKeyring();
    assert.equal(findMasterKey({ dataDir: dir, env: {}, keyring })!.id, file.id);
  });
  it('is off with SKYNETTE_KEYRING=off and under the test runner', () => {
    assert.equal(defaultKeyring({ SKYNETTE_KEYRING: 'off' }), null);
    assert.equal(defaultKeyring({ SKYNETTE_TEST: '1' }), null);
  });
  it('the real keyring never throws on reads, and on a headless Linux box the key goes to the file', () => {
    const real = osKeyring();
    if (!real) return;
    assert.doesNotThrow(() => real.get('skynette-test-probe'));
    // The binding would fall back to the kernel keyutils keyring, which forgets keys: that must not be used.
    const headless = process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS;
    if (!headless) return;
    const key = createMasterKey({ dataDir: dir, env: {}, keyring: real });
    real.delete(keyringAccount(dir));
    assert.equal(key.source, 'file');
  });
});

describe('the key file', () => {
  it('is created with mode 0600 and holds base64 of 32 bytes', { skip: process.platform === 'win32' }, () => {
    const key = createMasterKey({ dataDir: join(dir, 'new-data-dir'), env: {}, keyring: null });
    const path = keyFilePath(join(dir, 'new-data-dir'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'), key.key);
  });
  it('is refused when others can read it, with the command that fixes it', { skip: process.platform === 'win32' }, () => {
    const path = keyFilePath(dir);
    createKeyFile(path, randomBytes(32));
    chmodSync(path, 0o644);
    assert.throws(
      () => findMasterKey({ dataDir: dir, env: {}, keyring: null }),
      (error: unknown) => {
        assert.ok(error instanceof SkynetteError);
        assert.equal(error.code, 'VAULT_KEY_FILE_OPEN');
        assert.match(error.message, /can be read by other users \(mode 0644\)/);
        assert.ok(error.message.includes(`chmod 600 ${path}`), error.message);
        return true;
      },
    );
    chmodSync(path, 0o600);
    assert.ok(findMasterKey({ dataDir: dir, env: {}, keyring: null }));
  });
  it('quotes a path with spaces in the chmod hint', { skip: process.platform === 'win32' }, () => {
    const spaced = join(dir, 'my data');
    createKeyFile(keyFilePath(spaced), randomBytes(32));
    chmodSync(keyFilePath(spaced), 0o640);
    assert.throws(() => findMasterKey({ dataDir: spaced, env: {}, keyring: null }), (e: Error) => e.message.includes(`chmod 600 '${keyFilePath(spaced)}'`));
  });
  it('is refused when damaged', () => {
    writeFileSync(keyFilePath(dir), 'not a key\n', { mode: 0o600 });
    assert.throws(() => readKeyFile(keyFilePath(dir)), /does not hold a 32-byte key/);
  });
  it('is not replaced when two processes create it at once: the second gets the first key', () => {
    const first = createKeyFile(keyFilePath(dir), randomBytes(32));
    const second = createKeyFile(keyFilePath(dir), randomBytes(32));
    assert.equal(second.id, first.id);
  });
  it('is not there until needed: finding a key creates nothing', () => {
    assert.equal(findMasterKey({ dataDir: dir, env: {}, keyring: headlessKeyring }), null);
    assert.throws(() => statSync(keyFilePath(dir)), /ENOENT/);
  });
});
