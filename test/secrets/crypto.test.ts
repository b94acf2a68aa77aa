import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keySet, openFields, recordKey, sealFields, type SealedFields } from '../../src/secrets/crypto.js';
import { generateMasterKey, keyIdOf } from '../../src/secrets/key.js';
import { SkynetteError } from '../../src/util/errors.js';

const master = generateMasterKey();
const keys = keySet(master);
const record = { id: '7d0f5a4e-1111-4222-8333-944445555666', name: 'github-prod', type: 'bearer' };
const fields = { token: 'ghp_secret_value_123' };

function flipByte(base64: string, index = 0): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] ^= 0x01;
  return bytes.toString('base64');
}

function assertDecryptError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SkynetteError);
    assert.equal(error.code, 'CREDENTIAL_DECRYPT_FAILED');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('sealing credential fields', () => {
  it('round-trips fields, with the key id on the record and no plaintext in it', () => {
    const sealed = sealFields(master, record, fields);
    assert.equal(sealed.key_id, master.id);
    assert.equal(Buffer.from(sealed.nonce, 'base64').length, 12);
    assert.equal(Buffer.from(sealed.auth_tag, 'base64').length, 16);
    assert.ok(!JSON.stringify(sealed).includes('ghp_secret'));
    assert.deepEqual(openFields(keys, record, sealed), fields);
  });

  it('uses a fresh nonce every time', () => {
    const nonces = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const sealed = sealFields(master, record, fields);
      nonces.add(sealed.nonce);
      ciphertexts.add(sealed.ciphertext);
    }
    assert.equal(nonces.size, 1000);
    assert.equal(ciphertexts.size, 1000);
  });

  it('derives a different key for every record id', () => {
    assert.notDeepEqual(recordKey(master.key, 'a'), recordKey(master.key, 'b'));
    assert.equal(recordKey(master.key, 'a').length, 32);
  });

  it('detects a changed ciphertext, tag or nonce, naming the credential', () => {
    const sealed = sealFields(master, record, fields);
    const expected = /^credential "github-prod" could not be decrypted: the data was changed or the key is not the one it was saved with \(key id [0-9a-f]{16}\)$/;
    assertDecryptError(() => openFields(keys, record, { ...sealed, ciphertext: flipByte(sealed.ciphertext, 3) }), expected);
    assertDecryptError(() => openFields(keys, record, { ...sealed, auth_tag: flipByte(sealed.auth_tag) }), expected);
    assertDecryptError(() => openFields(keys, record, { ...sealed, nonce: flipByte(sealed.nonce) }), expected);
    assertDecryptError(() => openFields(keys, record, { ...sealed, nonce: 'AAAA' }), expected);
  });

  it('binds the id, name and type: a renamed, retyped or moved record does not decrypt', () => {
    const sealed = sealFields(master, record, fields);
    assertDecryptError(() => openFields(keys, { ...record, name: 'github-dev' }, sealed), /credential "github-dev" could not be decrypted: the data was changed/);
    assertDecryptError(() => openFields(keys, { ...record, type: 'api_key' }, sealed), /could not be decrypted/);
    assertDecryptError(() => openFields(keys, { ...record, id: 'another-id' }, sealed), /could not be decrypted/);
  });

  it('says when the record was saved with another key', () => {
    const other = generateMasterKey();
    const sealed: SealedFields = sealFields(other, record, fields);
    assertDecryptError(() => openFields(keys, record, sealed), new RegExp(`saved with key id ${other.id}, but the master key in use .* has key id ${master.id}`));
    // the key id on the record changed to the current one: the tag check still fails
    assertDecryptError(() => openFields(keys, record, { ...sealed, key_id: master.id }), /the data was changed or the key is not the one it was saved with/);
  });

  it('decrypts with any key of the set, by key id', () => {
    const older = generateMasterKey();
    const both = keySet(master, [older]);
    assert.deepEqual(openFields(both, record, sealFields(older, record, fields)), fields);
    assert.deepEqual(openFields(both, record, sealFields(master, record, fields)), fields);
  });

  it('makes a key id that is short, stable and not the key', () => {
    assert.match(master.id, /^[0-9a-f]{16}$/);
    assert.equal(keyIdOf(master.key), master.id);
    assert.ok(!master.key.toString('hex').includes(master.id));
  });
});
