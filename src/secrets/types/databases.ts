/**
 * Database servers: either the parts (host, port, database, user, password) or one connection string.
 */
import { z } from 'zod';
import { defineCredentialType, field, type CredentialFields } from './define.js';

function eitherPartsOrConnectionString(fields: CredentialFields, ctx: z.RefinementCtx): void {
  const parts = ['host', 'port', 'database', 'user', 'password', 'ssl'].filter((k) => fields[k] !== undefined);
  if (fields.connection_string !== undefined) {
    for (const part of parts) ctx.addIssue({ code: 'custom', path: [part], message: 'give either connection_string or the separate fields, not both' });
    return;
  }
  for (const part of ['host', 'database', 'user']) {
    if (fields[part] === undefined) ctx.addIssue({ code: 'custom', path: [part], message: 'required (or give connection_string)' });
  }
}

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
    description: `a ${name} server: host, port, database, user, password, or one connection_string`,
    fields: {
      host: field.text().optional().describe('server host name'),
      port: field.port().optional().describe(`port (default ${defaultPort})`),
      database: field.text().optional().describe('database name'),
      user: field.text().optional().describe('user name'),
      password: z.string().optional().describe('password'),
      ssl: field.flag().optional().describe('connect with TLS'),
      connection_string: field
        .secret()
        .refine((s) => schemes.some((scheme) => s.startsWith(`${scheme}://`)), { message: `expected a URL starting with ${schemes[0]}://` })
        .optional()
        .describe(`${schemes[0]}://user:password@host:port/database instead of the separate fields`),
    },
    secret: ['password', 'connection_string'],
    check: eitherPartsOrConnectionString,
    derivedSecrets: connectionPassword,
  });
}

export const postgresType = databaseType('postgres', 'PostgreSQL', ['postgres', 'postgresql'], 5432);
export const mysqlType = databaseType('mysql', 'MySQL', ['mysql'], 3306);
