import { defineCredentialType, field } from './define.js';

export const awsType = defineCredentialType({
  type: 'aws',
  name: 'AWS access keys',
  description: 'an AWS access key pair (also S3-compatible services through endpoint)',
  fields: {
    access_key_id: field.text().describe('access key id (AKIA...)'),
    secret_access_key: field.secret().describe('secret access key'),
    session_token: field.secret().optional().describe('session token for temporary credentials'),
    region: field.text().describe('region, e.g. eu-west-1'),
    endpoint: field.url().optional().describe('custom endpoint for S3-compatible services (same as base_url)'),
  },
  secret: ['secret_access_key', 'session_token'],
});
