import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { TINY_PNG_BASE64 } from '../fakes/common.js';
import { SkynetteError } from '../../src/util/errors.js';
import { normalizeOllamaHost } from '../../src/ai/providers/ollama.js';
import { collect, testGateway, type TestGateway } from './helpers.js';
import type { ChatResult } from '../../src/ai/gateway.js';

let ollama: FakeOllama;
let lmstudio: FakeOpenAi;
let t: TestGateway;

before(async () => {
  ollama = await startFakeOllama();
  lmstudio = await startFakeOpenAi({ apiKey: null, models: ['qwen2.5-7b-instruct', 'text-embedding-nomic-embed-text-v1.5'] });
  t = await testGateway({ env: { OLLAMA_HOST: ollama.url.replace('http://', ''), LMSTUDIO_BASE_URL: lmstudio.baseUrl } });
});
after(async () => {
  await t.close();
  await ollama.close();
  await lmstudio.close();
});
beforeEach(() => {
  ollama.server.requests.length = 0;
  lmstudio.server.requests.length = 0;
  ollama.faults.clear();
  ollama.respond = (body) => ({ text: `ollama says: ${[...body.messages].reverse().find((m: any) => m.role === 'user').content}` });
});

describe('ollama provider (native API)', () => {
  it('reads OLLAMA_HOST with or without a scheme or port', () => {
    assert.equal(normalizeOllamaHost(undefined), 'http://localhost:11434');
    assert.equal(normalizeOllamaHost('0.0.0.0'), 'http://0.0.0.0:11434');
    assert.equal(normalizeOllamaHost('127.0.0.1:8080'), 'http://127.0.0.1:8080');
    assert.equal(normalizeOllamaHost('https://ollama.example.com/'), 'https://ollama.example.com');
  });

  it('picks the first chat model it has, and chats without streaming', async () => {
    const reply = await t.gateway.chat({ messages: [{ role: 'user', content: 'hi' }], provider: 'ollama', temperature: 0.1, max_tokens: 20 });
    assert.equal(reply.model, 'llama3.2:latest');
    assert.equal(reply.text, 'ollama says: hi');
    assert.equal(reply.cost_usd, 0);
    assert.deepEqual(
      ollama.server.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /api/tags', 'POST /api/chat'],
    );
    const body = ollama.server.last().json();
    assert.equal(body.stream, false);
    assert.deepEqual(body.options, { temperature: 0.1, num_predict: 20 });
    assert.equal(ollama.server.last().headers.authorization, undefined);
  });

  it('streams newline-delimited JSON', async () => {
    const events = await collect(t.gateway.stream({ messages: [{ role: 'user', content: 'count to three' }], provider: 'ollama' }));
    const done = (events.at(-1) as { done: ChatResult }).done;
    assert.equal(events.filter((e) => 'delta' in e).length, 5);
    assert.equal(done.text, 'ollama says: count to three');
    assert.equal(done.usage.output_tokens, 5);
    assert.equal(ollama.server.last().json().stream, true);
  });

  it('passes a JSON schema as format, images as base64, tools with object arguments', async () => {
    ollama.respond = () => ({ text: '{"ok": true}' });
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    const json = await t.gateway.chat({ messages: [{ role: 'user', content: 'json' }], provider: 'ollama', json_schema: schema });
    assert.deepEqual(json.data, { ok: true });
    assert.deepEqual(ollama.server.last().json().format, schema);

    ollama.respond = () => ({ text: 'a dot' });
    await t.gateway.chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what?' }, { type: 'image', data_base64: TINY_PNG_BASE64 }] }], provider: 'ollama' });
    assert.deepEqual(ollama.server.last().json().messages[0], { role: 'user', content: 'what?', images: [TINY_PNG_BASE64] });

    ollama.respond = (body) => (body.messages.at(-1).role === 'tool' ? { text: 'done' } : { tool_calls: [{ name: 'add', arguments: { a: 1, b: 2 } }] });
    const tools = [{ name: 'add', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } } }];
    const call = await t.gateway.chat({ messages: [{ role: 'user', content: 'add' }], provider: 'ollama', tools });
    assert.deepEqual(call.tool_calls?.[0].arguments, { a: 1, b: 2 });
    await t.gateway.chat({
      messages: [{ role: 'user', content: 'add' }, { role: 'assistant', content: '', tool_calls: call.tool_calls }, { role: 'tool', tool_call_id: call.tool_calls![0].id, content: '3' }],
      provider: 'ollama',
      tools,
    });
    const sent = ollama.server.last().json().messages;
    assert.deepEqual(sent[1].tool_calls, [{ function: { name: 'add', arguments: { a: 1, b: 2 } } }]);
    assert.equal(sent[2].tool_name, 'add');
  });

  it('embeds with /api/embed and completes with /api/generate', async () => {
    const embedded = await t.gateway.embed({ texts: ['a', 'b', 'c'], provider: 'ollama' });
    assert.equal(embedded.model, 'nomic-embed-text:latest');
    assert.equal(embedded.vectors.length, 3);
    assert.equal(embedded.dimensions, 6);
    assert.deepEqual(ollama.server.last().json(), { model: 'nomic-embed-text:latest', input: ['a', 'b', 'c'] });

    ollama.respond = (body) => ({ text: `${body.prompt} continued` });
    const completion = await t.gateway.complete({ prompt: 'Once upon a time', provider: 'ollama' });
    assert.equal(completion.text, 'Once upon a time continued');
    assert.equal(ollama.server.last().path, '/api/generate');
    assert.equal(ollama.server.last().json().raw, true);
  });

  it('turns its error body, a malformed stream and a stream without done into clear errors', async () => {
    await assert.rejects(t.gateway.chat({ messages: [{ role: 'user', content: 'x' }], provider: 'ollama', model: 'mistral' }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_MODEL_NOT_FOUND');
      assert.match(error.message, /model "mistral" not found, try pulling it first/);
      return true;
    });
    ollama.faults.push({ kind: 'malformed' });
    await assert.rejects(t.gateway.chat({ messages: [{ role: 'user', content: 'x' }], provider: 'ollama', model: 'llama3.2' }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_BAD_RESPONSE');
      return true;
    });
    ollama.faults.push({ kind: 'truncate' });
    await assert.rejects(collect(t.gateway.stream({ messages: [{ role: 'user', content: 'x' }], provider: 'ollama', model: 'llama3.2' })), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_STREAM_TRUNCATED');
      return true;
    });
  });
});

