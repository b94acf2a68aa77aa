import type pg from 'pg';

/** The driver is loaded on first use: most workflows never query Postgres. */
const loadPg = async (): Promise<typeof pg> => (await import('pg')).default;
import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field } from '../../sdk.js';
import { connectionFields, describeTarget, redact, resolveConnection, type ConnectionConfig, type ConnectionSettings } from './connection-settings.js';
import { namedToPositional } from './placeholders.js';
import { expressionHint, isEmptyParameters, readParameters, rowsOutput, writeOutput, type QueryParameters } from './query-output.js';

interface PostgresQueryConfig extends ConnectionConfig {
  query: string;
  parameters?: unknown;
}

const INT8_OID = 20;

/** bigint columns (count(*) among them) as numbers while they fit, as text beyond 2^53. */
function typeParsers(driver: typeof pg) {
  return {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') {
      return (text: string) => {
        const n = Number(text);
        return Number.isSafeInteger(n) ? n : text;
      };
    }
    return driver.types.getTypeParser(oid, format as 'text');
  },
  };
}

function statementArguments(query: string, parameters: QueryParameters): { text: string; values?: unknown[] } {
  if (isEmptyParameters(parameters)) return { text: query };
  if (Array.isArray(parameters)) return { text: query, values: parameters };
  const { sql, values } = namedToPositional(query, parameters as Record<string, unknown>);
  return { text: sql, values };
}

interface PgErrorFields {
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

function errorFields(error: unknown): PgErrorFields {
  return error && typeof error === 'object' ? (error as PgErrorFields) : {};
}

/** SQLSTATE codes look like 42P01; Node's socket errors (ECONNREFUSED) are not SQLSTATEs. */
const isSqlState = (code: string | undefined): code is string => !!code && /^[0-9A-Z]{5}$/.test(code);

function connectError(error: unknown, settings: ConnectionSettings, timeoutMs: number): SkynetteError {
  const message = error instanceof Error ? error.message : String(error);
  const { code } = errorFields(error);
  const reason = /timeout/i.test(message) ? `no answer within ${timeoutMs} ms` : message + (code && !message.includes(code) ? ` (${code})` : '');
  return new SkynetteError('CONNECTION_FAILED', `could not connect to postgres at ${describeTarget(settings)}: ${redact(reason, [settings.password])}`, {
    details: { code },
  });
}

function queryError(error: unknown, settings: ConnectionSettings, query: string, timeoutMs: number): SkynetteError {
  if (error instanceof SkynetteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const fields = errorFields(error);
  if (fields.code === '57014' || /query read timeout/i.test(message)) {
    return new SkynetteError('QUERY_TIMEOUT', `postgres: the query took longer than ${timeoutMs} ms and was cancelled (raise query_timeout_ms if it needs longer)`);
  }
  let text = `postgres: ${message}`;
  if (isSqlState(fields.code)) text += ` (SQLSTATE ${fields.code})`;
  if (fields.position) text += ` at character ${fields.position}`;
  if (fields.detail) text += `; ${fields.detail}`;
  if (fields.hint) text += `; hint: ${fields.hint}`;
  return new SkynetteError('QUERY_FAILED', redact(text, [settings.password]) + expressionHint(query), {
    details: { sqlstate: fields.code, position: fields.position, detail: fields.detail, hint: fields.hint },
  });
}

function outputOf(result: pg.QueryResult | pg.QueryResult[]): unknown {
  // Several statements without parameters give one result each: the last one is the answer.
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  if (!last) return writeOutput(0, null);
  if (last.fields && last.fields.length > 0) {
    return rowsOutput(last.rows as Array<Record<string, unknown>>, last.fields.map((f) => f.name));
  }
  return writeOutput(last.rowCount, null);
}

/** Stops the statement still running on the server for a client that is being given up on (best effort). */
async function cancelBackend(driver: typeof pg, config: pg.ClientConfig, client: pg.Client): Promise<void> {
  const pid = (client as unknown as { processID?: unknown }).processID;
  if (typeof pid !== 'number') return;
  const canceller = new driver.Client({ ...config, connectionTimeoutMillis: 2000, statement_timeout: 2000, query_timeout: 3000 });
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The statement still ends at statement_timeout.
  } finally {
    await canceller.end().catch(() => {});
  }
}

export const postgresqlQuery = defineNode<PostgresQueryConfig>({
  type: 'postgresql-query',
  name: 'PostgreSQL: query',
  description:
    'Runs SQL on a PostgreSQL server with bound parameters ($1, or :name with an object). A statement that returns rows ' +
    '(SELECT, or INSERT ... RETURNING) outputs {rows, row_count, columns}; others output {affected_rows, last_insert_id}.',
  category: 'database',
  credential_types: ['postgres'],
  fields: {
    ...connectionFields('postgres', 'postgres://user:password@127.0.0.1:5432/database', 5432),
    query: field.text({
      required: true,
      raw: true,
      language: 'sql',
      placeholder: 'SELECT * FROM users WHERE id = $1',
      description: 'SQL sent as written; put values in parameters, never in the text',
    }),
    parameters: field.json({
      placeholder: '["{{ $prev.id }}"]',
      description: 'a list for $1, $2 ... placeholders, or an object for :name placeholders',
    }),
  },
  async run(ctx) {
    const { config } = ctx;
    const parameters = readParameters(config.parameters);
    const statement = statementArguments(config.query, parameters);
    const settings = await resolveConnection(ctx, { credentialType: 'postgres', schemes: ['postgres', 'postgresql'], defaultPort: 5432 });
    if (ctx.signal.aborted) throw new SkynetteError('QUERY_CANCELLED', 'the query was not run: the execution was cancelled or timed out');

    const driver = await loadPg();
    const clientConfig: pg.ClientConfig = {
      host: settings.host,
      port: settings.port,
      database: settings.database,
      user: settings.user,
      password: settings.password ?? '',
      ssl: settings.ssl,
      connectionTimeoutMillis: config.connect_timeout_ms,
      // The server cancels a slow statement itself; the client-side limit is a backstop for a silent server.
      statement_timeout: config.query_timeout_ms,
      query_timeout: config.query_timeout_ms + 5000,
      application_name: 'skynette',
      types: typeParsers(driver),
    };
    const client = new driver.Client(clientConfig);
    // Errors after connect (the server going away) arrive as events; without a listener they would crash the process.
    client.on('error', () => {});
    let cancelled = false;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      cancelled = true;
      cancelling = cancelBackend(driver, clientConfig, client).finally(() => client.end().catch(() => {}));
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      try {
        await client.connect();
      } catch (error) {
        if (cancelled) throw new SkynetteError('QUERY_CANCELLED', 'the query was cancelled: the execution was cancelled or timed out');
        throw connectError(error, settings, config.connect_timeout_ms);
      }
      try {
        const result = await client.query(statement as pg.QueryConfig);
        return outputOf(result as pg.QueryResult | pg.QueryResult[]);
      } catch (error) {
        if (cancelled) throw new SkynetteError('QUERY_CANCELLED', 'the query was cancelled: the execution was cancelled or timed out');
        throw queryError(error, settings, config.query, config.query_timeout_ms);
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      await cancelling;
      await client.end().catch(() => {});
    }
  },
});
