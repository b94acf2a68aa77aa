import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { TINY_PNG_BASE64, fakeVector } from '../fakes/common.js';
import { SkynetteError } from '../../src/util/errors.js';
import { collect, testGateway, type TestGateway } from './helpers.js';
import type { ChatResult } from '../../src/ai/gateway.js';

let fake: FakeOpenAi;
let t: TestGateway;

before(async () => {
  fake = await startFakeOpenAi();
  t = await testGateway({ env: { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: fake.baseUrl } });
});
after(async () => {
  await t.close();
  await fake.close();
});
beforeEach(() => {
  fake.server.requests.length = 0;
  fake.faults.clear();
  fake.respond = (body) => ({ text: `reply to: ${body.messages.at(-1).content}` });
});

describe('openai provider (official SDK against the protocol server)', () => {
  it('sends a chat completion with the key, model, messages and options', async () => {
    const reply = await t.gateway.chat({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      provider: 'openai',
      model: 'gpt-4o',
      max_tokens: 50,
      temperature: 0.3,
    });
    assert.equal(reply.text, 'reply to: Hi');
    assert.equal(reply.model, 'gpt-4o');
    const request = fake.server.last();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/chat/completions');
    assert.equal(request.headers.authorization, 'Bearer sk-test-openai');
    const body = request.json();
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.equal(body.max_completion_tokens, 50);
    assert.equal(body.temperature, 0.3);
    // gpt-4o: $2.50 in, $10 out per million tokens
    assert.equal(reply.cost_usd, Math.round(((reply.usage.input_tokens * 2.5 + reply.usage.output_tokens * 10) / 1e6) * 1e8) / 1e8);
  });

  it('asks for JSON with a schema and returns the parsed data', async () => {
    fake.respond = () => ({ text: '{"name": "Ada", "age": 36}' });
    const schema = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'] };
    const reply = await t.gateway.chat({ messages: [{ role: 'user', content: 'who?' }], json_schema: schema });
    assert.deepEqual(reply.data, { name: 'Ada', age: 36 });
    assert.deepEqual(fake.server.last().json().response_format, { type: 'json_schema', json_schema: { name: 'output', schema, strict: false } });

    fake.respond = () => ({ text: '{"name": "Ada"}' });
    const invalid = await t.gateway.chat({ messages: [{ role: 'user', content: 'who?' }], json_schema: schema });
    assert.equal(invalid.data, undefined);
    assert.match(invalid.json_error!, /age: required/);
  });

  it('calls tools and sends tool results back in the documented shape', async () => {
    fake.respond = (body) =>
      body.messages.at(-1).role === 'tool' ? { text: `It is ${JSON.parse(body.messages.at(-1).content).temp} degrees` } : { tool_calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] };
    const tools = [{ name: 'weather', description: 'current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }];
    const first = await t.gateway.chat({ messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools });
    assert.equal(first.tool_calls?.length, 1);
    assert.equal(first.tool_calls![0].name, 'weather');
    assert.deepEqual(first.tool_calls![0].arguments, { city: 'Oslo' });
    assert.equal(fake.server.last().json().tools[0].function.name, 'weather');
    const second = await t.gateway.chat({
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: '', tool_calls: first.tool_calls },
        { role: 'tool', tool_call_id: first.tool_calls![0].id, content: '{"temp": 4}' },
      ],
      tools,
    });
    assert.equal(second.text, 'It is 4 degrees');
    const sent = fake.server.last().json().messages;
    assert.equal(sent[1].tool_calls[0].function.arguments, '{"city":"Oslo"}');
    assert.equal(sent[2].tool_call_id, first.tool_calls![0].id);
  });

  it('streams tool calls assembled from their fragments', async () => {
    fake.respond = () => ({ tool_calls: [{ name: 'lookup', arguments: { id: 42, tags: ['a', 'b'] } }] });
    const events = await collect(t.gateway.stream({ messages: [{ role: 'user', content: 'look it up' }], tools: [{ name: 'lookup', parameters: { type: 'object', properties: {} } }] }));
    const done = (events.at(-1) as { done: ChatResult }).done;
    assert.deepEqual(done.tool_calls?.[0].arguments, { id: 42, tags: ['a', 'b'] });
    assert.equal(done.finish_reason, 'tool_calls');
    assert.deepEqual(fake.server.last().json().stream_options, { include_usage: true });
  });

  it('sends an image as an image_url part', async () => {
    await t.gateway.chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', data_base64: TINY_PNG_BASE64, media_type: 'image/png' }] }] });
    const content = fake.server.last().json().messages[0].content;
    assert.equal(content[0].text, 'What is this?');
    assert.equal(content[1].image_url.url, `data:image/png;base64,${TINY_PNG_BASE64}`);
  });

  it('embeds texts (base64 on the wire, decoded to numbers)', async () => {
    const result = await t.gateway.embed({ texts: ['alpha', 'beta'] });
    assert.equal(result.provider, 'openai');
    assert.equal(result.model, 'text-embedding-3-small');
    assert.equal(result.dimensions, 8);
    const expected = fakeVector('beta', 8);
    result.vectors[1].forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
    const body = fake.server.last().json();
    assert.equal(fake.server.last().path, '/v1/embeddings');
    assert.deepEqual(body.input, ['alpha', 'beta']);
    assert.equal(body.encoding_format, 'base64');
  });

  it('generates an image as base64 PNG data and prices it', async () => {
    const result = await t.gateway.generateImage({ prompt: 'a red square', size: '1024x1792', quality: 'hd' });
    assert.equal(result.provider, 'openai');
    assert.equal(result.model, 'dall-e-3');
    assert.equal(result.images[0].data_base64, TINY_PNG_BASE64);
    assert.equal(result.images[0].revised_prompt, 'A picture of a red square');
    assert.equal(result.cost_usd, 0.12);
    const body = fake.server.last().json();
    assert.deepEqual(body, { model: 'dall-e-3', prompt: 'a red square', n: 1, size: '1024x1792', quality: 'hd', response_format: 'b64_json' });
  });

  it('lists models', async () => {
    const lists = await t.gateway.listModels();
    const openai = lists.find((l) => l.provider === 'openai')!;
    assert.ok(openai.models.some((m) => m.id === 'gpt-4o'));
    assert.equal(fake.server.last().headers.authorization, 'Bearer sk-test-openai');
  });

  it('turns a wrong key into an auth error that says how to fix it', async () => {
    const wrong = await testGateway({ env: { OPENAI_API_KEY: 'sk-wrong', OPENAI_BASE_URL: fake.baseUrl } });
    try {
      await assert.rejects(wrong.gateway.chat({ messages: [{ role: 'user', content: 'x' }], provider: 'openai' }), (error: SkynetteError) => {
        assert.equal(error.code, 'AI_AUTH_FAILED');
        assert.match(error.message, /HTTP 401: Incorrect API key/);
        assert.match(error.message, /OPENAI_API_KEY/);
        assert.doesNotMatch(error.message, /sk-wrong/);
        return true;
      });
    } finally {
      await wrong.close();
    }
  });

  it('cuts a non-streaming reply that ends early into a clear error', async () => {
    fake.faults.push({ kind: 'truncate' });
    await assert.rejects(t.gateway.chat({ messages: [{ role: 'user', content: 'x' }], provider: 'openai' }), (error: SkynetteError) => {
      assert.ok(['AI_NETWORK', 'AI_BAD_RESPONSE'].includes(error.code), error.code);
      return true;
    });
  });

  it('honours the caller cancelling a call', async () => {
    fake.faults.push({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(t.gateway.chat({ messages: [{ role: 'user', content: 'x' }], signal: controller.signal }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_CANCELLED');
      return true;
    });
  });
});
