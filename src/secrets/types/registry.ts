/**
 * The credential types Skynette knows. Built-in types are registered here; node modules add the
 * types of their services with `registerCredentialType` when they load.
 */
import type { z } from 'zod';
import { SkynetteError } from '../../util/errors.js';
import { defineCredentialType, type CredentialFields, type CredentialTypeDefinition, type CredentialTypeInput } from './define.js';
import { apiKeyType, basicAuthType, bearerType, oauth2Type } from './generic.js';
import { awsType } from './aws.js';
import { googleServiceAccountType } from './google.js';
import { imapType, smtpType } from './mail.js';
import { mysqlType, postgresType } from './databases.js';

const types = new Map<string, CredentialTypeDefinition>();

for (const t of [apiKeyType, bearerType, basicAuthType, oauth2Type, awsType, googleServiceAccountType, smtpType, imapType, postgresType, mysqlType]) {
  types.set(t.type, t);
}

/**
 * Adds a credential type. Registering the same id twice is refused unless `replace` is set, so two
 * node modules cannot silently fight over one id.
 */
export function registerCredentialType(input: CredentialTypeInput | CredentialTypeDefinition, options: { replace?: boolean } = {}): CredentialTypeDefinition {
  const definition = 'schema' in input ? input : defineCredentialType(input);
  if (types.has(definition.type) && !options.replace) {
    throw new SkynetteError('CREDENTIAL_TYPE_EXISTS', `credential type "${definition.type}" is already registered`);
  }
  types.set(definition.type, definition);
  return definition;
}

export function findCredentialType(type: string): CredentialTypeDefinition | undefined {
  return types.get(type);
}

export function credentialTypes(): CredentialTypeDefinition[] {
  return [...types.values()];
}

export function getCredentialType(type: string): CredentialTypeDefinition {
  const found = types.get(type);
  if (!found) {
    throw new SkynetteError('CREDENTIAL_TYPE_UNKNOWN', `unknown credential type "${type}"; known types: ${[...types.keys()].join(', ')}`, { path: 'type' });
  }
  return found;
}

export interface CredentialFieldInfo {
  name: string;
  required: boolean;
  secret: boolean;
  description?: string;
}

/** The fields of a type, for help text, forms and the docs. */
export function describeCredentialFields(definition: CredentialTypeDefinition): CredentialFieldInfo[] {
  return Object.entries(definition.shape).map(([name, schema]) => ({
    name,
    required: !(schema as z.ZodType).safeParse(undefined).success,
    secret: definition.secret.includes(name),
    description: (schema as z.ZodType).description,
  }));
}

function expectedText(expected: string): string {
  switch (expected) {
    case 'number':
      return 'expected a number';
    case 'int':
      return 'expected a whole number';
    case 'string':
      return 'expected text';
    case 'boolean':
      return 'expected true or false';
    case 'array':
      return 'expected a list';
    case 'object':
      return 'expected an object';
    default:
      return `expected ${expected}`;
  }
}

export function pathText(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out.startsWith('.') ? out.slice(1) : out || '(top level)';
}

/**
 * One line per problem, `fields.port: expected a number`. Never includes the rejected value (it
 * may be a secret). Parse with `reportInput: true` so a missing value reads "required".
 */
export function formatFieldIssues(issues: readonly z.core.$ZodIssue[], prefix = 'fields', definition?: CredentialTypeDefinition): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = pathText(prefix, issue.path);
    switch (issue.code) {
      case 'invalid_type':
        lines.push(`${where}: ${(issue as { input?: unknown }).input === undefined ? 'required' : expectedText(issue.expected)}`);
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const known = definition ? `; ${definition.type} takes ${Object.keys(definition.shape).join(', ')}` : '';
          lines.push(`${pathText(prefix, [...issue.path, key])}: unknown field${known}`);
        }
        break;
      case 'too_small':
        lines.push(
          issue.origin === 'string' && Number(issue.minimum) === 1
            ? `${where}: must not be empty`
            : issue.origin === 'array'
              ? `${where}: needs at least ${String(issue.minimum)} item(s)`
              : `${where}: must be at least ${String(issue.minimum)}`,
        );
        break;
      case 'too_big':
        lines.push(`${where}: must be at most ${String(issue.maximum)}`);
        break;
      case 'invalid_value':
        lines.push(`${where}: expected one of ${issue.values.map(String).join(', ')}`);
        break;
      case 'invalid_format':
        lines.push(`${where}: ${issue.format === 'datetime' ? 'expected an ISO date-time such as 2030-01-31T12:00:00Z' : `expected ${issue.format}`}`);
        break;
      default:
        lines.push(`${where}: ${issue.message}`);
    }
  }
  return lines;
}

/**
 * Checks fields against their type and returns them with defaults applied. Bad values are refused
 * with every problem and its path; values never appear in the message.
 */
export function parseCredentialFields(type: string, fields: unknown, prefix = 'fields'): CredentialFields {
  const definition = getCredentialType(type);
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new SkynetteError('CREDENTIAL_INVALID', `${prefix}: expected an object of ${type} fields`, { path: prefix });
  }
  const result = definition.schema.safeParse(fields, { reportInput: true });
  if (result.success) return result.data;
  const lines = formatFieldIssues(result.error.issues, prefix, definition);
  const first = result.error.issues[0];
  throw new SkynetteError('CREDENTIAL_INVALID', lines.join('\n'), { path: first ? pathText(prefix, first.path) : prefix });
}
