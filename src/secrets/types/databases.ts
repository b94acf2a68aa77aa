/**
 * Database servers: either the parts (host, port, database, user, password) or one connection string.
 */
import { z } from 'zod';
import { defineCredentialType, field, type CredentialFields } from './define.js';

function partsOrConnectionString(fields: CredentialFields, ctx: z.RefinementCtx): void {
  // With a connection_string the separate fields are optional and override its parts.
  if (fields.connection_string !== undefined) return;
  for (const part of ['host', 'database', 'user']) {
    if (fields[part] === undefined) ctx.addIssue({ code: 'custom', path: [part], message: 'required (or give connection_string)' });
  }
}

const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
const sslSetting = () =>
  z.preprocess(
    (v) => (typeof v === 'string' && ['true', 'false'].includes(v.trim().toLowerCase()) ? v.trim().toLowerCase() === 'true' : v),
    z.union([z.boolean(), z.enum(SSL_MODES)], { error: `expected true, false or one of ${SSL_MODES.join(', ')}` }),
  );

function connectionPassword(fields: CredentialFields): string[] {
  if (typeof fields.connection_string !== 'string') return [];
  try {
    const password = new URL(fields.connection_string).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}

function databaseType(type: string, name: string, schemes: string[], defaultPort: number) {
  return defineCredentialType({
    type,
    name,
    description: `a ${name} server: host, port, database, user, password, ssl, or one connection_string`,
    fields: {
      host: field.text().optional().describe('server host name'),
      port: field.port().optional().describe(`port (default ${defaultPort})`),
      database: field.text().optional().describe('database name'),
      user: field.text().optional().describe('user name'),
      password: z.string().optional().describe('password'),
      ssl: sslSetting().optional().describe(`connect with TLS: true, false, or ${SSL_MODES.join(', ')}`),
      connection_string: field
        .secret()
        .refine((s) => schemes.some((scheme) => s.startsWith(`${scheme}://`)), { message: `expected a URL starting with ${schemes[0]}://` })
        .optional()
        .describe(`${schemes[0]}://user:password@host:port/database; fields given as well override its parts`),
    },
    secret: ['password', 'connection_string'],
    check: partsOrConnectionString,
    derivedSecrets: connectionPassword,
  });
}

export const postgresType = databaseType('postgres', 'PostgreSQL', ['postgres', 'postgresql'], 5432);
export const mysqlType = databaseType('mysql', 'MySQL', ['mysql', 'mariadb'], 3306);