describe('lmstudio provider (OpenAI-compatible, through the openai SDK)', () => {
  it('uses the first loaded model and a placeholder key', async () => {
    const reply = await t.gateway.chat({ messages: [{ role: 'user', content: 'hello' }], provider: 'lmstudio', max_tokens: 10 });
    assert.equal(reply.model, 'qwen2.5-7b-instruct');
    assert.equal(reply.cost_usd, 0);
    const request = lmstudio.server.last();
    assert.equal(request.headers.authorization, 'Bearer lm-studio');
    assert.equal(request.json().max_tokens, 10);
    assert.deepEqual(lmstudio.server.requests.map((r) => r.path), ['/v1/models', '/v1/chat/completions']);
  });

  it('embeds with float vectors and its embedding model', async () => {
    const result = await t.gateway.embed({ texts: ['x'], provider: 'lmstudio' });
    assert.equal(result.model, 'text-embedding-nomic-embed-text-v1.5');
    assert.equal(lmstudio.server.last().json().encoding_format, 'float');
  });

  it('writes code through CODE_GENERATION', async () => {
    const reply = await t.gateway.chat({ messages: [{ role: 'user', content: 'fizzbuzz' }], capability: 'CODE_GENERATION', provider: 'lmstudio' });
    assert.equal(reply.provider, 'lmstudio');
  });
});
