/**
 * The `skynette credentials` commands, run as a user would: the real CLI in a child process, with
 * a temporary data directory and no keyring.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'ghp_CLI-TOKEN-0123456789abcdefghijklmn';
const PASSWORD = 'SMTP-CLI-PASSWORD-s3cret';

let dir: string;
const outputs: string[] = [];

async function cli(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await runCli(['credentials', ...args], {
    input: input ?? '',
    env: { SKYNETTE_DATA_DIR: dir, SKYNETTE_KEYRING: 'off', SKYNETTE_ENCRYPTION_KEY: undefined, SKYNETTE_DB_URL: undefined, ...env },
  });
  if (!args.includes('--decrypted')) outputs.push(result.stdout, result.stderr);
  return result;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skynette-cli-vault-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('skynette credentials', () => {
  it('adds, lists and shows credentials with secrets masked', async () => {
    let r = await cli(['list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no credentials yet/);

    r = await cli(['add', 'bearer', 'github-prod', '--stdin', 'token'], `${TOKEN}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /added bearer credential "github-prod" \(token\)/);
    assert.equal(statSync(join(dir, 'vault.key')).mode & 0o777, 0o600);

    r = await cli(['add', 'smtp', 'mailer', '-f', 'host=smtp.example.com', '--field', 'port=465', '-f', 'secure=true', '--fields-json', `{"username": "me", "password": "${PASSWORD}"}`]);
    assert.equal(r.code, 0, r.stderr);

    r = await cli(['list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /github-prod\s+bearer\s+.*token/);
    assert.match(r.stdout, /mailer\s+smtp\s+.*host, port, secure, username, password/);

    r = await cli(['show', 'github-prod']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`token\\s+ghp_…\\(${TOKEN.length} chars\\)`));
    r = await cli(['show', 'mailer', '--json']);
    const shown = JSON.parse(r.stdout) as { fields: Record<string, unknown> };
    assert.deepEqual(shown.fields, { host: 'smtp.example.com', port: 465, secure: true, username: 'me', password: 'SMTP…(24 chars)' });
  });

  it('refuses bad input with exit 1 and a message naming what is wrong', async () => {
    let r = await cli(['add', 'smtp', 'mail2', '-f', 'host=x', '-f', 'port=abc']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fields\.port: expected a number/);
    r = await cli(['add', 'smpt', 'mail2', '-f', 'host=x']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown credential type "smpt"; known types: api_key/);
    r = await cli(['add', 'bearer', 'x', '-f', 'token']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--field token: expected NAME=VALUE/);
    r = await cli(['add', 'bearer', 'x', '--fields-json', '{nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--fields-json: not valid JSON/);
    r = await cli(['add', 'bearer', 'github-prod', '-f', 'token=another-one']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a credential named "github-prod" already exists/);
    r = await cli(['show', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no credential named "nope"/);
  });

  it('exports encrypted by default, decrypted to a 0600 file with a warning; a bad import changes nothing', async () => {
    let r = await cli(['export']);
    assert.equal(r.code, 0, r.stderr);
    const exported = JSON.parse(r.stdout) as { encrypted: boolean; credentials: unknown[] };
    assert.equal(exported.encrypted, true);
    assert.equal(exported.credentials.length, 2);

    const plain = join(dir, 'plain.json');
    r = await cli(['export', '--decrypted', '-o', plain]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: this export holds every secret in plain text/);
    assert.equal(statSync(plain).mode & 0o777, 0o600);
    assert.ok(readFileSync(plain, 'utf8').includes(TOKEN));

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, `{"format": "skynette-credentials", "credentials": [{"name": "x", "fields": {"token": "${TOKEN}`);
    const before = (await cli(['list', '--json'])).stdout;
    r = await cli(['import', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the import is not valid JSON.*nothing was imported/);
    assert.equal((await cli(['list', '--json'])).stdout, before);

    r = await cli(['delete', 'mailer']);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['import', plain]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already in the vault: "github-prod"/);
    r = await cli(['import', plain, '--overwrite']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 1 added, 1 replaced/);
    rmSync(plain);
  });

  it('rotates the key and still reads every credential', async () => {
    const before = JSON.parse((await cli(['list', '--json'])).stdout) as Array<{ key_id: string }>;
    const r = await cli(['rotate-key']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`re-encrypted 2 credential\\(s\\) under key id [0-9a-f]{16} \\(was ${before[0].key_id}\\)`));
    const shown = await cli(['show', 'mailer', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.notEqual((JSON.parse(shown.stdout) as { key_id: string }).key_id, before[0].key_id);
  });

  it('updates fields and renames, keeping the others; lists the types', async () => {
    let r = await cli(['update', 'mailer', '-f', 'port=587', '-f', 'secure=false', '--rename', 'mail-relay']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /updated credential "mail-relay"/);
    r = await cli(['show', 'mail-relay', '--json']);
    assert.deepEqual((JSON.parse(r.stdout) as { fields: unknown }).fields, { host: 'smtp.example.com', port: 587, secure: false, username: 'me', password: 'SMTP…(24 chars)' });
    r = await cli(['types']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^smtp — /m);
    assert.match(r.stdout, /password\s+\(secret\)/);
  });

  it('refuses a key file others can read, with the chmod command', { skip: process.platform === 'win32' }, async () => {
    const keyFile = join(dir, 'vault.key');
    chmodSync(keyFile, 0o644);
    const r = await cli(['show', 'github-prod']);
    chmodSync(keyFile, 0o600);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`chmod 600 ${keyFile}`), r.stderr);
  });

  it('says what to set when the key is wrong', async () => {
    const r = await cli(['show', 'github-prod'], undefined, { SKYNETTE_ENCRYPTION_KEY: 'a wrong passphrase' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /credential "github-prod" could not be decrypted: it was saved with key id [0-9a-f]{16}, but the master key in use \(from SKYNETTE_ENCRYPTION_KEY\)/);
  });

  it('never printed a secret (except export --decrypted)', () => {
    const all = outputs.join('\n');
    assert.ok(!all.includes(TOKEN), 'token printed');
    assert.ok(!all.includes(PASSWORD), 'password printed');
  });
});
