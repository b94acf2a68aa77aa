/**
 * How the server is configured: command-line flags first, then SKYNETTE_* environment variables,
 * then defaults (127.0.0.1:5678, ~/.skynette). Every value is checked here, once.
 */
import { resolveDataDir } from '../config/data-dir.js';
import { SkynetteError } from '../util/errors.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 5678;
export const DEFAULT_GRACE_MS = 10_000;
export const DEFAULT_WEBHOOK_BODY_LIMIT = 16 * 1024 * 1024;
export const DEFAULT_API_BODY_LIMIT = 10 * 1024 * 1024;

export interface ServerFlags {
  host?: string;
  port?: string | number;
  dataDir?: string;
  grace?: string | number;
  logLevel?: string;
}

export interface ServerOptions {
  host: string;
  /** 0: any free port (the URL printed at start says which). */
  port: number;
  dataDir: string;
  /** How long running executions get to finish at shutdown before they are checkpointed. */
  graceMs: number;
  webhookBodyLimit: number;
  apiBodyLimit: number;
  /** Origins allowed to call the API from a browser; empty: no CORS at all. */
  corsOrigins: string[];
  /** Host names accepted besides the configured host and loopback names. */
  allowedHosts: string[];
  /** The URL webhooks are reachable at from outside (shown in the API); default http://host:port. */
  publicUrl?: string;
  trustProxy: boolean;
  logLevel: LogLevel;
  env: NodeJS.ProcessEnv;
}

function invalid(name: string, message: string): SkynetteError {
  return new SkynetteError('INVALID_ARGUMENT', `${name}: ${message}`, { path: name });
}

function integer(value: string | number | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, `expected a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function resolveServerOptions(flags: ServerFlags = {}, env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const host = (flags.host ?? env.SKYNETTE_HOST ?? DEFAULT_HOST).trim();
  if (host === '' || /[\s/]/.test(host)) throw invalid('host', `"${host}" is not a host name or address`);
  const port = integer(flags.port ?? env.SKYNETTE_PORT, flags.port !== undefined ? '--port' : 'SKYNETTE_PORT', 0, 65535) ?? DEFAULT_PORT;
  const graceMs = integer(flags.grace ?? env.SKYNETTE_SHUTDOWN_GRACE_MS, flags.grace !== undefined ? '--grace' : 'SKYNETTE_SHUTDOWN_GRACE_MS', 0, 3_600_000) ?? DEFAULT_GRACE_MS;
  const webhookBodyLimit = integer(env.SKYNETTE_WEBHOOK_BODY_LIMIT, 'SKYNETTE_WEBHOOK_BODY_LIMIT', 1, 1024 * 1024 * 1024) ?? DEFAULT_WEBHOOK_BODY_LIMIT;
  const level = (flags.logLevel ?? env.SKYNETTE_LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw invalid('log level', `expected one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const publicUrl = env.SKYNETTE_PUBLIC_URL?.trim().replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\/[^/\s]+/.test(publicUrl)) throw invalid('SKYNETTE_PUBLIC_URL', `expected an http(s) URL, got "${publicUrl}"`);
  const dataDir = flags.dataDir ? resolveDataDir({ ...env, SKYNETTE_DATA_DIR: flags.dataDir }) : resolveDataDir(env);
  return {
    host,
    port,
    dataDir,
    graceMs,
    webhookBodyLimit,
    apiBodyLimit: DEFAULT_API_BODY_LIMIT,
    corsOrigins: list(env.SKYNETTE_CORS_ORIGINS),
    allowedHosts: list(env.SKYNETTE_ALLOWED_HOSTS).map((h) => h.toLowerCase()),
    publicUrl,
    trustProxy: /^(1|true|yes)$/i.test(env.SKYNETTE_TRUST_PROXY ?? ''),
    logLevel: level as LogLevel,
    env,
  };
}
