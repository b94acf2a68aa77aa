import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createKeyFile, keyFilePath, rotatingKeyPath } from '../../src/secrets/key-file.js';
import { generateMasterKey } from '../../src/secrets/key.js';
import { sealFields } from '../../src/secrets/crypto.js';
import { findMasterKey } from '../../src/secrets/master-key.js';
import { forgetSecrets, redactSecrets } from '../../src/secrets/redact.js';
import { SkynetteError } from '../../src/util/errors.js';
import { openTestVault, postgresAvailable, secretValues, validFields, type TestDialect, type TestVault } from './fixtures.js';

const dialects: TestDialect[] = ['sqlite', ...((await postgresAvailable()) ? (['postgres'] as const) : [])];
if (dialects.length === 1) console.warn('Postgres at 127.0.0.1:5432 is not reachable: the vault tests run on SQLite only');

for (const dialect of dialects) {
  describe(`the vault on ${dialect}`, () => {
    let t: TestVault;
    beforeEach(async () => {
      t = await openTestVault({}, dialect);
    });
    afterEach(() => t.cleanup());

    function rejects(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
      return assert.rejects(promise, (error: unknown) => {
        assert.ok(error instanceof SkynetteError, String(error));
        assert.equal(error.code, code, error.message);
        assert.match(error.message, pattern);
        return true;
      });
    }

    async function rawRows() {
      return t.database.db.selectFrom('credentials').selectAll().orderBy('name').execute();
    }

    describe('the vault', () => {
      it('round-trips every built-in type, by name and by id', async () => {
        for (const [type, fields] of Object.entries(validFields)) {
          const added = await t.vault.add(type, `my-${type}`, fields, { note: 'for tests' });
          const byName = await t.vault.get(`my-${type}`);
          const byId = await t.vault.get(added.id);
          for (const [k, v] of Object.entries(fields)) assert.deepEqual(byName.fields[k], v, `${type}.${k}`);
          assert.deepEqual(byId.fields, byName.fields);
          assert.equal(byName.type, type);
          assert.deepEqual(byName.meta, { note: 'for tests' });
        }
      });

      it('lists type, name and which fields are set, never a value', async () => {
        await t.vault.add('api_key', 'stripe', { key: 'sk_test_LISTED-SECRET-123' });
        await t.vault.add('smtp', 'mailer', validFields.smtp);
        const list = await t.vault.list();
        assert.deepEqual(
          list.map((c) => [c.name, c.type, c.field_names]),
          [
            ['mailer', 'smtp', ['host', 'port', 'secure', 'username', 'password']],
            ['stripe', 'api_key', ['key', 'header_name', 'in']],
          ],
        );
        assert.ok(!JSON.stringify(list).includes('LISTED-SECRET'));
        assert.ok(!JSON.stringify(list).includes('SMTP-PASSWORD'));
      });

      it('lists without a key', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        const noKey = t.reopen({ env: { SKYNETTE_ENCRYPTION_KEY: 'a different passphrase' } });
        assert.equal((await noKey.list()).length, 1);
      });

      it('refuses bad fields with their path, a duplicate name, and a bad name; nothing is stored', async () => {
        await rejects(t.vault.add('smtp', 'mail', { host: 'x', port: 'abc' }), 'CREDENTIAL_INVALID', /^fields\.port: expected a number$/);
        await rejects(t.vault.add('nope', 'x', {}), 'CREDENTIAL_TYPE_UNKNOWN', /unknown credential type "nope"/);
        await rejects(t.vault.add('bearer', ' padded', { token: 't' }), 'CREDENTIAL_INVALID', /^name: no spaces at the start or end$/);
        await rejects(t.vault.add('bearer', '', { token: 't' }), 'CREDENTIAL_INVALID', /^name: required$/);
        await t.vault.add('bearer', 'gh', { token: 't1' });
        await rejects(t.vault.add('bearer', 'gh', { token: 't2' }), 'CREDENTIAL_EXISTS', /a credential named "gh" already exists/);
        assert.equal((await t.vault.get('gh')).fields.token, 't1');
        assert.equal((await t.vault.list()).length, 1);
      });

      it('updates fields (merging, null removes), renames, and keeps the id', async () => {
        const added = await t.vault.add('api_key', 'svc', { key: 'k-old-123456', param_name: 'apikey', in: 'query' });
        const updated = await t.vault.update('svc', { name: 'svc-prod', fields: { key: 'k-new-123456', param_name: null } });
        assert.equal(updated.id, added.id);
        const got = await t.vault.get('svc-prod');
        assert.deepEqual(got.fields, { key: 'k-new-123456', header_name: 'X-API-Key', in: 'query' });
        await rejects(t.vault.get('svc'), 'CREDENTIAL_NOT_FOUND', /no credential named "svc"/);
        await rejects(t.vault.update('svc-prod', { fields: { in: 'body' } }), 'CREDENTIAL_INVALID', /fields\.in: expected one of header, query/);
      });

      it('deletes', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        const deleted = await t.vault.delete('gh');
        assert.equal(deleted.name, 'gh');
        assert.deepEqual(await t.vault.list(), []);
        await rejects(t.vault.delete('gh'), 'CREDENTIAL_NOT_FOUND', /no credential named "gh"/);
      });

      it('creates the key file on first use, mode 0600', { skip: process.platform === 'win32' }, async () => {
        assert.throws(() => statSync(keyFilePath(t.dir)), /ENOENT/);
        await t.vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        assert.equal(statSync(keyFilePath(t.dir)).mode & 0o777, 0o600);
      });

      it('stores no secret in the clear: a search of everything stored finds nothing', async () => {
        for (const [type, fields] of Object.entries(validFields)) await t.vault.add(type, `c-${type}`, fields);
        let raw: Buffer;
        if (dialect === 'sqlite') {
          await t.database.close();
          const files = readdirSync(t.dir).filter((f) => f.startsWith('skynette.db'));
          assert.ok(files.includes('skynette.db'));
          raw = Buffer.concat(files.map((f) => readFileSync(join(t.dir, f))));
        } else {
          // Postgres keeps no file of ours: search every column of every stored row as text instead.
          const rows = await t.database.db.selectFrom('credentials').selectAll().execute();
          raw = Buffer.from(JSON.stringify(rows));
        }
        for (const secret of secretValues) {
          assert.equal(raw.indexOf(secret), -1, `found ${secret} in the stored data`);
          assert.equal(raw.indexOf(Buffer.from(secret).toString('base64')), -1, `found base64 of ${secret}`);
        }
      });
    });

    describe('tampering and wrong keys', () => {
      it('a changed ciphertext fails naming the credential; the others stay readable', async () => {
        await t.vault.add('bearer', 'github-prod', { token: 'ghp_one_123456' });
        await t.vault.add('bearer', 'github-dev', { token: 'ghp_two_123456' });
        const row = (await rawRows()).find((r) => r.name === 'github-prod')!;
        const bytes = Buffer.from(row.ciphertext, 'base64');
        bytes[0] ^= 0xff;
        await t.database.db.updateTable('credentials').set({ ciphertext: bytes.toString('base64') }).where('id', '=', row.id).execute();
        await rejects(
          t.vault.get('github-prod'),
          'CREDENTIAL_DECRYPT_FAILED',
          /^credential "github-prod" could not be decrypted: the data was changed or the key is not the one it was saved with \(key id [0-9a-f]{16}\)$/,
        );
        assert.equal((await t.vault.get('github-dev')).fields.token, 'ghp_two_123456');
      });

      it('a renamed or retyped row fails (the AAD binds id, name and type)', async () => {
        await t.vault.add('bearer', 'a', { token: 'ghp_aaa_123456' });
        await t.vault.add('api_key', 'b', { key: 'key_bbb_123456' });
        await t.database.db.updateTable('credentials').set({ name: 'a2' }).where('name', '=', 'a').execute();
        await t.database.db.updateTable('credentials').set({ type: 'bearer' }).where('name', '=', 'b').execute();
        await rejects(t.vault.get('a2'), 'CREDENTIAL_DECRYPT_FAILED', /credential "a2" could not be decrypted/);
        await rejects(t.vault.get('b'), 'CREDENTIAL_DECRYPT_FAILED', /credential "b" could not be decrypted/);
      });

      it('ciphertext swapped between two records fails', async () => {
        await t.vault.add('bearer', 'a', { token: 'ghp_aaa_123456' });
        await t.vault.add('bearer', 'b', { token: 'ghp_bbb_123456' });
        const [a, b] = await rawRows();
        await t.database.db.updateTable('credentials').set({ nonce: b.nonce, ciphertext: b.ciphertext, auth_tag: b.auth_tag }).where('id', '=', a.id).execute();
        await rejects(t.vault.get('a'), 'CREDENTIAL_DECRYPT_FAILED', /credential "a" could not be decrypted/);
        assert.equal((await t.vault.get('b')).fields.token, 'ghp_bbb_123456');
      });

      it('a wrong key says which key the record needs', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        const keyId = (await rawRows())[0].key_id;
        const wrong = t.reopen({ env: { SKYNETTE_ENCRYPTION_KEY: randomBytes(32).toString('hex') } });
        await rejects(wrong.get('gh'), 'CREDENTIAL_DECRYPT_FAILED', new RegExp(`credential "gh" could not be decrypted: it was saved with key id ${keyId}, but the master key in use \\(from SKYNETTE_ENCRYPTION_KEY\\)`));
      });

      it('a missing key with records says so and what to set, and creates no new key', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        const { rmSync } = await import('node:fs');
        rmSync(keyFilePath(t.dir));
        const fresh = t.reopen();
        const message = /no master key found, but the vault holds 1 credential\(s\) saved with key id [0-9a-f]{16}: set SKYNETTE_ENCRYPTION_KEY to the key they were saved with, or restore the key file/;
        await rejects(fresh.get('gh'), 'VAULT_KEY_MISSING', message);
        await rejects(fresh.add('bearer', 'gh2', { token: 'x' }), 'VAULT_KEY_MISSING', message);
        assert.throws(() => statSync(keyFilePath(t.dir)), /ENOENT/);
      });
    });

    describe('rotating the key', () => {
      async function addFive() {
        for (let i = 1; i <= 5; i++) await t.vault.add('bearer', `c${i}`, { token: `token-number-${i}` });
      }

      it('re-encrypts every record under the new key and replaces the key file', async () => {
        await addFive();
        const oldKey = findMasterKey({ dataDir: t.dir, env: {}, keyring: null })!;
        const result = await t.vault.rotateKey();
        assert.equal(result.count, 5);
        assert.equal(result.old_key_id, oldKey.id);
        const newKey = findMasterKey({ dataDir: t.dir, env: {}, keyring: null })!;
        assert.equal(newKey.id, result.new_key_id);
        assert.ok((await rawRows()).every((r) => r.key_id === newKey.id));
        const reopened = t.reopen();
        for (let i = 1; i <= 5; i++) assert.equal((await reopened.get(`c${i}`)).fields.token, `token-number-${i}`);
        assert.deepEqual(
          readdirSync(t.dir).filter((f) => f.startsWith('vault.key')),
          ['vault.key'],
        );
      });

      it('changes nothing when a write fails mid-way', async () => {
        await addFive();
        const before = await rawRows();
        const keyBefore = readFileSync(keyFilePath(t.dir), 'utf8');
        if (dialect === 'sqlite') {
          await sql`create trigger fail_rotation before update on credentials when new.name = 'c4' begin select raise(abort, 'simulated write failure'); end`.execute(t.database.db);
        } else {
          await sql`create function fail_rotation() returns trigger language plpgsql as $$ begin if new.name = 'c4' then raise exception 'simulated write failure'; end if; return new; end $$`.execute(t.database.db);
          await sql`create trigger fail_rotation before update on credentials for each row execute function fail_rotation()`.execute(t.database.db);
        }
        await assert.rejects(t.vault.rotateKey(), /key rotation cancelled, nothing was changed: .*simulated write failure/);
        assert.deepEqual(await rawRows(), before);
        assert.equal(readFileSync(keyFilePath(t.dir), 'utf8'), keyBefore);
        assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('vault.key')), ['vault.key']);
        if (dialect === 'sqlite') await sql`drop trigger fail_rotation`.execute(t.database.db);
        else await sql`drop trigger fail_rotation on credentials`.execute(t.database.db);
        for (let i = 1; i <= 5; i++) assert.equal((await t.reopen().get(`c${i}`)).fields.token, `token-number-${i}`);
      });

      it('changes nothing when a record does not decrypt, and names it', async () => {
        await addFive();
        await t.database.db.updateTable('credentials').set({ auth_tag: Buffer.alloc(16).toString('base64') }).where('name', '=', 'c3').execute();
        const before = await rawRows();
        await rejects(t.vault.rotateKey(), 'CREDENTIAL_DECRYPT_FAILED', /^key rotation cancelled, nothing was changed: credential "c3" could not be decrypted/);
        assert.deepEqual(await rawRows(), before);
      });

      it('with the key in SKYNETTE_ENCRYPTION_KEY, needs the new key given and says to set it', async () => {
        const env = { SKYNETTE_ENCRYPTION_KEY: 'the first passphrase' };
        const vault = t.reopen({ env });
        await vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        await rejects(vault.rotateKey(), 'VAULT_KEY_FROM_ENV', /--new-key-file/);
        const next = randomBytes(32).toString('base64');
        const result = await vault.rotateKey(next);
        assert.match(result.stored, /set SKYNETTE_ENCRYPTION_KEY to the new key/);
        assert.equal((await t.reopen({ env: { SKYNETTE_ENCRYPTION_KEY: next } }).get('gh')).fields.token, 'ghp_abcdefgh');
        await rejects(t.reopen({ env }).get('gh'), 'CREDENTIAL_DECRYPT_FAILED', /saved with key id/);
      });

      it('keeps the new key in the keyring when the key came from there', async () => {
        const entries = new Map<string, string>();
        const keyring = { get: (a: string) => entries.get(a) ?? null, set: (a: string, v: string) => void entries.set(a, v), delete: (a: string) => void entries.delete(a) };
        const vault = t.reopen({ keyring });
        await vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        const before = [...entries.values()][0];
        const result = await vault.rotateKey();
        assert.equal(result.stored, 'the OS keyring');
        assert.notEqual([...entries.values()][0], before);
        assert.equal((await t.reopen({ keyring }).get('gh')).fields.token, 'ghp_abcdefgh');
        assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('vault.key')), []);
      });

      it('a crash after the commit but before the key was installed leaves everything readable', async () => {
        await addFive();
        // what a rotation had done when the process died: new key pending, records re-encrypted, old key file in place
        const next = generateMasterKey();
        createKeyFile(rotatingKeyPath(t.dir, next.id), next.key);
        for (const row of await rawRows()) {
          await t.database.db.updateTable('credentials').set(sealFields(next, row, { token: `token-number-${row.name.slice(1)}` })).where('id', '=', row.id).execute();
        }
        const after = t.reopen();
        for (let i = 1; i <= 5; i++) assert.equal((await after.get(`c${i}`)).fields.token, `token-number-${i}`);
        await after.add('bearer', 'c6', { token: 'token-number-6' });
        const result = await after.rotateKey();
        assert.equal(result.count, 6);
        assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('vault.key')), ['vault.key']);
        for (let i = 1; i <= 6; i++) assert.equal((await t.reopen().get(`c${i}`)).fields.token, `token-number-${i}`);
      });

      it('when the keyring refuses the new key, keeps it beside the data and every record stays readable', async () => {
        const entries = new Map<string, string>();
        let refuse = false;
        const keyring = {
          get: (a: string) => entries.get(a) ?? null,
          set: (a: string, v: string) => {
            if (refuse) throw new Error('keyring locked');
            entries.set(a, v);
          },
          delete: (a: string) => void entries.delete(a),
        };
        const vault = t.reopen({ keyring });
        await vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        refuse = true;
        const result = await vault.rotateKey();
        assert.match(result.warning ?? '', /the OS keyring refused the new key; it is kept in .*vault\.key\.rotating-/);
        await vault.add('bearer', 'gh2', { token: 'ghp_second_1' });
        assert.equal((await t.reopen({ keyring }).get('gh')).fields.token, 'ghp_abcdefgh');
        refuse = false;
        await t.reopen({ keyring }).rotateKey();
        assert.deepEqual(readdirSync(t.dir).filter((f) => f.startsWith('vault.key')), []);
        for (const name of ['gh', 'gh2']) assert.ok((await t.reopen({ keyring }).get(name)).fields.token);
      });

      it('a long-running vault picks up a key rotated by another process', async () => {
        const server = t.reopen();
        await server.add('bearer', 'before', { token: 'ghp_before_1' });
        await t.reopen().rotateKey();
        await server.add('bearer', 'after', { token: 'ghp_after_12' });
        const rows = await rawRows();
        assert.equal(new Set(rows.map((r) => r.key_id)).size, 1);
        assert.equal((await t.reopen().get('after')).fields.token, 'ghp_after_12');
      });

      it('refuses the key already in use', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_abcdefgh' });
        const current = readFileSync(keyFilePath(t.dir), 'utf8');
        await rejects(t.vault.rotateKey(current), 'VAULT_KEY_SAME', /already in use/);
      });
    });

    describe('export and import', () => {
      it('exports encrypted records by default, and imports them back', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_exported_123' }, { team: 'core' });
        await t.vault.add('smtp', 'mail', validFields.smtp);
        const exported = await t.vault.export();
        assert.equal(exported.encrypted, true);
        assert.ok(!JSON.stringify(exported).includes('ghp_exported_123'));
        await t.vault.delete('gh');
        await t.vault.delete('mail');
        const result = await t.vault.import(JSON.stringify(exported));
        assert.deepEqual(result, { added: ['gh', 'mail'], replaced: [] });
        const gh = await t.vault.get('gh');
        assert.equal(gh.fields.token, 'ghp_exported_123');
        assert.deepEqual(gh.meta, { team: 'core' });
      });

      it('exports plain fields with decrypted: true, and imports them into another vault', async () => {
        await t.vault.add('basic_auth', 'intranet', validFields.basic_auth);
        const plain = await t.vault.export({ decrypted: true });
        assert.equal(plain.encrypted, false);
        assert.deepEqual((plain.credentials[0] as { fields: unknown }).fields, validFields.basic_auth);
        const other = await openTestVault({}, dialect);
        try {
          await other.vault.import(plain);
          assert.deepEqual((await other.vault.get('intranet')).fields, validFields.basic_auth);
          // encrypted records need the key they were saved with
          await rejects(other.vault.import(await t.vault.export(), { overwrite: true }), 'CREDENTIAL_IMPORT_INVALID', /credential "intranet" could not be decrypted: it was saved with key id/);
        } finally {
          await other.cleanup();
        }
      });

      it('bad JSON: a clear error that quotes nothing of the file, and the store is intact', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_keep_123456' });
        const before = await rawRows();
        await rejects(t.vault.import('{"format": "skynette-credentials", "credentials": [{"token": "ghp_LEAKY_999'), 'CREDENTIAL_IMPORT_INVALID', /^the import is not valid JSON.*; nothing was imported$/);
        await assert.rejects(t.vault.import('{"credentials": "ghp_LEAKY_999 x'), (e: Error) => !e.message.includes('ghp_LEAKY'));
        assert.deepEqual(await rawRows(), before);
      });

      it('a bad record refuses the whole file with every problem and its path; nothing changes', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_keep_123456' });
        const before = await rawRows();
        const file = {
          format: 'skynette-credentials',
          version: 1,
          credentials: [
            { name: 'fine', type: 'bearer', fields: { token: 'ok-token-123' } },
            { name: 'mail', type: 'smtp', fields: { host: 'x', port: 'abc' } },
            { name: 'what', type: 'nope', fields: {} },
            { type: 'bearer', fields: { token: 'x' } },
            { name: 'fine', type: 'bearer', fields: { token: 'again' } },
          ],
        };
        await assert.rejects(t.vault.import(JSON.stringify(file)), (error: Error) => {
          assert.match(error.message, /credentials\[3\]\.name: required/);
          return true;
        });
        file.credentials.splice(3, 1);
        await assert.rejects(t.vault.import(JSON.stringify(file)), (error: Error) => {
          assert.match(error.message, /credentials\[1\]\.fields\.port: expected a number/);
          assert.match(error.message, /credentials\[2\]\.type: unknown credential type "nope"/);
          assert.match(error.message, /credentials\[3\]\.name: "fine" appears twice in the file/);
          assert.match(error.message, /nothing was imported$/);
          return true;
        });
        await rejects(t.vault.import({ format: 'something-else', version: 1, credentials: [] }), 'CREDENTIAL_IMPORT_INVALID', /not a Skynette credentials export \(format: /);
        assert.deepEqual(await rawRows(), before);
      });

      it('refuses names that exist unless told to overwrite', async () => {
        await t.vault.add('bearer', 'gh', { token: 'ghp_old_123456' });
        const file = [
          { name: 'gh', type: 'bearer', fields: { token: 'ghp_new_123456' } },
          { name: 'new-one', type: 'bearer', fields: { token: 'ghp_add_123456' } },
        ];
        await rejects(t.vault.import(file), 'CREDENTIAL_EXISTS', /already in the vault: "gh"; .*--overwrite/);
        assert.equal((await t.vault.list()).length, 1);
        assert.deepEqual(await t.vault.import(file, { overwrite: true }), { added: ['new-one'], replaced: ['gh'] });
        assert.equal((await t.vault.get('gh')).fields.token, 'ghp_new_123456');
      });
    });

    describe('resolveCredential', () => {
      beforeEach(() => forgetSecrets());

      it('returns the decrypted fields with the type, and remembers every secret for redaction', async () => {
        await t.vault.add('basic_auth', 'intranet', { username: 'alice', password: 'BASIC-PASSWORD-s3cret' });
        await t.vault.add('google_service_account', 'gcp', validFields.google_service_account);
        const resolve = t.vault.resolveCredential;
        assert.deepEqual(await resolve('intranet'), { type: 'basic_auth', username: 'alice', password: 'BASIC-PASSWORD-s3cret' });
        await resolve('gcp');
        const basic = Buffer.from('alice:BASIC-PASSWORD-s3cret').toString('base64');
        const text = `login alice:BASIC-PASSWORD-s3cret, header Basic ${basic}, key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-SECRET-PRIVATE-KEY-BODY\n-----END PRIVATE KEY-----\n`;
        const shown = redactSecrets(text);
        assert.ok(!shown.includes('BASIC-PASSWORD'), shown);
        assert.ok(!shown.includes(basic), shown);
        assert.ok(!shown.includes('SECRET-PRIVATE-KEY-BODY'), shown);
        assert.match(shown, /^login alice:\*\*\*/);
      });

      it('names the credential it cannot find', async () => {
        await rejects(t.vault.resolveCredential('missing'), 'CREDENTIAL_NOT_FOUND', /no credential named "missing"/);
      });
    });
  });
}
