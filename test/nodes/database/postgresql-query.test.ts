/**
 * Runs against the PostgreSQL server of the development machine and CI (127.0.0.1:5432, trust auth,
 * database `test`). Set SKYNETTE_TEST_POSTGRES_URL to use another one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { postgresqlQuery } from '../../../src/nodes/core/database/postgresql-query.js';
import type { NodeContext } from '../../../src/nodes/sdk.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';

const url = new URL(process.env.SKYNETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const server = {
  host: url.hostname,
  port: Number(url.port || 5432),
  database: url.pathname.slice(1),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
};
const table = `skynette_pg_${process.pid}_${Date.now()}`;
const SECRET = 'Sup3r-Secret-Pa55word';

async function query(config: Record<string, unknown>, extra: Partial<NodeContext> = {}): Promise<any> {
  const ctx = nodeContext(postgresqlQuery, { ...server, ...config }, {}, extra);
  return postgresqlQuery.run(ctx);
}

async function failure(config: Record<string, unknown>, extra: Partial<NodeContext> = {}): Promise<SkynetteError> {
  try {
    await query(config, extra);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, String(error));
    return error;
  }
  assert.fail('expected the query to fail');
}

before(async () => {
  await query({
    query: `CREATE TABLE ${table} (id serial PRIMARY KEY, name text NOT NULL, age int, tags jsonb, big bigint, born timestamptz, photo bytea)`,
  });
});

after(async () => {
  await query({ query: `DROP TABLE IF EXISTS ${table}` });
});

test('insert with $1 parameters, RETURNING the new id', async () => {
  const out = await query({
    query: `INSERT INTO ${table} (name, age, tags) VALUES ($1, $2, $3) RETURNING id`,
    parameters: ['Ada', 36, JSON.stringify(['math'])],
  });
  assert.equal(out.row_count, 1);
  assert.deepEqual(out.columns, ['id']);
  assert.equal(typeof out.rows[0].id, 'number');
});

test('insert without RETURNING reports affected rows', async () => {
  const out = await query({ query: `INSERT INTO ${table} (name, age) VALUES ($1, $2), ($3, $4)`, parameters: ['Grace', 45, 'Linus', 28] });
  assert.deepEqual(out, { affected_rows: 2, last_insert_id: null });
});

test('select with parameters returns rows, row_count and columns', async () => {
  const out = await query({ query: `SELECT name, age FROM ${table} WHERE age > $1 ORDER BY age`, parameters: [30] });
  assert.deepEqual(out, {
    rows: [
      { name: 'Ada', age: 36 },
      { name: 'Grace', age: 45 },
    ],
    row_count: 2,
    columns: ['name', 'age'],
  });
});

test('named parameters from an object, reused, and left alone inside strings and casts', async () => {
  const out = await query({
    query: `SELECT :name::text AS a, ':name' AS literal, :name || '!' AS b, $$ :name $$ AS dollar -- :name in a comment
            FROM ${table} WHERE name = :name`,
    parameters: { name: 'Ada' },
  });
  assert.deepEqual(out.rows, [{ a: 'Ada', literal: ':name', b: 'Ada!', dollar: ' :name ' }]);
});

test('a named placeholder without a value is a clear error', async () => {
  const error = await failure({ query: `SELECT :missing AS a`, parameters: { other: 1 } });
  assert.equal(error.code, 'INVALID_CONFIG');
  assert.match(error.message, /uses :missing, but parameters has no value named "missing"/);
});

test('an injection attempt in a parameter stays data', async () => {
  const hostile = `'; DROP TABLE ${table}; --`;
  await query({ query: `INSERT INTO ${table} (name) VALUES ($1)`, parameters: [hostile] });
  const out = await query({ query: `SELECT name FROM ${table} WHERE name = $1`, parameters: [hostile] });
  assert.deepEqual(out.rows, [{ name: hostile }]);
  const named = await query({ query: `SELECT count(*) AS n FROM ${table} WHERE name = :name`, parameters: { name: hostile } });
  assert.deepEqual(named.rows, [{ n: 1 }]);
  const exists = await query({ query: 'SELECT to_regclass($1) IS NOT NULL AS present', parameters: [table] });
  assert.deepEqual(exists.rows, [{ present: true }]);
});

test('update reports affected rows', async () => {
  const out = await query({ query: `UPDATE ${table} SET age = age + 1 WHERE age IS NOT NULL` });
  assert.deepEqual(out, { affected_rows: 3, last_insert_id: null });
});

test('values become JSON data: jsonb, bigint, timestamps, bytea', async () => {
  await query({
    query: `INSERT INTO ${table} (name, tags, big, born, photo) VALUES ($1, $2, $3, $4, decode('68656c6c6f', 'hex'))`,
    parameters: ['Types', { nested: { ok: true } }, '9007199254740993', '1990-05-01T12:00:00Z'],
  });
  const out = await query({ query: `SELECT tags, big, born, photo, count(*) OVER () AS total FROM ${table} WHERE name = $1`, parameters: ['Types'] });
  assert.deepEqual(out.rows, [
    { tags: { nested: { ok: true } }, big: '9007199254740993', born: '1990-05-01T12:00:00.000Z', photo: 'aGVsbG8=', total: 1 },
  ]);
});

test('bad SQL gives the server message and SQLSTATE', async () => {
  const syntax = await failure({ query: 'SELEC 1' });
  assert.equal(syntax.code, 'QUERY_FAILED');
  assert.equal(syntax.message, 'postgres: syntax error at or near "SELEC" (SQLSTATE 42601) at character 1');
  const missing = await failure({ query: 'SELECT * FROM skynette_no_such_table' });
  assert.match(missing.message, /relation "skynette_no_such_table" does not exist \(SQLSTATE 42P01\)/);
  assert.deepEqual((missing.details as { sqlstate: string }).sqlstate, '42P01');
});

test('{{ }} in a failing query gets a hint about parameters', async () => {
  const error = await failure({ query: "SELECT * FROM {{ $prev.table }}" });
  assert.match(error.message, /use placeholders and pass the values in parameters/);
});

test('connection refused names host and port, never the password', async () => {
  const error = await failure({
    connection_string: `postgres://someone:${SECRET}@127.0.0.1:5999/test`,
    host: undefined,
    port: undefined,
    user: undefined,
    password: undefined,
    query: 'SELECT 1',
  });
  assert.equal(error.code, 'CONNECTION_FAILED');
  assert.match(error.message, /^could not connect to postgres at 127\.0\.0\.1:5999: .*ECONNREFUSED/);
  assert.ok(!JSON.stringify({ message: error.message, details: error.details }).includes(SECRET));
});

test('a login error never shows the password', async () => {
  const error = await failure({ user: 'skynette_no_such_role', password: SECRET, query: 'SELECT 1' });
  assert.equal(error.code, 'CONNECTION_FAILED');
  assert.match(error.message, /could not connect to postgres at .*skynette_no_such_role/);
  assert.ok(!error.message.includes(SECRET));
});

test('connection settings can come from a credential, with node fields overriding', async () => {
  const seen: string[] = [];
  const extra: Partial<NodeContext> = {
    async getCredential(reference: string) {
      seen.push(reference);
      return { host: server.host, port: server.port, database: 'no_such_database', user: server.user, password: server.password };
    },
  };
  const ctx = nodeContext(postgresqlQuery, { credential: 'main-pg', database: server.database, query: 'SELECT current_database() AS db' }, {}, extra);
  const out = (await postgresqlQuery.run(ctx)) as any;
  assert.deepEqual(out.rows, [{ db: server.database }]);
  assert.deepEqual(seen, ['main-pg']);
});

test('a credential holding a connection string works', async () => {
  const extra: Partial<NodeContext> = {
    async getCredential() {
      return { connection_string: url.toString() };
    },
  };
  const ctx = nodeContext(postgresqlQuery, { credential: 'pg-url', query: 'SELECT 1 AS one' }, {}, extra);
  assert.deepEqual(((await postgresqlQuery.run(ctx)) as any).rows, [{ one: 1 }]);
});

test('a slow query is cancelled at query_timeout_ms', async () => {
  const started = performance.now();
  const error = await failure({ query: 'SELECT pg_sleep(10)', query_timeout_ms: 200 });
  assert.equal(error.code, 'QUERY_TIMEOUT');
  assert.match(error.message, /longer than 200 ms/);
  assert.ok(performance.now() - started < 3000);
});

test('aborting the execution cancels a running query', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  const error = await failure({ query: 'SELECT pg_sleep(10)' }, { signal: controller.signal });
  assert.equal(error.code, 'QUERY_CANCELLED');
  assert.ok(performance.now() - started < 3000);
});

test('several statements without parameters return the last result', async () => {
  const out = await query({ query: `SELECT 1 AS a; SELECT count(*) AS n FROM ${table}` });
  assert.deepEqual(out.columns, ['n']);
});
