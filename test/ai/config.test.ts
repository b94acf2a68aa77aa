import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { CredentialVault } from '../../src/secrets/index.js';
import { createAiSettingsStore } from '../../src/ai/settings.js';
import { PriceTable } from '../../src/ai/prices.js';
import { inferProvider } from '../../src/ai/gateway.js';
import { SkynetteError } from '../../src/util/errors.js';
import { testGateway } from './helpers.js';

let fake: FakeOpenAi;
before(async () => {
  fake = await startFakeOpenAi({ apiKey: 'sk-from-vault' });
});
after(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.server.requests.length = 0;
});

const hello = { messages: [{ role: 'user' as const, content: 'hello' }], provider: 'openai' };

describe('where providers get their endpoints and keys', () => {
  it('reads the environment variables the tools use', async () => {
    const t = await testGateway({ env: { OPENAI_API_KEY: 'sk-from-vault', OPENAI_BASE_URL: fake.baseUrl } });
    try {
      const openai = t.gateway.providers().find((p) => p.name === 'openai')!;
      assert.equal(openai.configured, true);
      assert.equal(openai.endpoint, fake.baseUrl);
      assert.equal((await t.gateway.chat(hello)).provider, 'openai');
    } finally {
      await t.close();
    }
  });

  it('lets a vault credential and the provider settings win over the environment', async () => {
    const t = await testGateway({ database: true, env: { OPENAI_API_KEY: 'sk-env-wrong', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', SKYNETTE_ENCRYPTION_KEY: 'a test passphrase' } });
    try {
      const vault = new CredentialVault({ db: t.database!.db, dataDir: t.dir, env: { SKYNETTE_ENCRYPTION_KEY: 'a test passphrase' }, keyring: null });
      await vault.add('openai', 'work-openai', { api_key: 'sk-from-vault' });
      const withVault = await testGateway({
        database: t.database,
        env: { OPENAI_API_KEY: 'sk-env-wrong', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
        resolveCredential: vault.resolveCredential,
        settings: { providers: { openai: { credential: 'work-openai', base_url: fake.baseUrl } } },
      });
      try {
        const reply = await withVault.gateway.chat(hello);
        assert.equal(reply.provider, 'openai');
        assert.equal(fake.server.last().headers.authorization, 'Bearer sk-from-vault');
      } finally {
        await withVault.close();
      }
    } finally {
      await t.close();
    }
  });

  it('uses a credential named after the provider without being told, and explains a missing named one', async () => {
    const credentials: Record<string, Record<string, unknown>> = { openai: { type: 'openai', api_key: 'sk-from-vault', base_url: fake.baseUrl } };
    const resolveCredential = async (reference: string) => {
      const found = credentials[reference];
      if (!found) throw new SkynetteError('CREDENTIAL_NOT_FOUND', `no credential "${reference}"`);
      return found;
    };
    const implicit = await testGateway({ resolveCredential });
    try {
      assert.equal((await implicit.gateway.chat(hello)).provider, 'openai');
    } finally {
      await implicit.close();
    }
    const named = await testGateway({ resolveCredential, settings: { providers: { anthropic: { credential: 'team-claude' } } } });
    try {
      const anthropic = named.gateway.providers().find((p) => p.name === 'anthropic')!;
      assert.equal(anthropic.configured, false);
      assert.match(anthropic.problem!, /credential "team-claude" cannot be read: no credential "team-claude"/);
    } finally {
      await named.close();
    }
  });
});

describe('provider settings', () => {
  it('orders by priority, enables and disables, and keeps it in the database', async () => {
    const t = await testGateway({ database: true });
    try {
      assert.deepEqual(t.gateway.providers().map((p) => p.name), ['openai', 'anthropic', 'ollama', 'lmstudio', 'llamacpp']);
      await t.gateway.configureProvider('llamacpp', { priority: 1 });
      await t.gateway.configureProvider('openai', { enabled: false });
      assert.equal(t.gateway.providers()[0].name, 'llamacpp');
      assert.equal(t.gateway.providers().find((p) => p.name === 'openai')!.enabled, false);
      const stored = await createAiSettingsStore(t.database!.db).load();
      assert.deepEqual(stored.providers.llamacpp, { priority: 1 });
      assert.deepEqual(stored.providers.openai, { enabled: false });
      await assert.rejects(t.gateway.configureProvider('openai', { base_url: 'ftp://nope' }), /base_url: expected an http\(s\) URL/);
      await assert.rejects(t.gateway.configureProvider('openai', { colour: 'blue' }), /AI_SETTINGS_INVALID|Unrecognized key/);
      await assert.rejects(t.gateway.configureProvider('skynet', {}), (error: SkynetteError) => error.code === 'AI_UNKNOWN_PROVIDER');
    } finally {
      await t.close();
    }
  });
});

describe('prices', () => {
  it('matches exact ids, then the longest prefix, with overrides on top', () => {
    const prices = new PriceTable();
    assert.deepEqual(prices.priceOf('openai', 'gpt-4o'), { input: 2.5, output: 10 });
    assert.deepEqual(prices.priceOf('openai', 'gpt-4o-mini-2024-07-18'), { input: 0.15, output: 0.6 });
    assert.deepEqual(prices.priceOf('anthropic', 'claude-3-5-haiku-20241022'), { input: 0.8, output: 4 });
    assert.deepEqual(prices.priceOf('ollama', 'llama3.2'), { input: 0, output: 0 });
    assert.equal(prices.priceOf('openai', 'my-finetune'), undefined);
    assert.equal(prices.tokenCost('openai', 'gpt-4o', { input_tokens: 1000, output_tokens: 500 }), 0.0075);
    prices.setOverrides({ 'gpt-4o': { input: 1, output: 2 }, 'openai/my-finetune': { input: 3, output: 6 } });
    assert.equal(prices.tokenCost('openai', 'gpt-4o', { input_tokens: 1_000_000, output_tokens: 1_000_000 }), 3);
    assert.deepEqual(prices.priceOf('openai', 'my-finetune'), { input: 3, output: 6 });
    assert.equal(prices.imageCost('openai', 'dall-e-3', '1024x1024', 'standard', 2), 0.08);
  });

  it('knows which provider a model id belongs to', () => {
    assert.equal(inferProvider('gpt-4o-mini'), 'openai');
    assert.equal(inferProvider('o3-mini'), 'openai');
    assert.equal(inferProvider('claude-3-opus-20240229'), 'anthropic');
    assert.equal(inferProvider('qwen.gguf'), 'llamacpp');
    assert.equal(inferProvider('llama3.2'), undefined);
  });
});
