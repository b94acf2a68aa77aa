/**
 * How a credential type is declared: its fields as a zod shape, which of them are secret, and an
 * optional cross-field check. Field builders accept the strings a CLI passes (`port=587`,
 * `secure=true`, `scopes=a,b`) as well as real JSON values, so one schema serves the CLI and the API.
 */
import { z } from 'zod';

export type CredentialFields = Record<string, unknown>;

export interface CredentialTypeInput {
  /** Stable id used in workflow files and nodes (`credential: 'smtp'`). */
  type: string;
  name: string;
  description: string;
  fields: z.ZodRawShape;
  /** Names of the fields whose values are secret: masked when shown, redacted from logs. */
  secret: readonly string[];
  /** Checks that span several fields (one of two forms, both-or-neither). */
  check?: (fields: CredentialFields, ctx: z.RefinementCtx) => void;
  /** Values derived from the secrets that may turn up in text (a Basic header, a key inside a JSON file). */
  derivedSecrets?: (fields: CredentialFields) => string[];
}

export interface CredentialTypeDefinition extends Omit<CredentialTypeInput, 'fields'> {
  schema: z.ZodType<CredentialFields>;
  shape: z.ZodRawShape;
}

export function defineCredentialType(input: CredentialTypeInput): CredentialTypeDefinition {
  if (!/^[a-z][a-z0-9_]*$/.test(input.type)) throw new Error(`credential type id "${input.type}" must be lower_snake_case`);
  // Every type accepts a base_url: self-hosted services, proxies and local test servers.
  const shape: z.ZodRawShape = {
    ...input.fields,
    base_url: input.fields.base_url ?? field.url().optional().describe('API root for self-hosted services, proxies and tests'),
  };
  for (const name of input.secret) {
    if (!(name in shape)) throw new Error(`credential type "${input.type}" marks "${name}" secret but has no such field`);
  }
  let schema: z.ZodType<CredentialFields> = z.strictObject(shape);
  if (input.check) schema = z.strictObject(shape).superRefine((value, ctx) => input.check!(value, ctx));
  const { fields: _fields, ...rest } = input;
  return { ...rest, schema, shape };
}

const asNumber = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value);

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);
const asBoolean = (value: unknown) => {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return TRUE.has(lower) ? true : FALSE.has(lower) ? false : value;
};

const asList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Field builders shared by the credential types. */
export const field = {
  text: () => z.string().min(1),
  secret: () => z.string().min(1),
  url: () => z.string().refine(isHttpUrl, { message: 'expected an http(s) URL such as https://api.example.com' }),
  port: () => z.preprocess(asNumber, z.number().int().min(1).max(65535)),
  integer: () => z.preprocess(asNumber, z.number().int()),
  flag: () => z.preprocess(asBoolean, z.boolean()),
  list: () => z.preprocess(asList, z.array(z.string().min(1))),
  datetime: () => z.iso.datetime({ offset: true }),
};
