/**
 * Runs against the MariaDB server of the development machine and CI (127.0.0.1:3306, user root
 * without a password, database `test`). Set SKYNETTE_TEST_MYSQL_URL to use another one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mysqlQuery } from '../../../src/nodes/core/database/mysql-query.js';
import type { NodeContext } from '../../../src/nodes/sdk.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';

const url = new URL(process.env.SKYNETTE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test');
const server = {
  host: url.hostname,
  port: Number(url.port || 3306),
  database: url.pathname.slice(1),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
};
const table = `skynette_my_${process.pid}_${Date.now()}`;
const SECRET = 'Sup3r-Secret-Pa55word';

async function query(config: Record<string, unknown>, extra: Partial<NodeContext> = {}): Promise<any> {
  const ctx = nodeContext(mysqlQuery, { ...server, ...config }, {}, extra);
  return mysqlQuery.run(ctx);
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
    query: `CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL, age INT, active BOOLEAN,
            data TEXT, big BIGINT, born DATETIME, photo BLOB)`,
  });
});

after(async () => {
  await query({ query: `DROP TABLE IF EXISTS ${table}` });
});

test('insert with ? parameters reports affected rows and the new id', async () => {
  const first = await query({ query: `INSERT INTO ${table} (name, age, active) VALUES (?, ?, ?)`, parameters: ['Ada', 36, true] });
  assert.equal(first.affected_rows, 1);
  assert.equal(typeof first.last_insert_id, 'number');
  const second = await query({ query: `INSERT INTO ${table} (name, age, active) VALUES (?, ?, ?)`, parameters: ['Grace', 45, false] });
  assert.equal(second.last_insert_id, first.last_insert_id + 1);
});

test('select with parameters returns rows, row_count and columns', async () => {
  const out = await query({ query: `SELECT name, age, active FROM ${table} WHERE age > ? ORDER BY age`, parameters: [30] });
  assert.deepEqual(out, {
    rows: [
      { name: 'Ada', age: 36, active: 1 },
      { name: 'Grace', age: 45, active: 0 },
    ],
    row_count: 2,
    columns: ['name', 'age', 'active'],
  });
});

test('named parameters from an object', async () => {
  const out = await query({
    query: `SELECT name, ':name' AS literal FROM ${table} WHERE name = :name OR name = :other ORDER BY name`,
    parameters: { name: 'Ada', other: 'Grace' },
  });
  assert.deepEqual(out.rows, [
    { name: 'Ada', literal: ':name' },
    { name: 'Grace', literal: ':name' },
  ]);
});

test('an injection attempt in a parameter stays data', async () => {
  const hostile = `'; DROP TABLE ${table}; --`;
  await query({ query: `INSERT INTO ${table} (name) VALUES (?)`, parameters: [hostile] });
  const out = await query({ query: `SELECT name FROM ${table} WHERE name = ?`, parameters: [hostile] });
  assert.deepEqual(out.rows, [{ name: hostile }]);
  const named = await query({ query: `SELECT count(*) AS n FROM ${table} WHERE name = :name`, parameters: { name: hostile } });
  assert.deepEqual(named.rows, [{ n: 1 }]);
  const exists = await query({ query: 'SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?', parameters: [table] });
  assert.deepEqual(exists.rows, [{ n: 1 }]);
});

test('update reports affected rows', async () => {
  const out = await query({ query: `UPDATE ${table} SET age = age + 1 WHERE age IS NOT NULL` });
  assert.deepEqual(out, { affected_rows: 2, last_insert_id: null });
});

test('values become JSON data: objects as JSON text, big integers, datetimes, blobs', async () => {
  await query({
    query: `INSERT INTO ${table} (name, data, big, born, photo) VALUES (?, ?, ?, ?, UNHEX('68656C6C6F'))`,
    parameters: ['Types', { nested: [1, 2] }, '9007199254740993', '1990-05-01 12:00:00'],
  });
  const out = await query({ query: `SELECT data, big, born, photo FROM ${table} WHERE name = ?`, parameters: ['Types'] });
  assert.deepEqual(out.rows, [{ data: '{"nested":[1,2]}', big: '9007199254740993', born: '1990-05-01T12:00:00.000Z', photo: 'aGVsbG8=' }]);
});

test('bad SQL gives the server message and codes', async () => {
  const syntax = await failure({ query: 'SELEC 1' });
  assert.equal(syntax.code, 'QUERY_FAILED');
  assert.match(syntax.message, /^mysql: You have an error in your SQL syntax.*\(ER_PARSE_ERROR, errno 1064, SQLSTATE 42000\)$/s);
  const missing = await failure({ query: 'SELECT * FROM skynette_no_such_table WHERE id = ?', parameters: [1] });
  assert.match(missing.message, /skynette_no_such_table' doesn't exist \(ER_NO_SUCH_TABLE, errno 1146, SQLSTATE 42S02\)/);
});

test('connection refused names host and port, never the password', async () => {
  const error = await failure({
    connection_string: `mysql://someone:${SECRET}@127.0.0.1:3999/test`,
    host: undefined,
    port: undefined,
    user: undefined,
    password: undefined,
    query: 'SELECT 1',
  });
  assert.equal(error.code, 'CONNECTION_FAILED');
  assert.match(error.message, /^could not connect to mysql at 127\.0\.0\.1:3999: .*ECONNREFUSED/);
  assert.ok(!JSON.stringify({ message: error.message, details: error.details }).includes(SECRET));
});

test('a login error never shows the password', async () => {
  const error = await failure({ user: 'skynette_no_such_user', password: SECRET, query: 'SELECT 1' });
  assert.equal(error.code, 'CONNECTION_FAILED');
  assert.match(error.message, /could not connect to mysql at .*Access denied for user 'skynette_no_such_user'/);
  assert.ok(!error.message.includes(SECRET));
});

test('connection settings can come from a credential', async () => {
  const extra: Partial<NodeContext> = {
    async getCredential() {
      return { host: server.host, port: String(server.port), database: server.database, username: server.user, password: server.password };
    },
  };
  const ctx = nodeContext(mysqlQuery, { credential: 'main-mysql', query: 'SELECT DATABASE() AS db' }, {}, extra);
  assert.deepEqual(((await mysqlQuery.run(ctx)) as any).rows, [{ db: server.database }]);
});

test('a slow query is cancelled at query_timeout_ms', async () => {
  const started = performance.now();
  const error = await failure({ query: 'SELECT SLEEP(10)', query_timeout_ms: 200 });
  assert.equal(error.code, 'QUERY_TIMEOUT');
  assert.match(error.message, /longer than 200 ms/);
  assert.ok(performance.now() - started < 3000);
});

test('aborting the execution cancels a running query', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 150);
  const started = performance.now();
  const error = await failure({ query: 'SELECT SLEEP(10) AS s FROM dual WHERE ? = 1', parameters: [1] }, { signal: controller.signal });
  assert.equal(error.code, 'QUERY_CANCELLED');
  assert.ok(performance.now() - started < 3000);
  const running = await query({ query: "SELECT count(*) AS n FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(10)%'" });
  assert.deepEqual(running.rows, [{ n: 0 }]);
});
