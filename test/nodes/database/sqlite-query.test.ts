import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sqliteQuery } from '../../../src/nodes/core/database/sqlite-query.js';
import { databaseNodes } from '../../../src/nodes/core/database/index.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';

let dir: string;
let database: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skynette-sqlite-'));
  database = join(dir, 'test.db');
  await query({
    create_if_missing: true,
    query: `CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, active INTEGER, data TEXT, photo BLOB);
            CREATE TABLE notes (body TEXT);`,
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function query(config: Record<string, unknown>, extra = {}): Promise<any> {
  const ctx = nodeContext(sqliteQuery, { database, ...config }, {}, extra);
  return sqliteQuery.run(ctx);
}

async function failure(config: Record<string, unknown>): Promise<SkynetteError> {
  try {
    await query(config);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, String(error));
    return error;
  }
  assert.fail('expected the query to fail');
}

test('the database nodes are registered', () => {
  assert.deepEqual(databaseNodes.map((n) => n.type), ['sqlite-query', 'postgresql-query', 'mysql-query']);
  for (const node of databaseNodes) {
    assert.equal(node.category, 'database');
    assert.equal(node.fields.query.raw, true, `${node.type}: query must be sent as written`);
    assert.equal(node.fields.query.language, 'sql');
  }
});

test('insert with positional parameters reports the change and the new row id', async () => {
  const out = await query({ query: 'INSERT INTO people (name, age, active) VALUES (?, ?, ?)', parameters: ['Ada', 36, true] });
  assert.equal(out.affected_rows, 1);
  assert.equal(typeof out.last_insert_id, 'number');
  const read = await query({ query: 'SELECT name, age, active FROM people WHERE id = ?', parameters: [out.last_insert_id] });
  assert.deepEqual(read, { rows: [{ name: 'Ada', age: 36, active: 1 }], row_count: 1, columns: ['name', 'age', 'active'] });
});

test('named parameters bind :name, @name and $name from an object', async () => {
  await query({ query: 'INSERT INTO people (name, age) VALUES (:name, @age)', parameters: { name: 'Grace', age: 45 } });
  const out = await query({ query: 'SELECT name, age FROM people WHERE name = $name AND age = :age', parameters: { name: 'Grace', ':age': 45 } });
  assert.deepEqual(out.rows, [{ name: 'Grace', age: 45 }]);
});

test('numbered placeholders ?1 and $1 bind from a list', async () => {
  const out = await query({ query: 'SELECT ?1 AS a, $2 AS b, ?1 AS c', parameters: ['x', 'y'] });
  assert.deepEqual(out.rows, [{ a: 'x', b: 'y', c: 'x' }]);
});

test('an injection attempt in a parameter stays data', async () => {
  const hostile = "'; DROP TABLE people; --";
  await query({ query: 'INSERT INTO people (name) VALUES (?)', parameters: [hostile] });
  const out = await query({ query: 'SELECT name FROM people WHERE name = ?', parameters: [hostile] });
  assert.deepEqual(out.rows, [{ name: hostile }]);
  const tables = await query({ query: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'people'" });
  assert.equal(tables.row_count, 1);
});

test('{{ }} in the query is not filled in, and a failure says why', async () => {
  const error = await failure({ query: "SELECT * FROM people WHERE name = '{{ $prev.name }}' AND" });
  assert.equal(error.code, 'QUERY_FAILED');
  assert.match(error.message, /expressions are not filled into SQL/);
});

test('update and delete report affected rows', async () => {
  await query({ query: 'INSERT INTO notes (body) VALUES (?), (?), (?)', parameters: ['a', 'b', 'c'] });
  const updated = await query({ query: 'UPDATE notes SET body = upper(body) WHERE body IN (?, ?)', parameters: ['a', 'b'] });
  assert.deepEqual(updated, { affected_rows: 2, last_insert_id: null });
  const deleted = await query({ query: 'DELETE FROM notes' });
  assert.equal(deleted.affected_rows, 3);
});

test('INSERT ... RETURNING outputs rows', async () => {
  const out = await query({ query: 'INSERT INTO notes (body) VALUES (?) RETURNING body', parameters: ['returned'] });
  assert.deepEqual(out, { rows: [{ body: 'returned' }], row_count: 1, columns: ['body'] });
});

test('values become JSON data: objects as JSON text, blobs as base64, big integers as text', async () => {
  const out = await query({
    query: "SELECT ? AS data, x'68656c6c6f' AS blob, 9007199254740993 AS big, 42 AS small, NULL AS empty",
    parameters: [{ tags: ['a'] }],
  });
  assert.deepEqual(out.rows, [{ data: '{"tags":["a"]}', blob: 'aGVsbG8=', big: '9007199254740993', small: 42, empty: null }]);
});

test('an empty result still names its columns', async () => {
  const out = await query({ query: 'SELECT id, name FROM people WHERE 0' });
  assert.deepEqual(out, { rows: [], row_count: 0, columns: ['id', 'name'] });
});

test('parameters may arrive as JSON text', async () => {
  const out = await query({ query: 'SELECT ? + ? AS sum', parameters: '[2, 3]' });
  assert.deepEqual(out.rows, [{ sum: 5 }]);
});

test('bad parameters are clear errors', async () => {
  const few = await failure({ query: 'SELECT ? AS a, ? AS b', parameters: [1] });
  assert.equal(few.code, 'INVALID_CONFIG');
  assert.match(few.message, /config\.parameters: Too few parameter values/);
  const missing = await failure({ query: 'SELECT :name AS a', parameters: { other: 1 } });
  assert.match(missing.message, /Missing named parameter "name"/);
  const scalar = await failure({ query: 'SELECT ? AS a', parameters: 5 });
  assert.match(scalar.message, /put it in a list/);
});

test('bad SQL gives the database message and code', async () => {
  const syntax = await failure({ query: 'SELEC 1' });
  assert.equal(syntax.code, 'QUERY_FAILED');
  assert.equal(syntax.message, 'sqlite: near "SELEC": syntax error (SQLITE_ERROR)');
  const table = await failure({ query: 'SELECT * FROM nowhere' });
  assert.equal(table.message, 'sqlite: no such table: nowhere (SQLITE_ERROR)');
});

test('a script of several statements runs whole when it has no parameters', async () => {
  const out = await query({ query: "CREATE TABLE script (v); INSERT INTO script VALUES (1); INSERT INTO script VALUES (2);" });
  assert.equal(out.affected_rows, 2);
  const error = await failure({ query: 'SELECT ?; SELECT ?', parameters: [1, 2] });
  assert.match(error.message, /must be a single statement/);
});

test('a missing database file is an error and is not created', async () => {
  const path = join(dir, 'missing.db');
  const error = await failure({ database: path, query: 'SELECT 1' });
  assert.equal(error.code, 'DATABASE_NOT_FOUND');
  assert.equal(error.message, `database file not found: ${path} (set create_if_missing: true to create it)`);
  assert.equal(existsSync(path), false);
});

test('create_if_missing creates the file', async () => {
  const path = join(dir, 'created.db');
  const out = await query({ database: path, create_if_missing: true, query: 'CREATE TABLE t (a)' });
  assert.equal(out.affected_rows, 0);
  assert.equal(existsSync(path), true);
});

test('a relative path is resolved from the working directory', async () => {
  const out = await query({ database: relative(process.cwd(), database), query: 'SELECT count(*) AS n FROM people' });
  assert.equal(typeof out.rows[0].n, 'number');
});

test('read_only refuses writes', async () => {
  const error = await failure({ read_only: true, query: 'INSERT INTO notes (body) VALUES (?)', parameters: ['x'] });
  assert.equal(error.message, 'sqlite: attempt to write a readonly database (SQLITE_READONLY)');
  const out = await query({ read_only: true, query: 'SELECT 1 AS one' });
  assert.deepEqual(out.rows, [{ one: 1 }]);
});

test(':memory: works without a file', async () => {
  const out = await query({ database: ':memory:', query: 'SELECT sqlite_version() IS NOT NULL AS ok' });
  assert.deepEqual(out.rows, [{ ok: 1 }]);
});

test('an aborted execution does not run the query', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    query({ query: 'DELETE FROM people' }, { signal: controller.signal }),
    (error: SkynetteError) => error.code === 'QUERY_CANCELLED',
  );
  const out = await query({ query: 'SELECT count(*) AS n FROM people' });
  assert.ok(out.rows[0].n > 0);
});
