import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/openai-server.js';
import { TINY_PNG_BASE64 } from '../../fakes/common.js';
import { testGateway, type TestGateway } from '../../ai/helpers.js';
import { nodeContext } from '../../helpers/node-context.js';
import { startTestServer } from '../../helpers/http-server.js';
import { setGateway } from '../../../src/ai/gateway.js';
import { aiNodes } from '../../../src/nodes/ai/index.js';
import type { RegisteredNode } from '../../../src/nodes/sdk.js';
import { SkynetteError } from '../../../src/util/errors.js';

let fake: FakeOpenAi;
let t: TestGateway;

const node = (type: string): RegisteredNode => aiNodes.find((n) => n.type === type)!;

before(async () => {
  fake = await startFakeOpenAi();
  t = await testGateway({ database: true, env: { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: fake.baseUrl } });
  setGateway(t.gateway);
});
after(async () => {
  setGateway(undefined);
  await t.close();
  await fake.close();
});
beforeEach(() => {
  fake.server.requests.length = 0;
  fake.faults.clear();
  fake.respond = (body) => ({ text: `reply to: ${body.messages.at(-1).content}` });
});

async function run(type: string, config: Record<string, unknown>, input: unknown = {}) {
  const ctx = nodeContext(node(type), config, input);
  const output = (await node(type).run(ctx)) as Record<string, any>;
  return { output, ctx };
}

async function runFailure(type: string, config: Record<string, unknown>): Promise<SkynetteError> {
  try {
    await run(type, config);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, String(error));
    return error;
  }
  assert.fail('expected the node to fail');
}

describe('the AI node set', () => {
  it('has the original type ids, category ai, and described fields', () => {
    assert.deepEqual(aiNodes.map((n) => n.type), [
      'ai-text-generation',
      'ai-chat',
      'ai-summarize',
      'ai-extract',
      'ai-classify',
      'ai-embeddings',
      'ai-image-generation',
      'ai-image-analysis',
      'ai-code-generation',
      'ai-agent',
    ]);
    for (const n of aiNodes) {
      assert.equal(n.category, 'ai');
      assert.ok(n.description.length > 20);
    }
  });
});

describe('ai-text-generation', () => {
  it('returns text, provider, model and usage, and records where the call came from', async () => {
    const { output } = await run('ai-text-generation', { prompt: 'Write a haiku', system_prompt: 'You are a poet', max_tokens: 60 });
    assert.equal(output.text, 'reply to: Write a haiku');
    assert.equal(output.provider, 'openai');
    assert.equal(output.model, 'gpt-4o-mini');
    assert.ok(output.usage.input_tokens > 0 && output.usage.cost_usd > 0);
    const body = fake.server.last().json();
    assert.deepEqual(body.messages[0], { role: 'system', content: 'You are a poet' });
    assert.equal(body.max_completion_tokens, 60);
    const [row] = await t.gateway.usage.recent({ limit: 1 });
    assert.deepEqual([row.workflow_id, row.execution_id, row.node_id], ['wf_test', 'exec_test', 'test_node']);
  });

  it('fails with a clear error on an empty prompt, and on an unknown model', async () => {
    const empty = await runFailure('ai-text-generation', { prompt: '   ' });
    assert.equal(empty.code, 'AI_EMPTY_PROMPT');
    const unknown = await runFailure('ai-text-generation', { prompt: 'hi', provider: 'openai', model: 'gpt-0' });
    assert.equal(unknown.code, 'AI_MODEL_NOT_FOUND');
  });
});

describe('ai-summarize', () => {
  it('asks for the style and length, and bounds the reply', async () => {
    fake.respond = () => ({ text: '- point one\n- point two' });
    const { output } = await run('ai-summarize', { text: 'A long report. '.repeat(50), style: 'bullets', max_length: 40 });
    assert.equal(output.summary, '- point one\n- point two');
    assert.equal(output.style, 'bullets');
    const body = fake.server.last().json();
    assert.match(body.messages[0].content, /bullet points/);
    assert.match(body.messages[0].content, /at most 40 words/);
    assert.equal(body.max_completion_tokens, 144);
  });
});

