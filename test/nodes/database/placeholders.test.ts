import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPlaceholders, namedToPositional } from '../../../src/nodes/core/database/placeholders.js';
import { parseConnectionString, redact } from '../../../src/nodes/core/database/connection-settings.js';
import { SkynetteError } from '../../../src/util/errors.js';

const names = (sql: string, dialect: 'sqlite' | 'postgres' | 'mysql') => findPlaceholders(sql, dialect).map((p) => `${p.kind}:${p.name}`);

test('placeholders inside strings, identifiers and comments are skipped', () => {
  const sql = `SELECT ':a', "b:c", x -- :d ?
    /* :e ? /* nested :f */ :g */ FROM t WHERE y = :h AND z = ?`;
  assert.deepEqual(names(sql, 'postgres'), ['named:h']);
  assert.deepEqual(names(`SELECT ':a', "b:c", \`:x\`, [:y] -- :d ?\n FROM t WHERE y = :h AND z = ? AND w = ?2`, 'sqlite'), [
    'named:h',
    'anonymous:',
    'numbered:2',
  ]);
  assert.deepEqual(names("SELECT 'it\\'s :a', # :b\n ?", 'mysql'), ['anonymous:']);
});

test('postgres casts, dollar quotes, escape strings and the ? operator are not placeholders', () => {
  assert.deepEqual(names("SELECT :v::int, '{}'::jsonb ? 'k', $$ :x $$, $tag$ :y $tag$, E'\\' :z', $1", 'postgres'), [
    'named:v',
    'numbered:1',
  ]);
});

test('named parameters become $n in first-use order, the same name keeping its number', () => {
  const out = namedToPositional("SELECT :b, :a, ':a', :b::text", { a: 1, b: 2, unused: 3 });
  assert.deepEqual(out, { sql: "SELECT $1, $2, ':a', $1::text", values: [2, 1] });
});

test('a name without a value, or $1 with an object, is refused', () => {
  assert.throws(() => namedToPositional('SELECT :missing', {}), (e: SkynetteError) => /no value named "missing"/.test(e.message));
  assert.throws(() => namedToPositional('SELECT $1', { a: 1 }), (e: SkynetteError) => /take a list of values/.test(e.message));
});

test('connection strings are parsed, with percent-decoding and sslmode', () => {
  assert.deepEqual(parseConnectionString('postgres://us%40er:p%3Ass@db.example:6543/app?sslmode=no-verify', ['postgres'], 'config.connection_string'), {
    host: 'db.example',
    port: 6543,
    database: 'app',
    user: 'us@er',
    password: 'p:ss',
    ssl: { rejectUnauthorized: false },
  });
  assert.throws(() => parseConnectionString('mysql://a@b/c', ['postgres', 'postgresql'], 'config.connection_string'), /expected a postgres:\/\//);
  assert.throws(() => parseConnectionString('host=x dbname=y', ['postgres'], 'config.connection_string'), /expected a URL like/);
});

test('redact hides passwords, URL passwords and password= settings', () => {
  assert.equal(redact('failed for postgres://bob:hunter22@h/db', []), 'failed for postgres://bob:***@h/db');
  assert.equal(redact('bad password hunter22 here', ['hunter22']), 'bad password *** here');
  assert.equal(redact('host=h password=hunter22 user=u', []), 'host=h password=*** user=u');
});
