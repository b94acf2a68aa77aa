import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field } from '../../sdk.js';
import { findPlaceholders } from './placeholders.js';
import {
  expressionHint,
  isEmptyParameters,
  readParameters,
  rowsOutput,
  writeOutput,
  type QueryParameters,
} from './query-output.js';

interface SqliteQueryConfig {
  database: string;
  query: string;
  parameters?: unknown;
  create_if_missing: boolean;
  read_only: boolean;
  busy_timeout_ms: number;
}

type BindValue = number | string | bigint | Buffer | null;

/** better-sqlite3 binds only numbers, text, bigints, buffers and null. */
function bindValue(value: unknown): BindValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint') return value;
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** Arguments for statement.all/run: a list binds `?` (or `?1`/`$1` by number), an object binds `:name`/`@name`/`$name`. */
function bindArguments(query: string, parameters: QueryParameters): unknown[] {
  if (isEmptyParameters(parameters)) return [];
  if (Array.isArray(parameters)) {
    const values = parameters.map(bindValue);
    if (findPlaceholders(query, 'sqlite').some((p) => p.kind === 'numbered')) {
      return [Object.fromEntries(values.map((v, i) => [String(i + 1), v]))];
    }
    return values;
  }
  const named: Record<string, BindValue> = {};
  for (const [key, value] of Object.entries(parameters as Record<string, unknown>)) named[key.replace(/^[:@$]/, '')] = bindValue(value);
  return [named];
}

function sqliteError(error: unknown, query: string): SkynetteError {
  if (error instanceof SkynetteError) return error;
  const code = error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError || (error instanceof TypeError && /bind/i.test(message))) {
    // better-sqlite3's messages about parameters: "Too few parameter values were provided", "Missing named parameter".
    return new SkynetteError('INVALID_CONFIG', `config.parameters: ${message}`, { path: 'config.parameters', cause: error });
  }
  return new SkynetteError('QUERY_FAILED', `sqlite: ${message}${code ? ` (${code})` : ''}${expressionHint(query)}`, {
    details: { code },
    cause: error,
  });
}

function openDatabase(config: SqliteQueryConfig): Database.Database {
  const memory = config.database === ':memory:';
  const path = memory ? config.database : resolve(config.database);
  if (!memory && !existsSync(path) && (!config.create_if_missing || config.read_only)) {
    throw new SkynetteError(
      'DATABASE_NOT_FOUND',
      `database file not found: ${path}${config.read_only ? '' : ' (set create_if_missing: true to create it)'}`,
      { path: 'config.database' },
    );
  }
  try {
    return new Database(path, { readonly: config.read_only && !memory, timeout: config.busy_timeout_ms });
  } catch (error) {
    throw new SkynetteError('CONNECTION_FAILED', `could not open sqlite database ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      path: 'config.database',
      cause: error,
    });
  }
}

function runQuery(db: Database.Database, query: string, parameters: QueryParameters): unknown {
  let statement: Database.Statement;
  try {
    statement = db.prepare(query);
  } catch (error) {
    if (error instanceof RangeError && /more than one statement/.test(error.message)) {
      if (!isEmptyParameters(parameters)) {
        throw new SkynetteError(
          'INVALID_CONFIG',
          'config.query: a query with parameters must be a single statement (a script of several runs only without parameters)',
          { path: 'config.query' },
        );
      }
      // A script of several statements, e.g. a schema: run it whole.
      const before = db.prepare('SELECT total_changes() AS n').pluck().get() as number;
      db.exec(query);
      const after = db.prepare('SELECT total_changes() AS n').pluck().get() as number;
      return writeOutput(after - before, null);
    }
    throw error;
  }
  const args = bindArguments(query, parameters);
  statement.safeIntegers(true);
  if (statement.reader) {
    const rows = statement.all(...args) as Array<Record<string, unknown>>;
    return rowsOutput(rows, statement.columns().map((c) => c.name));
  }
  const info = statement.run(...args);
  return writeOutput(info.changes, info.changes > 0 ? info.lastInsertRowid : null);
}

export const sqliteQuery = defineNode<SqliteQueryConfig>({
  type: 'sqlite-query',
  name: 'SQLite: query',
  description:
    'Runs one SQL statement on a SQLite database file with bound parameters. A statement that returns rows outputs ' +
    '{rows, row_count, columns}; others output {affected_rows, last_insert_id}.',
  category: 'database',
  fields: {
    database: field.file({ required: true, placeholder: './data.db', description: 'path of the database file, or :memory:' }),
    query: field.text({
      required: true,
      raw: true,
      language: 'sql',
      placeholder: 'SELECT * FROM users WHERE id = ?',
      description: 'one SQL statement, sent as written; put values in parameters, never in the text',
    }),
    parameters: field.json({
      placeholder: '["{{ $prev.id }}"]',
      description: 'a list for ? / ?1 / $1 placeholders, or an object for :name / @name / $name placeholders',
    }),
    create_if_missing: field.boolean({ default: false, description: 'create the database file when it does not exist' }),
    read_only: field.boolean({ default: false, description: 'open the database read-only' }),
    busy_timeout_ms: field.number({ default: 5000, min: 0, integer: true, description: 'wait this long for a lock held by another process' }),
  },
  async run(ctx) {
    const { config } = ctx;
    if (ctx.signal.aborted) throw new SkynetteError('QUERY_CANCELLED', 'the query was not run: the execution was cancelled or timed out');
    const parameters = readParameters(config.parameters);
    const db = openDatabase(config);
    try {
      return runQuery(db, config.query, parameters);
    } catch (error) {
      throw sqliteError(error, config.query);
    } finally {
      db.close();
    }
  },
});
