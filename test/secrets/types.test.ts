import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  credentialTypes,
  describeCredentialFields,
  getCredentialType,
  parseCredentialFields,
  registerCredentialType,
} from '../../src/secrets/types/registry.js';
import { SkynetteError } from '../../src/util/errors.js';
import { serviceAccountJson, validFields } from './fixtures.js';

function refused(type: string, fields: unknown, expected: RegExp): void {
  assert.throws(
    () => parseCredentialFields(type, fields),
    (error: unknown) => {
      assert.ok(error instanceof SkynetteError, String(error));
      assert.equal(error.code, 'CREDENTIAL_INVALID');
      assert.match(error.message, expected);
      return true;
    },
  );
}

describe('credential types', () => {
  it('knows the built-in types, every one with base_url and its secret fields declared', () => {
    const ids = credentialTypes().map((t) => t.type);
    for (const id of ['api_key', 'bearer', 'basic_auth', 'oauth2', 'aws', 'google_service_account', 'smtp', 'imap', 'postgres', 'mysql']) assert.ok(ids.includes(id), id);
    for (const t of credentialTypes()) {
      const fields = describeCredentialFields(t);
      assert.ok(fields.some((f) => f.name === 'base_url' && !f.required), `${t.type} accepts base_url`);
      assert.ok(t.secret.length > 0, `${t.type} declares secret fields`);
    }
  });

  it('accepts valid fields of every built-in type', () => {
    for (const [type, fields] of Object.entries(validFields)) {
      const parsed = parseCredentialFields(type, fields);
      for (const [k, v] of Object.entries(fields)) if (typeof v !== 'string' || !/^\d+$|^(true|false)$|,/.test(v)) assert.deepEqual(parsed[k], v, `${type}.${k}`);
    }
  });

  it('applies defaults and converts the strings a command line passes', () => {
    assert.deepEqual(parseCredentialFields('api_key', { key: 'k' }), { key: 'k', header_name: 'X-API-Key', in: 'header' });
    assert.deepEqual(parseCredentialFields('smtp', { host: 'mail', port: '465', secure: 'true' }), { host: 'mail', port: 465, secure: true });
    assert.deepEqual(parseCredentialFields('imap', { host: 'mail', username: 'u', password: 'p' }), { host: 'mail', port: 993, secure: true, username: 'u', password: 'p' });
    assert.deepEqual(parseCredentialFields('oauth2', { access_token: 'a', scopes: 'read, write repo' }).scopes, ['read', 'write', 'repo']);
    assert.equal(parseCredentialFields('mysql', { host: 'h', database: 'd', user: 'u', ssl: 'false' }).ssl, false);
    assert.equal(parseCredentialFields('postgres', { connection_string: 'postgresql://u:p@h/db', ssl: 'no-verify' }).ssl, 'no-verify');
  });

  it('refuses bad values with the field path', () => {
    refused('smtp', { host: 'mail', port: 'abc' }, /^fields\.port: expected a number$/);
    refused('smtp', { host: 'mail', port: 70000 }, /^fields\.port: must be at most 65535$/);
    refused('smtp', { host: 'mail', port: 25.5 }, /^fields\.port: expected a whole number$/);
    refused('imap', { host: 'mail', secure: 'maybe', username: 'u', password: 'p' }, /^fields\.secure: expected true or false$/);
    refused('bearer', {}, /^fields\.token: required$/);
    refused('bearer', { token: '' }, /^fields\.token: must not be empty$/);
    refused('api_key', { key: 'k', in: 'body' }, /^fields\.in: expected one of header, query$/);
    refused('api_key', { key: 'k', hedaer_name: 'X' }, /^fields\.hedaer_name: unknown field; api_key takes key, header_name, in, param_name, base_url$/);
    refused('oauth2', { access_token: 'a', expires_at: 'tomorrow' }, /^fields\.expires_at: expected an ISO date-time/);
    refused('oauth2', { access_token: 'a', scopes: [1] }, /^fields\.scopes\[0\]: expected text$/);
    refused('bearer', { token: 't', base_url: 'ftp://host' }, /^fields\.base_url: expected an http\(s\) URL/);
    refused('postgres', { host: 'h' }, /fields\.database: required \(or give connection_string\)\nfields\.user: required/);
    refused('postgres', { connection_string: 'mysql://u@h/db' }, /^fields\.connection_string: expected a URL starting with postgres:\/\//);
    refused('postgres', { host: 'h', database: 'd', user: 'u', ssl: 'maybe' }, /^fields\.ssl: expected true, false or one of/);
    refused('smtp', { host: 'mail', password: 'p' }, /^fields\.username: required when a password is set$/);
    refused('bearer', 'token', /^fields: expected an object/);
  });

  it('checks a Google service-account key file', () => {
    assert.ok(parseCredentialFields('google_service_account', { service_account_json: serviceAccountJson }));
    refused('google_service_account', { service_account_json: 'not json' }, /service_account_json: expected the JSON content/);
    refused('google_service_account', { service_account_json: JSON.stringify({ type: 'authorized_user' }) }, /"type": "service_account"/);
    refused('google_service_account', { service_account_json: JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----' }) }, /no client_email/);
    refused('google_service_account', { service_account_json: JSON.stringify({ type: 'service_account', client_email: 'a@b.iam' }) }, /no private_key/);
  });

  it('never puts the rejected value in the message', () => {
    assert.throws(
      () => parseCredentialFields('smtp', { host: 'mail', port: 'hunter2-secret' }),
      (error: Error) => !error.message.includes('hunter2-secret'),
    );
  });

  it('names the known types for an unknown one', () => {
    assert.throws(() => getCredentialType('slak'), /unknown credential type "slak"; known types: api_key, bearer/);
  });

  it('lets node modules register their own types, once', () => {
    const slack = registerCredentialType({
      type: 'test_slack',
      name: 'Slack',
      description: 'a Slack bot token',
      fields: { bot_token: z.string().min(1), team: z.string().optional() },
      secret: ['bot_token'],
    });
    assert.equal(getCredentialType('test_slack'), slack);
    assert.deepEqual(parseCredentialFields('test_slack', { bot_token: 'xoxb-1', base_url: 'http://127.0.0.1:9/' }), { bot_token: 'xoxb-1', base_url: 'http://127.0.0.1:9/' });
    assert.throws(() => registerCredentialType({ type: 'test_slack', name: 'x', description: 'x', fields: {}, secret: [] }), /already registered/);
    assert.throws(() => registerCredentialType({ type: 'test_bad', name: 'x', description: 'x', fields: { a: z.string() }, secret: ['b'] }), /marks "b" secret but has no such field/);
  });
});
