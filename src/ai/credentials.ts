/**
 * Credential types of the AI providers, so keys live in the vault:
 *   skynette credentials add openai my-openai --stdin api_key
 * A provider reads the credential named in its settings (`credential`), else one named after the
 * provider. Generic `api_key` and `bearer` credentials work too.
 */
import { defineCredentialType, credentialField, findCredentialType, registerCredentialType } from '../secrets/index.js';

export const openAiCredentialType = defineCredentialType({
  type: 'openai',
  name: 'OpenAI',
  description: 'an OpenAI API key (or a key for an OpenAI-compatible service, with base_url)',
  fields: {
    api_key: credentialField.secret().describe('the API key (sk-...)'),
    organization: credentialField.text().optional().describe('organization id, when the key belongs to several'),
  },
  secret: ['api_key'],
});

export const anthropicCredentialType = defineCredentialType({
  type: 'anthropic',
  name: 'Anthropic',
  description: 'an Anthropic API key',
  fields: {
    api_key: credentialField.secret().describe('the API key (sk-ant-...)'),
  },
  secret: ['api_key'],
});

for (const type of [openAiCredentialType, anthropicCredentialType]) {
  if (!findCredentialType(type.type)) registerCredentialType(type);
}

/** The key in a credential of any of the accepted types. */
export function apiKeyOf(fields: Record<string, unknown>): string | undefined {
  for (const name of ['api_key', 'key', 'token']) {
    const value = fields[name];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}
