/**
 * Turns driver errors (better-sqlite3 codes, Postgres SQLSTATEs, socket errors) into SkynetteErrors
 * a user can act on. Messages name the file or the server, never a password.
 */
import { SkynetteError, errorMessage } from '../util/errors.js';

export type DialectName = 'sqlite' | 'postgres';

export interface ErrorContext {
  dialect: DialectName;
  /** The SQLite file, or the Postgres URL without its password. */
  location: string;
  busyTimeoutMs: number;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE']);

export function translateDatabaseError(error: unknown, context: ErrorContext): SkynetteError {
  if (error instanceof SkynetteError) return error;
  const code = driverCode(error);
  const found = context.dialect === 'sqlite' ? sqliteError(code, error, context) : postgresError(code, error, context);
  return found ?? new SkynetteError('DB_ERROR', `database error (${context.location}): ${errorMessage(error)}`, { cause: error, details: { driverCode: code } });
}

function driverCode(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) return String((error as { code: unknown }).code);
  return '';
}

function sqliteError(code: string, error: unknown, { location: file, busyTimeoutMs }: ErrorContext): SkynetteError | undefined {
  const make = (skynetteCode: string, message: string) => new SkynetteError(skynetteCode, message, { cause: error, path: file, details: { driverCode: code } });
  if (code === 'SQLITE_NOTADB') {
    return make('DB_CORRUPT', `the database file ${file} is damaged (not a SQLite database); move it aside and restore a backup: mv "${file}" "${file}.damaged"`);
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return make('DB_CORRUPT', `the database file ${file} is damaged (${errorMessage(error)}); move it aside and restore a backup: mv "${file}" "${file}.damaged"`);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return make(
      'DB_BUSY',
      `the database is busy: another Skynette process holds a write lock on ${file} for longer than ${busyTimeoutMs} ms; nothing was changed — wait for it to finish (or stop it) and try again`,
    );
  }
  if (code === 'SQLITE_FULL') {
    return make('DB_FULL', `the disk is full: could not write to ${file}; nothing was changed by this operation — free some space (skynette executions prune removes old executions) and try again`);
  }
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    return make('DB_WRITE_FAILED', `cannot read or write the database file ${file} (${errorMessage(error)}); check that the disk is mounted, writable and not full`);
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) return make('DB_CONSTRAINT', `the database refused the change: ${errorMessage(error)}`);
  return undefined;
}

function postgresError(code: string, error: unknown, { location, busyTimeoutMs }: ErrorContext): SkynetteError | undefined {
  const make = (skynetteCode: string, message: string) => new SkynetteError(skynetteCode, message, { cause: error, details: { driverCode: code } });
  const message = errorMessage(error);
  if (UNREACHABLE_CODES.has(code) || /timeout exceeded when trying to connect|Connection terminated/i.test(message) || code.startsWith('08') || code === '57P01' || code === '57P03') {
    return make('DB_UNREACHABLE', `cannot reach the Postgres server at ${location} (${message}); check SKYNETTE_DB_URL and that the server is running`);
  }
  if (code === '28P01' || code === '28000') return make('DB_AUTH_FAILED', `the Postgres server at ${location} refused the login (${message}); check the user and password in SKYNETTE_DB_URL`);
  if (code === '3D000') return make('DB_NOT_FOUND', `the Postgres database in ${location} does not exist (${message}); create it or fix SKYNETTE_DB_URL`);
  if (code === '53100') return make('DB_FULL', `the Postgres server at ${location} is out of disk space; nothing was changed by this operation — free some space and try again`);
  if (code === '55P03' || code === '40P01' || code === '57014') {
    return make('DB_BUSY', `the database is busy: another process holds a lock at ${location} for longer than ${busyTimeoutMs} ms; nothing was changed — try again`);
  }
  if (code.startsWith('53') || code.startsWith('58')) return make('DB_WRITE_FAILED', `the Postgres server at ${location} could not write (${message})`);
  if (code.startsWith('23')) return make('DB_CONSTRAINT', `the database refused the change: ${message}`);
  return undefined;
}

/** A Postgres URL fit for messages: the password replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) if (/pass|secret|key|token/i.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
