import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forgetSecrets, redactSecrets, rememberSecret, rememberedSecretCount } from '../../src/secrets/redact.js';
import { maskSecret, maskSecrets } from '../../src/secrets/mask.js';

describe('redactSecrets', () => {
  beforeEach(() => forgetSecrets());

  it('replaces every remembered secret with ***', () => {
    rememberSecret('sk-live-abcdef123456');
    rememberSecret('hunter22');
    assert.equal(redactSecrets('GET /x?key=sk-live-abcdef123456 failed; password hunter22 and again hunter22'), 'GET /x?key=*** failed; password *** and again ***');
  });

  it('catches the URL-encoded and JSON-escaped forms', () => {
    rememberSecret('p@ss/word+1');
    rememberSecret('line1\nline2"quoted"');
    assert.equal(redactSecrets('https://h/?pw=p%40ss%2Fword%2B1'), 'https://h/?pw=***');
    assert.equal(redactSecrets(JSON.stringify({ key: 'line1\nline2"quoted"' })), '{"key":"***"}');
  });

  it('replaces a longer secret whole when a shorter one is inside it', () => {
    rememberSecret('abcdef');
    rememberSecret('abcdef-ghijkl');
    assert.equal(redactSecrets('x abcdef-ghijkl y abcdef'), 'x *** y ***');
  });

  it('ignores values shorter than 6 characters and non-strings', () => {
    rememberSecret('12345');
    rememberSecret(123456);
    rememberSecret(undefined);
    assert.equal(rememberedSecretCount(), 0);
    assert.equal(redactSecrets('12345 123456'), '12345 123456');
  });

  it('treats regex characters literally', () => {
    rememberSecret('a.b*c+d?(e)[f]');
    assert.equal(redactSecrets('aXbbbcd a.b*c+d?(e)[f]'), 'aXbbbcd ***');
  });

  it('is fast enough for every log line', () => {
    for (let i = 0; i < 200; i++) rememberSecret(`secret-value-number-${i}-xyz`);
    const line = 'a perfectly ordinary log line about node http_request finishing in 123 ms '.repeat(4);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) redactSecrets(line);
    const perLine = (performance.now() - started) / 10_000;
    assert.ok(perLine < 0.2, `${perLine.toFixed(4)} ms per line`);
  });
});

describe('maskSecret', () => {
  it('shows the first characters and the length of a long secret', () => {
    assert.equal(maskSecret('sk-abcdefghijklmnopqrstuvwxyz0123456789A'), 'sk-a…(40 chars)');
  });
  it('shows nothing of a short one', () => {
    assert.equal(maskSecret('hunter22'), '••••');
    assert.equal(maskSecret(''), '••••');
    assert.equal(maskSecret(undefined), '');
  });
});

describe('maskSecrets', () => {
  it('masks the named fields of an object, at any depth, and leaves the rest', () => {
    assert.deepEqual(maskSecrets({ host: 'smtp.example.com', port: 465, password: 'hunter22', nested: { password: 'x', list: ['a'] } }, ['password']), {
      host: 'smtp.example.com',
      port: 465,
      password: '••••',
      nested: { password: '••••', list: ['a'] },
    });
  });
  it('masks every value when no fields are named', () => {
    assert.deepEqual(maskSecrets({ a: 'text', b: 12, c: true, d: null }), { a: '••••', b: '••••', c: true, d: null });
  });
  it('masks a string', () => {
    assert.equal(maskSecrets('a-long-enough-secret-value'), 'a-lo…(26 chars)');
  });
});
