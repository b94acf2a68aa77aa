import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-server.js';
import { TINY_PNG_BASE64 } from '../fakes/common.js';
import { SkynetteError } from '../../src/util/errors.js';
import { toAnthropicMessages } from '../../src/ai/providers/anthropic.js';
import { collect, testGateway, type TestGateway } from './helpers.js';
import type { ChatResult } from '../../src/ai/gateway.js';

let fake: FakeAnthropic;
let t: TestGateway;

before(async () => {
  fake = await startFakeAnthropic();
  t = await testGateway({ env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.baseUrl } });
});
after(async () => {
  await t.close();
  await fake.close();
});
beforeEach(() => {
  fake.server.requests.length = 0;
  fake.faults.clear();
  fake.respond = (body) => ({ text: `claude says: ${typeof body.messages.at(-1).content === 'string' ? body.messages.at(-1).content : body.messages.at(-1).content[0].text}` });
});

describe('anthropic provider (official SDK against the protocol server)', () => {
  it('sends the key, the API version, the system prompt apart and max_tokens', async () => {
    const reply = await t.gateway.chat({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.5,
    });
    assert.equal(reply.provider, 'anthropic');
    assert.equal(reply.model, 'claude-sonnet-4-20250514');
    assert.equal(reply.text, 'claude says: Hello');
    const request = fake.server.last();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/messages');
    assert.equal(request.headers['x-api-key'], 'sk-ant-test');
    assert.ok(request.headers['anthropic-version']);
    const body = request.json();
    assert.equal(body.system, 'You are terse.');
    assert.equal(body.max_tokens, 4096);
    assert.equal(body.temperature, 0.5);
    assert.deepEqual(body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
  });

  it('joins consecutive turns of one role, as the API requires alternation', () => {
    const { messages } = toAnthropicMessages([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: 'c' },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
    ]);
  });

  it('uses tools: tool_use from the model, tool_result from us', async () => {
    fake.respond = (body) => {
      const last = body.messages.at(-1).content;
      const result = Array.isArray(last) && last.find((b: any) => b.type === 'tool_result');
      return result ? { text: `Result: ${result.content}` } : { text: 'Let me check.', tool_calls: [{ name: 'stock', arguments: { sku: 'A1' } }] };
    };
    const tools = [{ name: 'stock', description: 'stock level', parameters: { type: 'object', properties: { sku: { type: 'string' } } } }];
    const first = await t.gateway.chat({ messages: [{ role: 'user', content: 'Stock of A1?' }], tools });
    assert.equal(first.text, 'Let me check.');
    assert.deepEqual(first.tool_calls?.[0].arguments, { sku: 'A1' });
    assert.equal(fake.server.last().json().tools[0].input_schema.type, 'object');
    const second = await t.gateway.chat({
      messages: [
        { role: 'user', content: 'Stock of A1?' },
        { role: 'assistant', content: first.text, tool_calls: first.tool_calls },
        { role: 'tool', tool_call_id: first.tool_calls![0].id, content: '17 units' },
      ],
      tools,
    });
    assert.equal(second.text, 'Result: 17 units');
    const sent = fake.server.last().json().messages;
    assert.equal(sent[1].content[1].type, 'tool_use');
    assert.equal(sent[2].content[0].type, 'tool_result');
    assert.equal(sent[2].content[0].tool_use_id, first.tool_calls![0].id);
  });

  it('gets JSON through a forced tool whose schema is the one asked for', async () => {
    fake.respond = () => ({ text: '{"sentiment": "positive"}' });
    const schema = { type: 'object', properties: { sentiment: { type: 'string', enum: ['positive', 'negative'] } }, required: ['sentiment'] };
    const reply = await t.gateway.chat({ messages: [{ role: 'user', content: 'I love it' }], json_schema: schema });
    assert.deepEqual(reply.data, { sentiment: 'positive' });
    assert.equal(reply.tool_calls, undefined);
    const body = fake.server.last().json();
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'output' });
    assert.deepEqual(body.tools[0].input_schema, schema);

    const streamed = await collect(t.gateway.stream({ messages: [{ role: 'user', content: 'I love it' }], json_schema: schema }));
    assert.deepEqual((streamed.at(-1) as { done: ChatResult }).done.data, { sentiment: 'positive' });
  });

  it('streams server-sent events into deltas and a final result with usage', async () => {
    const events = await collect(t.gateway.stream({ messages: [{ role: 'user', content: 'tell me more' }] }));
    const text = events.filter((e) => 'delta' in e).map((e) => (e as { delta: string }).delta).join('');
    const done = (events.at(-1) as { done: ChatResult }).done;
    assert.equal(text, 'claude says: tell me more');
    assert.equal(done.text, text);
    assert.equal(done.finish_reason, 'end_turn');
    assert.ok(done.usage.input_tokens > 0 && done.usage.output_tokens === 5);
  });

  it('sends images as base64 image blocks', async () => {
    await t.gateway.chat({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe' }, { type: 'image', data_base64: TINY_PNG_BASE64, media_type: 'image/png' }] }] });
    const block = fake.server.last().json().messages[0].content[1];
    assert.deepEqual(block, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG_BASE64 } });
  });

  it('maps overloaded (529) to a server error, and a stream cut short to a truncation', async () => {
    fake.faults.push({ kind: 'status', status: 529 });
    await assert.rejects(t.gateway.chat({ messages: [{ role: 'user', content: 'x' }], provider: 'anthropic' }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_SERVER_ERROR');
      assert.match(error.message, /HTTP 529: Overloaded/);
      return true;
    });
    fake.faults.push({ kind: 'truncate' });
    await assert.rejects(collect(t.gateway.stream({ messages: [{ role: 'user', content: 'x' }], provider: 'anthropic' })), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_STREAM_TRUNCATED');
      return true;
    });
  });

  it('reports an unknown model as not found', async () => {
    await assert.rejects(t.gateway.chat({ messages: [{ role: 'user', content: 'x' }], provider: 'anthropic', model: 'claude-0' }), (error: SkynetteError) => {
      assert.equal(error.code, 'AI_MODEL_NOT_FOUND');
      return true;
    });
  });

  it('lists models', async () => {
    const list = (await t.gateway.listModels()).find((l) => l.provider === 'anthropic')!;
    assert.ok(list.models.some((m) => m.id === 'claude-3-opus-20240229'));
  });
});
