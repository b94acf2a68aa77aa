import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAbortingGguf, writeTinyGguf } from '../fixtures/tiny-gguf.js';
import { SkynetteError } from '../../src/util/errors.js';
import { collect, testGateway, type TestGateway } from './helpers.js';
import { projectRoot } from '../helpers/cli.js';
import type { ChatResult } from '../../src/ai/gateway.js';

let t: TestGateway;
const COUNT = 'one two three four five six seven eight nine ten';

before(async () => {
  t = await testGateway({ settings: { providers: { llamacpp: { context_size: 512, threads: 1, gpu: false } } } });
  const models = join(t.dir, 'models');
  mkdirSync(models, { recursive: true });
  writeTinyGguf(join(models, 'tiny.gguf'));
  writeAbortingGguf(join(models, 'broken.gguf'));
  writeFileSync(join(models, 'garbage.gguf'), 'this is not a model file at all');
});
after(async () => {
  await t.close();
});

const llama = { provider: 'llamacpp', model: 'tiny' };

describe('llamacpp provider on a tiny generated GGUF', () => {
  it('chats through the model\'s chat template', async () => {
    const reply = await t.gateway.chat({ ...llama, messages: [{ role: 'system', content: 'Count.' }, { role: 'user', content: 'go' }] });
    assert.equal(reply.text, COUNT);
    assert.equal(reply.provider, 'llamacpp');
    assert.equal(reply.cost_usd, 0);
    assert.ok(reply.usage.input_tokens > 0);
    assert.ok(reply.usage.output_tokens >= 10);
  });

  it('completes plain text without a template', async () => {
    const reply = await t.gateway.complete({ ...llama, prompt: 'three' });
    assert.equal(reply.text, 'four five six seven eight nine ten');
  });

  it('streams tokens as they are generated', async () => {
    const events = await collect(t.gateway.stream({ ...llama, messages: [{ role: 'user', content: 'go' }] }));
    const deltas = events.filter((e) => 'delta' in e).map((e) => (e as { delta: string }).delta);
    assert.ok(deltas.length >= 10);
    assert.equal(deltas.join(''), COUNT);
    assert.equal((events.at(-1) as { done: ChatResult }).done.text, COUNT);
  });

  it('keeps to a JSON schema with a grammar', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' }, n: { enum: ['one', 'two'] } }, required: ['ok', 'n'] };
    const reply = await t.gateway.chat({ ...llama, messages: [{ role: 'user', content: 'json' }], json_schema: schema });
    assert.equal(reply.json_error, undefined);
    const data = reply.data as { ok: unknown; n: unknown };
    assert.equal(typeof data.ok, 'boolean');
    assert.ok(['one', 'two'].includes(data.n as string));
  });

  it('embeds texts into 64-dimensional vectors, the same text the same way', async () => {
    const result = await t.gateway.embed({ ...llama, texts: ['one two', 'three', 'one two'] });
    assert.equal(result.dimensions, 64);
    assert.equal(result.vectors.length, 3);
    assert.deepEqual(result.vectors[0], result.vectors[2]);
    assert.notDeepEqual(result.vectors[0], result.vectors[1]);
  });

  it('refuses a prompt the context cannot hold', async () => {
    await assert.rejects(t.gateway.chat({ ...llama, messages: [{ role: 'user', content: 'x'.repeat(3000) }] }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_CONTEXT_TOO_LONG');
      assert.match(error.message, /context holds 512/);
      return true;
    });
  });

  it('survives a GGUF that makes llama.cpp abort, and keeps serving', async () => {
    await assert.rejects(t.gateway.chat({ provider: 'llamacpp', model: 'broken', messages: [{ role: 'user', content: 'go' }] }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_MODEL_LOAD_FAILED');
      assert.match(error.message, /local model process .*(SIGABRT|exited)/);
      assert.match(error.message, /GGML_ASSERT/);
      return true;
    });
    assert.equal((await t.gateway.chat({ ...llama, messages: [{ role: 'user', content: 'again' }] })).text, COUNT);
  });

  it('reports a file that is not a GGUF model', async () => {
    await assert.rejects(t.gateway.chat({ provider: 'llamacpp', model: 'garbage', messages: [{ role: 'user', content: 'go' }] }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_MODEL_LOAD_FAILED');
      assert.match(error.message, /garbage/);
      return true;
    });
  });

  it('lists the model files and names them when a model is missing', async () => {
    const list = (await t.gateway.listModels()).find((l) => l.provider === 'llamacpp')!;
    assert.deepEqual(list.models.map((m) => m.id), ['broken', 'garbage', 'tiny']);
    assert.ok(list.models.find((m) => m.id === 'tiny')!.size_bytes! > 100_000);
    await assert.rejects(t.gateway.chat({ provider: 'llamacpp', model: 'llama-70b', messages: [{ role: 'user', content: 'go' }] }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_MODEL_NOT_FOUND');
      assert.match(error.message, /there: broken, garbage, tiny/);
      return true;
    });
  });

  it('times out instead of hanging', async () => {
    await assert.rejects(t.gateway.chat({ ...llama, messages: [{ role: 'user', content: 'go' }], timeout_ms: 1, fallback: false }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_TIMEOUT');
      return true;
    });
    assert.equal((await t.gateway.chat({ ...llama, messages: [{ role: 'user', content: 'go' }] })).text, COUNT);
  });

  it('does not keep a process alive once the model is idle', () => {
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/ai/llamacpp-exit.ts'), join(t.dir, 'models')], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH, HOME: t.dir },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), COUNT);
    assert.ok(Date.now() - started < 45_000);
  });
});
