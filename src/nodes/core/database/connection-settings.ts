/**
 * Where a server database node connects: a stored credential, a connection string, or separate
 * fields, merged in that order (a field set in the node wins). Also keeps passwords out of every
 * message a user or a log can see.
 */
import { SkynetteError } from '../../../util/errors.js';
import { field, type FieldMap, type NodeContext } from '../../sdk.js';

export type SslSetting = boolean | { rejectUnauthorized: boolean };

export interface ConnectionSettings {
  host: string;
  port: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: SslSetting;
}

/** The connection fields shared by the Postgres and MySQL nodes. */
export interface ConnectionConfig {
  credential?: string;
  connection_string?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean;
  connect_timeout_ms: number;
  query_timeout_ms: number;
}

export function connectionFields(credentialType: string, example: string, defaultPort: number): FieldMap {
  return {
    credential: field.credential([credentialType], {
      description: `a stored ${credentialType} credential (host, port, database, user, password, ssl or connection_string)`,
    }),
    connection_string: field.secret({
      placeholder: example,
      description: 'instead of a credential or the fields below; fields set below override its parts',
    }),
    host: field.string({ placeholder: '127.0.0.1' }),
    port: field.number({ integer: true, min: 1, max: 65535, placeholder: String(defaultPort) }),
    database: field.string(),
    user: field.string(),
    password: field.secret(),
    ssl: field.boolean({ description: 'connect over TLS, verifying the server certificate' }),
    connect_timeout_ms: field.number({ default: 10_000, min: 1, integer: true, description: 'give up connecting after this long' }),
    query_timeout_ms: field.number({ default: 30_000, min: 1, integer: true, description: 'cancel the query after this long' }),
  };
}

type Partial = { -readonly [K in keyof ConnectionSettings]?: ConnectionSettings[K] };

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function port(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new SkynetteError('INVALID_CONFIG', `${where}: port must be a whole number from 1 to 65535`, { path: where });
  }
  return n;
}

function ssl(value: unknown): SslSetting | undefined {
  if (value === true || value === 'true' || value === 'require' || value === 'verify-full' || value === 'verify-ca') return true;
  if (value === false || value === 'false' || value === 'disable') return false;
  if (value === 'no-verify') return { rejectUnauthorized: false };
  if (value && typeof value === 'object' && 'rejectUnauthorized' in value) {
    return { rejectUnauthorized: (value as { rejectUnauthorized: unknown }).rejectUnauthorized !== false };
  }
  return undefined;
}

/** Parses `scheme://user:password@host:port/database?sslmode=...`. */
export function parseConnectionString(value: string, schemes: string[], where: string): Partial {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SkynetteError('INVALID_CONFIG', `${where}: expected a URL like ${schemes[0]}://user:password@host:port/database`, { path: where });
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) {
    throw new SkynetteError('INVALID_CONFIG', `${where}: expected a ${schemes.map((s) => `${s}://`).join(' or ')} URL, got ${scheme}://`, {
      path: where,
    });
  }
  const decode = (s: string) => (s === '' ? undefined : decodeURIComponent(s));
  const database = decode(url.pathname.replace(/^\//, ''));
  return {
    host: decode(url.hostname.replace(/^\[(.*)\]$/, '$1')),
    port: port(url.port, where),
    database,
    user: decode(url.username),
    password: decode(url.password),
    ssl: ssl(url.searchParams.get('sslmode') ?? url.searchParams.get('ssl') ?? undefined),
  };
}

function fromRecord(record: Record<string, unknown>, schemes: string[], where: string): Partial {
  const fromUrl = text(record.connection_string) ? parseConnectionString(String(record.connection_string), schemes, `${where}.connection_string`) : {};
  return merge(fromUrl, {
    host: text(record.host),
    port: port(record.port, `${where}.port`),
    database: text(record.database) ?? text(record.dbname),
    user: text(record.user) ?? text(record.username),
    password: typeof record.password === 'string' && record.password !== '' ? record.password : undefined,
    ssl: ssl(record.ssl),
  });
}

function merge(base: Partial, over: Partial): Partial {
  const out: Partial = { ...base };
  for (const [key, value] of Object.entries(over) as Array<[keyof Partial, unknown]>) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export async function resolveConnection(
  ctx: NodeContext<ConnectionConfig>,
  options: { credentialType: string; schemes: string[]; defaultPort: number },
): Promise<ConnectionSettings> {
  const config = ctx.config;
  let settings: Partial = {};
  if (config.credential) {
    const stored = await ctx.getCredential(config.credential);
    settings = fromRecord(stored ?? {}, options.schemes, `credential "${config.credential}"`);
  }
  settings = merge(settings, fromRecord(config as unknown as Record<string, unknown>, options.schemes, 'config'));
  return {
    host: settings.host ?? '127.0.0.1',
    port: settings.port ?? options.defaultPort,
    database: settings.database,
    user: settings.user,
    password: settings.password,
    ssl: settings.ssl,
  };
}

/**
 * Removes secrets from text shown to users: the password wherever it appears, and the password
 * part of any URL or `password=` setting.
 */
export function redact(message: string, secrets: Array<string | undefined>): string {
  let out = message;
  for (const secret of secrets) {
    // Very short secrets would turn every message into asterisks; they still vanish from URLs below.
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@')
    .replace(/(password\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;,&]+)/gi, '$1***');
}

/** `user@host:port/database`, for messages. */
export function describeTarget(settings: ConnectionSettings): string {
  return `${settings.host}:${settings.port}`;
}
