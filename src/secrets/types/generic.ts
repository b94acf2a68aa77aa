/**
 * The generic credential types any HTTP-based node can use.
 */
import { z } from 'zod';
import { defineCredentialType, field } from './define.js';

export const apiKeyType = defineCredentialType({
  type: 'api_key',
  name: 'API key',
  description: 'a key sent in a header (default X-API-Key) or a query parameter',
  fields: {
    key: field.secret().describe('the API key'),
    header_name: field.text().default('X-API-Key').describe('header that carries the key'),
    in: z.enum(['header', 'query']).default('header').describe('send the key in a header or in the query string'),
    param_name: field.text().optional().describe('query parameter name when in=query (default api_key)'),
  },
  secret: ['key'],
});

export const bearerType = defineCredentialType({
  type: 'bearer',
  name: 'Bearer token',
  description: 'a token sent as "Authorization: Bearer <token>"',
  fields: {
    token: field.secret().describe('the token'),
  },
  secret: ['token'],
});

export const basicAuthType = defineCredentialType({
  type: 'basic_auth',
  name: 'Basic auth',
  description: 'a username and password sent as HTTP Basic authentication',
  fields: {
    username: field.text().describe('user name'),
    password: z.string().describe('password'),
  },
  secret: ['password'],
  derivedSecrets: (f) => [Buffer.from(`${String(f.username)}:${String(f.password)}`).toString('base64')],
});

export const oauth2Type = defineCredentialType({
  type: 'oauth2',
  name: 'OAuth 2 tokens',
  description: 'an OAuth 2 access token, with what is needed to refresh it',
  fields: {
    access_token: field.secret().describe('current access token'),
    refresh_token: field.secret().optional().describe('refresh token'),
    expires_at: field.datetime().optional().describe('when the access token expires (ISO date-time)'),
    scopes: field.list().optional().describe('granted scopes (comma separated on the command line)'),
    token_url: field.url().optional().describe('token endpoint used to refresh'),
    client_id: field.text().optional().describe('OAuth client id'),
    client_secret: field.secret().optional().describe('OAuth client secret'),
  },
  secret: ['access_token', 'refresh_token', 'client_secret'],
});
