import { defineCredentialType, field } from './define.js';

interface ServiceAccountKey {
  type?: unknown;
  client_email?: unknown;
  private_key?: unknown;
}

function parseKeyFile(text: unknown): ServiceAccountKey | null {
  if (typeof text !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ServiceAccountKey) : null;
  } catch {
    return null;
  }
}

export const googleServiceAccountType = defineCredentialType({
  type: 'google_service_account',
  name: 'Google service account',
  description: 'the JSON key file of a Google Cloud service account',
  fields: {
    service_account_json: field.secret().describe('content of the JSON key file (use --stdin service_account_json < key.json)'),
  },
  secret: ['service_account_json'],
  check(fields, ctx) {
    const text = fields.service_account_json;
    if (typeof text !== 'string') return;
    const key = parseKeyFile(text);
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['service_account_json'], message });
    if (!key) return issue('expected the JSON content of a service-account key file');
    if (key.type !== 'service_account') return issue('expected a key file with "type": "service_account"');
    if (typeof key.client_email !== 'string' || !key.client_email.includes('@')) return issue('the key file has no client_email');
    if (typeof key.private_key !== 'string' || !key.private_key.includes('PRIVATE KEY')) return issue('the key file has no private_key');
  },
  derivedSecrets(fields) {
    const key = parseKeyFile(fields.service_account_json);
    return typeof key?.private_key === 'string' ? [key.private_key] : [];
  },
});