describe('ai-extract', () => {
  it('extracts fields into validated data', async () => {
    fake.respond = () => ({ text: '{"name": "Ada Lovelace", "year": 1843}' });
    const { output } = await run('ai-extract', { text: 'Ada Lovelace published her notes in 1843.', fields: { name: 'string', year: 'integer' } });
    assert.deepEqual(output.data, { name: 'Ada Lovelace', year: 1843 });
    assert.equal(output.retried, false);
    const schema = fake.server.last().json().response_format.json_schema.schema;
    assert.deepEqual(schema.required, ['name', 'year']);
  });

  it('retries once with the validation error', async () => {
    let calls = 0;
    fake.respond = () => ({ text: ++calls === 1 ? '{"name": "Ada"}' : '{"name": "Ada", "year": "1843"}' });
    const { output, ctx } = await run('ai-extract', { text: 'Ada, 1843', fields: ['name', 'year'] });
    assert.equal(output.retried, true);
    assert.deepEqual(output.data, { name: 'Ada', year: '1843' });
    const retry = fake.server.last().json().messages;
    assert.equal(retry.at(-2).role, 'assistant');
    assert.match(retry.at(-1).content, /not valid: .*year: required/);
    assert.ok(ctx.logs.some((l) => l.level === 'warn' && /asking once more/.test(l.message)));
    assert.ok(output.usage.input_tokens > 0);
  });

  it('fails after a second invalid reply, and without fields or schema', async () => {
    fake.respond = () => ({ text: 'Sorry, I cannot do that.' });
    const invalid = await runFailure('ai-extract', { text: 'x', fields: ['name'] });
    assert.equal(invalid.code, 'AI_INVALID_REPLY');
    assert.match(invalid.message, /after one retry/);
    const none = await runFailure('ai-extract', { text: 'x' });
    assert.equal(none.code, 'INVALID_CONFIG');
  });
});

describe('ai-classify', () => {
  it('picks one category with a confidence', async () => {
    fake.respond = () => ({ text: '{"category": "billing", "confidence": 0.9}' });
    const { output } = await run('ai-classify', { text: 'I was charged twice', categories: 'billing, bug, feature' });
    assert.equal(output.category, 'billing');
    assert.equal(output.confidence, 0.9);
    const schema = fake.server.last().json().response_format.json_schema.schema;
    assert.deepEqual(schema.properties.category.enum, ['billing', 'bug', 'feature']);
  });

  it('allows several labels, and retries a category that is not in the list', async () => {
    let calls = 0;
    fake.respond = () => ({ text: ++calls === 1 ? '{"labels": [{"category": "urgent!", "confidence": 1}]}' : '{"labels": [{"category": "bug", "confidence": 0.8}, {"category": "urgent", "confidence": 0.6}]}' });
    const { output } = await run('ai-classify', { text: 'Crash on start!', categories: ['bug', 'urgent', 'praise'], multi_label: true });
    assert.deepEqual(output.categories, ['bug', 'urgent']);
    assert.deepEqual(output.scores, { bug: 0.8, urgent: 0.6 });
    assert.equal(output.retried, true);
  });

  it('needs two categories', async () => {
    const error = await runFailure('ai-classify', { text: 'x', categories: ['only'] });
    assert.equal(error.code, 'INVALID_CONFIG');
  });
});

describe('ai-embeddings', () => {
  it('embeds one text or a list', async () => {
    const one = await run('ai-embeddings', { text: 'hello' });
    assert.equal(one.output.vector.length, 8);
    assert.equal(one.output.dimensions, 8);
    const many = await run('ai-embeddings', { texts: ['a', 'b', 'c'] });
    assert.equal(many.output.vectors.length, 3);
    assert.equal(many.output.count, 3);
    const bad = await runFailure('ai-embeddings', { texts: ['a', 3] });
    assert.equal(bad.path, 'config.texts');
  });
});

describe('ai-image-generation', () => {
  it('saves the image as a file of the execution and returns a reference', async () => {
    const { output, ctx } = await run('ai-image-generation', { prompt: 'a fox', size: '1024x1024' });
    const image = output.image;
    assert.equal(image.content_type, 'image/png');
    assert.ok(image.path.startsWith(ctx.dataDir));
    assert.ok(existsSync(image.path));
    assert.deepEqual(readFileSync(image.path), Buffer.from(TINY_PNG_BASE64, 'base64'));
    assert.equal(image.size, Buffer.from(TINY_PNG_BASE64, 'base64').length);
    assert.equal(image.data_base64, undefined);
    assert.equal(output.usage.cost_usd, 0.04);
  });

  it('asks DALL-E 3 once per image when several are wanted', async () => {
    const { output } = await run('ai-image-generation', { prompt: 'two foxes', n: 2, include_base64: true });
    assert.equal(output.images.length, 2);
    assert.notEqual(output.images[0].path, output.images[1].path);
    assert.equal(output.images[1].data_base64, TINY_PNG_BASE64);
    assert.deepEqual(fake.bodies('/v1/images/generations').map((b) => b.n), [1, 1]);
    assert.equal(output.usage.cost_usd, 0.08);
  });
});

