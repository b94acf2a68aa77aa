/**
 * Turns a credential (api_key, bearer, basic_auth) into the headers or query parameters that carry
 * it, plus the values to keep out of errors and logs.
 */
import type { NodeContext } from '../../sdk.js';
import { SkynetteError } from '../../../util/errors.js';

export const HTTP_CREDENTIAL_TYPES = ['api_key', 'bearer', 'basic_auth'];

export interface CredentialAuth {
  headers: Record<string, string>;
  query: Record<string, string>;
  baseUrl?: string;
  secrets: string[];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** The credential's type as stored, else guessed from its fields (older credentials carry no type). */
function credentialType(fields: Record<string, unknown>): string | undefined {
  const declared = text(fields.type) ?? text(fields.credential_type);
  if (declared) return declared;
  if (text(fields.token)) return 'bearer';
  if (text(fields.username) !== undefined || text(fields.password) !== undefined) return 'basic_auth';
  if (text(fields.key) ?? text(fields.api_key)) return 'api_key';
  return undefined;
}

export async function credentialAuth(ctx: Pick<NodeContext, 'getCredential'>, reference: string): Promise<CredentialAuth> {
  const fields = await ctx.getCredential(reference);
  const type = credentialType(fields);
  const secrets = Object.entries(fields)
    .filter(([name, value]) => typeof value === 'string' && !['type', 'credential_type', 'base_url', 'header_name', 'in', 'param_name', 'username'].includes(name))
    .map(([, value]) => value as string);
  const auth: CredentialAuth = { headers: {}, query: {}, baseUrl: text(fields.base_url), secrets };
  const missing = (what: string) =>
    new SkynetteError('CREDENTIAL_INVALID', `credential "${reference}" (${type}) has no ${what}; edit the credential to add it`, {
      path: 'config.credential',
    });
  switch (type) {
    case 'bearer': {
      const token = text(fields.token);
      if (!token) throw missing('token');
      auth.headers.authorization = `Bearer ${token}`;
      return auth;
    }
    case 'basic_auth': {
      const username = text(fields.username) ?? '';
      const password = text(fields.password) ?? '';
      if (!username && !password) throw missing('username or password');
      auth.headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      return auth;
    }
    case 'api_key': {
      const key = text(fields.key) ?? text(fields.api_key);
      if (!key) throw missing('key');
      if (fields.in === 'query') auth.query[text(fields.param_name) ?? 'api_key'] = key;
      else auth.headers[text(fields.header_name) ?? 'X-API-Key'] = key;
      return auth;
    }
    default:
      throw new SkynetteError(
        'CREDENTIAL_INVALID',
        `credential "${reference}" is of type ${type ?? 'unknown'}; this node accepts ${HTTP_CREDENTIAL_TYPES.join(', ')}`,
        { path: 'config.credential' },
      );
  }
}

/** Case-insensitive merge: a header from `over` replaces any spelling of the same name in `base`. */
export function mergeHeaders(base: Record<string, string>, over: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const overNames = new Set(Object.keys(over).map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(base)) if (!overNames.has(name.toLowerCase())) out[name] = value;
  return { ...out, ...over };
}
