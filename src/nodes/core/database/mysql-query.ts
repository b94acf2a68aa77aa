import type mysql from 'mysql2/promise';

/** The driver is loaded on first use: most workflows never query MySQL. */
const loadMysql = async (): Promise<typeof mysql> => (await import('mysql2/promise')).default;
import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field } from '../../sdk.js';
import { connectionFields, describeTarget, redact, resolveConnection, type ConnectionConfig, type ConnectionSettings } from './connection-settings.js';
import { expressionHint, isEmptyParameters, readParameters, rowsOutput, writeOutput, type QueryParameters } from './query-output.js';

interface MysqlQueryConfig extends ConnectionConfig {
  query: string;
  parameters?: unknown;
}

function bindValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function bindValues(parameters: QueryParameters): unknown[] | Record<string, unknown> | undefined {
  if (isEmptyParameters(parameters)) return undefined;
  if (Array.isArray(parameters)) return parameters.map(bindValue);
  const named: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters as Record<string, unknown>)) named[key.replace(/^:/, '')] = bindValue(value);
  return named;
}

function connectionOptions(settings: ConnectionSettings, config: MysqlQueryConfig): mysql.ConnectionOptions {
  return {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: settings.password ?? '',
    ssl: settings.ssl === true ? {} : settings.ssl === false ? undefined : settings.ssl,
    connectTimeout: config.connect_timeout_ms,
    namedPlaceholders: true,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4',
  };
}

interface MysqlErrorFields {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
}

function errorFields(error: unknown): MysqlErrorFields {
  return error && typeof error === 'object' ? (error as MysqlErrorFields) : {};
}

function connectError(error: unknown, settings: ConnectionSettings, timeoutMs: number): SkynetteError {
  const message = error instanceof Error ? error.message : String(error);
  const { code, errno } = errorFields(error);
  const reason = code === 'ETIMEDOUT' ? `no answer within ${timeoutMs} ms` : `${message}${code && !message.includes(code) ? ` (${code})` : ''}`;
  return new SkynetteError('CONNECTION_FAILED', `could not connect to mysql at ${describeTarget(settings)}: ${redact(reason, [settings.password])}`, {
    details: { code, errno },
  });
}

function queryError(error: unknown, settings: ConnectionSettings, query: string, timeoutMs: number): SkynetteError {
  if (error instanceof SkynetteError) return error;
  const fields = errorFields(error);
  const message = fields.sqlMessage ?? (error instanceof Error ? error.message : String(error));
  // 1969: MariaDB max_statement_time, 3024: MySQL max_execution_time, 1317: interrupted (our KILL QUERY).
  if (fields.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || fields.errno === 1969 || fields.errno === 3024 || fields.errno === 1317) {
    return new SkynetteError('QUERY_TIMEOUT', `mysql: the query took longer than ${timeoutMs} ms and was cancelled (raise query_timeout_ms if it needs longer)`);
  }
  const codes = [fields.code, fields.errno !== undefined ? `errno ${fields.errno}` : undefined, fields.sqlState ? `SQLSTATE ${fields.sqlState}` : undefined]
    .filter(Boolean)
    .join(', ');
  return new SkynetteError('QUERY_FAILED', redact(`mysql: ${message}${codes ? ` (${codes})` : ''}`, [settings.password]) + expressionHint(query), {
    details: { code: fields.code, errno: fields.errno, sqlstate: fields.sqlState },
  });
}

function outputOf(result: unknown, fields: unknown): unknown {
  // A CALL returns its result sets followed by a status header: the first result set is the answer.
  if (Array.isArray(result) && Array.isArray(result[0])) {
    return outputOf(result[0], Array.isArray(fields) ? fields[0] : undefined);
  }
  if (Array.isArray(result)) {
    const columns = Array.isArray(fields) ? (fields as Array<{ name: string }>).map((f) => f.name) : Object.keys(result[0] ?? {});
    return rowsOutput(result as Array<Record<string, unknown>>, columns);
  }
  const header = (result ?? {}) as { affectedRows?: number; insertId?: number | string };
  return writeOutput(header.affectedRows, header.insertId);
}

/** Stops a statement still running on the server after the client gave up on it (best effort). */
async function killQuery(options: mysql.ConnectionOptions, threadId: number): Promise<void> {
  if (!Number.isInteger(threadId)) return;
  let killer: mysql.Connection | undefined;
  try {
    killer = await (await loadMysql()).createConnection({ ...options, connectTimeout: 2000 });
    await killer.query({ sql: `KILL QUERY ${threadId}`, timeout: 2000 });
  } catch {
    // The statement ends on its own or when the server notices the closed connection.
  } finally {
    killer?.destroy();
  }
}

export const mysqlQuery = defineNode<MysqlQueryConfig>({
  type: 'mysql-query',
  name: 'MySQL: query',
  description:
    'Runs one SQL statement on a MySQL or MariaDB server with bound parameters (?, or :name with an object). A statement ' +
    'that returns rows outputs {rows, row_count, columns}; others output {affected_rows, last_insert_id}.',
  category: 'database',
  credential_types: ['mysql'],
  fields: {
    ...connectionFields('mysql', 'mysql://user:password@127.0.0.1:3306/database', 3306),
    query: field.text({
      required: true,
      raw: true,
      language: 'sql',
      placeholder: 'SELECT * FROM users WHERE id = ?',
      description: 'one SQL statement, sent as written; put values in parameters, never in the text',
    }),
    parameters: field.json({
      placeholder: '["{{ $prev.id }}"]',
      description: 'a list for ? placeholders, or an object for :name placeholders',
    }),
  },
  async run(ctx) {
    const { config } = ctx;
    const values = bindValues(readParameters(config.parameters));
    const settings = await resolveConnection(ctx, { credentialType: 'mysql', schemes: ['mysql', 'mariadb'], defaultPort: 3306 });
    if (ctx.signal.aborted) throw new SkynetteError('QUERY_CANCELLED', 'the query was not run: the execution was cancelled or timed out');
    const options = connectionOptions(settings, config);

    let connection: mysql.Connection;
    try {
      connection = await (await loadMysql()).createConnection(options);
    } catch (error) {
      throw connectError(error, settings, config.connect_timeout_ms);
    }
    // Errors after connect (the server going away) arrive as events; without a listener they would crash the process.
    connection.on('error', () => {});
    let cancelled = false;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      cancelled = true;
      cancelling = killQuery(options, connection.threadId);
      connection.destroy();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const request = { sql: config.query, timeout: config.query_timeout_ms };
      // Without values the text protocol runs any statement; with values, a server-side prepared statement binds them.
      const [result, fields] = values === undefined ? await connection.query(request) : await connection.execute(request, values as never);
      return outputOf(result, fields);
    } catch (error) {
      if (cancelled) throw new SkynetteError('QUERY_CANCELLED', 'the query was cancelled: the execution was cancelled or timed out');
      if (errorFields(error).code === 'PROTOCOL_SEQUENCE_TIMEOUT') await killQuery(options, connection.threadId);
      throw queryError(error, settings, config.query, config.query_timeout_ms);
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      await cancelling;
      if (cancelled) connection.destroy();
      else await connection.end().catch(() => connection.destroy());
    }
  },
});