describe('ai-image-analysis', () => {
  it('sends an image file to a vision model', async () => {
    const { ctx } = await run('ai-text-generation', { prompt: 'warm up' });
    const file = join(ctx.dataDir, 'dot.png');
    writeFileSync(file, Buffer.from(TINY_PNG_BASE64, 'base64'));
    fake.respond = () => ({ text: 'A single transparent pixel.' });
    const { output } = await run('ai-image-analysis', { image: file, prompt: 'What is it?' });
    assert.equal(output.text, 'A single transparent pixel.');
    const content = fake.server.last().json().messages[0].content;
    assert.equal(content[1].image_url.url, `data:image/png;base64,${TINY_PNG_BASE64}`);
    const fromObject = await run('ai-image-analysis', { image: { data_base64: TINY_PNG_BASE64, content_type: 'image/png' } });
    assert.equal(fromObject.output.provider, 'openai');
  });

  it('downloads an image given by URL', async () => {
    const images = await startTestServer();
    try {
      images.on('GET', '/dot.png', { headers: { 'content-type': 'image/png' }, body: Buffer.from(TINY_PNG_BASE64, 'base64') });
      await run('ai-image-analysis', { image: `${images.url}/dot.png` });
      assert.equal(fake.server.last().json().messages[0].content[1].image_url.url, `data:image/png;base64,${TINY_PNG_BASE64}`);
      const missing = await runFailure('ai-image-analysis', { image: `${images.url}/nothing.png` });
      assert.equal(missing.code, 'AI_BAD_IMAGE');
      assert.match(missing.message, /could not download the image: .*404/);
    } finally {
      await images.close();
    }
  });

  it('explains an input that is not an image', async () => {
    const missing = await runFailure('ai-image-analysis', { image: '/nonexistent/picture.png' });
    assert.equal(missing.code, 'AI_BAD_IMAGE');
    assert.match(missing.message, /no image file/);
    const text = await runFailure('ai-image-analysis', { image: { data_base64: Buffer.from('hello').toString('base64') } });
    assert.match(text.message, /not a PNG, JPEG, GIF or WebP/);
  });
});

describe('ai-code-generation', () => {
  it('takes the code out of the fenced block', async () => {
    fake.respond = () => ({ text: 'Here it is:\n```python\ndef is_palindrome(s):\n    return s == s[::-1]\n```\nSimple.' });
    const { output } = await run('ai-code-generation', { description: 'palindrome check', language: 'python' });
    assert.equal(output.code, 'def is_palindrome(s):\n    return s == s[::-1]');
    assert.equal(output.language, 'python');
    assert.match(fake.server.last().json().messages[0].content, /expert python programmer/);
  });
});

describe('ai-chat', () => {
  it('forgets a conversation with clear and no message, and refuses an empty message otherwise', async () => {
    await run('ai-chat', { message: 'remember me', conversation_id: 'u1' });
    const cleared = await run('ai-chat', { conversation_id: 'u1', clear: true });
    assert.equal(cleared.output.cleared_messages, 2);
    const error = await runFailure('ai-chat', { conversation_id: 'u1', message: '' });
    assert.equal(error.code, 'AI_EMPTY_PROMPT');
  });

  it('keeps the window size', async () => {
    for (const message of ['m1', 'm2', 'm3']) await run('ai-chat', { message, conversation_id: 'u2', window_size: 2 });
    const sent = fake.server.last().json().messages;
    assert.deepEqual(sent.map((m: any) => m.content), ['m2', 'reply to: m2', 'm3']);
  });
});

describe('budget warnings in the node log', () => {
  it('writes the 80% warning to the execution', async () => {
    await t.gateway.setPriceOverrides({ 'gpt-4o-mini': { input: 100_000, output: 0 } });
    // Each call now costs $0.40; the budget leaves room for one call before the 80% mark.
    const spent = await t.gateway.usage.spentSince('1970-01-01T00:00:00.000Z');
    await t.gateway.setBudgets([{ scope: 'total', period: 'month', limit_usd: spent + 0.45 }]);
    try {
      await run('ai-text-generation', { prompt: 'hello' });
      const { ctx } = await run('ai-text-generation', { prompt: 'hello' });
      assert.ok(ctx.logs.some((l) => l.level === 'warn' && /% of the monthly total budget/.test(l.message)), JSON.stringify(ctx.logs));
      const refused = await runFailure('ai-text-generation', { prompt: 'hello' });
      assert.equal(refused.code, 'AI_BUDGET_EXCEEDED');
    } finally {
      await t.gateway.setBudgets([]);
      await t.gateway.setPriceOverrides({});
    }
  });
});
