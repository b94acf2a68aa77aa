import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/anthropic-server.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server.js';
import { SkynetteError } from '../../src/util/errors.js';
import { closedUrl, collect, testGateway, type TestGateway } from './helpers.js';
import type { ChatResult, StreamEvent } from '../../src/ai/gateway.js';

let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let ollama: FakeOllama;
let t: TestGateway;

const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

before(async () => {
  [openai, anthropic, ollama] = await Promise.all([startFakeOpenAi(), startFakeAnthropic(), startFakeOllama()]);
  t = await testGateway({
    database: true,
    env: {
      OPENAI_API_KEY: 'sk-test-openai',
      OPENAI_BASE_URL: openai.baseUrl,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      OLLAMA_HOST: ollama.url,
    },
    settings: { general: { retry_after_max_ms: 1500 } as never, providers: { ollama: { model: 'llama3.2' } } },
  });
});
after(async () => {
  await t.close();
  await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
});
beforeEach(() => {
  for (const fake of [openai, anthropic, ollama]) {
    fake.server.requests.length = 0;
    fake.faults.clear();
  }
});

async function failure(promise: Promise<unknown>): Promise<SkynetteError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SkynetteError, `expected a SkynetteError, got ${error}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('fallback between providers', () => {
  it('answers with the first provider by priority when it works', async () => {
    const reply = await t.gateway.chat(ask);
    assert.equal(reply.provider, 'openai');
    assert.equal(reply.model, 'gpt-4o-mini');
    assert.equal(reply.text, 'reply to: hello');
    assert.deepEqual(reply.tried, []);
  });

  it('falls back on a 5xx and says what was tried', async () => {
    openai.faults.push({ kind: 'status', status: 500 });
    const reply = await t.gateway.chat(ask);
    assert.equal(reply.provider, 'anthropic');
    assert.equal(reply.text, 'claude says: hello');
    assert.equal(reply.tried.length, 1);
    assert.equal(reply.tried[0].provider, 'openai');
    assert.equal(reply.tried[0].code, 'AI_SERVER_ERROR');
    assert.match(reply.tried[0].error, /HTTP 500/);
  });

  it('falls back on an auth error', async () => {
    openai.faults.push({ kind: 'status', status: 401, message: 'Incorrect API key provided' });
    const reply = await t.gateway.chat(ask);
    assert.equal(reply.provider, 'anthropic');
    assert.equal(reply.tried[0].code, 'AI_AUTH_FAILED');
    assert.match(reply.tried[0].error, /Incorrect API key/);
  });

  it('falls back on a network error (nothing listening)', async () => {
    const lmstudio = await startFakeOpenAi({ apiKey: null, models: ['qwen2.5-7b-instruct'] });
    const local = await testGateway({ env: { OLLAMA_HOST: await closedUrl(), LMSTUDIO_BASE_URL: lmstudio.baseUrl }, settings: { providers: { ollama: { model: 'llama3.2' } } } });
    try {
      const reply = await local.gateway.chat(ask);
      assert.equal(reply.provider, 'lmstudio');
      // Providers without a key were not attempted: they are not reported as tried.
      assert.deepEqual(reply.tried.map((x) => x.provider), ['ollama']);
      const ollamaTry = reply.tried.find((x) => x.provider === 'ollama');
      assert.equal(ollamaTry?.code, 'AI_NETWORK');
      assert.match(ollamaTry!.error, /cannot reach Ollama.*connection refused|ECONNREFUSED/i);
    } finally {
      await local.close();
      await lmstudio.close();
    }
  });

  it('falls back on a timeout without waiting past timeout_ms', async () => {
    openai.faults.push({ kind: 'hang' });
    const started = Date.now();
    const reply = await t.gateway.chat({ ...ask, timeout_ms: 400 });
    assert.equal(reply.provider, 'anthropic');
    assert.equal(reply.tried[0].code, 'AI_TIMEOUT');
    assert.ok(Date.now() - started < 3000);
  });

  it('falls back on malformed JSON and on an HTML error page', async () => {
    openai.faults.push({ kind: 'malformed' });
    const malformed = await t.gateway.chat(ask);
    assert.equal(malformed.provider, 'anthropic');
    assert.equal(malformed.tried[0].code, 'AI_BAD_RESPONSE');

    openai.faults.push({ kind: 'html', status: 502 });
    const html = await t.gateway.chat(ask);
    assert.equal(html.provider, 'anthropic');
    assert.match(html.tried[0].error, /HTML page.*502 Bad Gateway/);
  });

  it('waits out a short Retry-After once on the same provider', async () => {
    openai.faults.push({ kind: 'status', status: 429, retryAfter: '0.2' });
    const started = Date.now();
    const reply = await t.gateway.chat(ask);
    assert.equal(reply.provider, 'openai');
    assert.ok(Date.now() - started >= 180, 'waited for Retry-After');
    assert.equal(openai.server.requests.length, 2);
  });

  it('falls back when the retry is rate limited again, or Retry-After is long', async () => {
    openai.faults.push({ kind: 'status', status: 429, retryAfter: '0.1' }, { times: 2 });
    const twice = await t.gateway.chat(ask);
    assert.equal(twice.provider, 'anthropic');
    assert.equal(twice.tried[0].code, 'AI_RATE_LIMITED');
    assert.equal(openai.server.requests.length, 2);

    openai.server.requests.length = 0;
    openai.faults.push({ kind: 'status', status: 429, retryAfter: '120' });
    const started = Date.now();
    const long = await t.gateway.chat(ask);
    assert.equal(long.provider, 'anthropic');
    assert.equal(openai.server.requests.length, 1, 'no retry when Retry-After is long');
    assert.ok(Date.now() - started < 2000);
  });

  it('does not fall back on a bad request', async () => {
    openai.faults.push({ kind: 'status', status: 400, message: "Invalid value for 'messages'" });
    const error = await failure(t.gateway.chat(ask));
    assert.equal(error.code, 'AI_BAD_REQUEST');
    assert.equal(anthropic.server.requests.length, 0);
  });

  it('uses only a named provider, unless fallback is asked for', async () => {
    openai.faults.push({ kind: 'status', status: 503 });
    const error = await failure(t.gateway.chat({ ...ask, provider: 'openai' }));
    assert.equal(error.code, 'AI_SERVER_ERROR');
    assert.equal(anthropic.server.requests.length, 0);

    openai.faults.push({ kind: 'status', status: 503 });
    const reply = await t.gateway.chat({ ...ask, provider: 'openai', fallback: true });
    assert.equal(reply.provider, 'anthropic');
  });

  it('goes to the provider a model belongs to', async () => {
    const claude = await t.gateway.chat({ ...ask, model: 'claude-3-5-haiku-20241022' });
    assert.equal(claude.provider, 'anthropic');
    assert.equal(claude.model, 'claude-3-5-haiku-20241022');
    const local = await t.gateway.chat({ ...ask, provider: 'ollama', model: 'llama3.2' });
    assert.equal(local.provider, 'ollama');
  });

  it('reports every provider when all fail', async () => {
    openai.faults.push({ kind: 'status', status: 500 });
    anthropic.faults.push({ kind: 'status', status: 529 });
    ollama.faults.push({ kind: 'status', status: 500 });
    const error = await failure(t.gateway.chat(ask));
    assert.equal(error.code, 'AI_ALL_PROVIDERS_FAILED');
    assert.match(error.message, /openai: HTTP 500/);
    assert.match(error.message, /anthropic: HTTP 529/);
    assert.match(error.message, /ollama: HTTP 500/);
    const tried = (error.details as { tried: unknown[] }).tried;
    assert.ok(tried.length >= 3);
  });

  it('honours fallback: false in the settings', async () => {
    await t.gateway.configure({ fallback: false });
    try {
      openai.faults.push({ kind: 'status', status: 500 });
      const error = await failure(t.gateway.chat(ask));
      assert.equal(error.code, 'AI_SERVER_ERROR');
    } finally {
      await t.gateway.configure({ fallback: true });
    }
  });

  it('records a usage row for every provider call, failed ones included', async () => {
    openai.faults.push({ kind: 'status', status: 500 });
    const reply = await t.gateway.chat({ ...ask, context: { workflow_id: 'wf_rows', execution_id: 'ex_rows', node_id: 'n1' } });
    const rows = await t.gateway.usage.recent({ execution_id: 'ex_rows' });
    assert.equal(rows.length, 2);
    const [ok, failed] = rows[0].status === 'ok' ? [rows[0], rows[1]] : [rows[1], rows[0]];
    assert.equal(failed.provider, 'openai');
    assert.equal(failed.status, 'error');
    assert.equal(failed.error_code, 'AI_SERVER_ERROR');
    assert.equal(ok.provider, 'anthropic');
    assert.equal(ok.model, 'claude-sonnet-4-20250514');
    assert.deepEqual({ input_tokens: ok.input_tokens, output_tokens: ok.output_tokens }, reply.usage);
    assert.ok(ok.input_tokens > 0 && ok.output_tokens > 0);
    // claude-sonnet-4: $3 in, $15 out per million tokens
    assert.equal(ok.cost_usd, Math.round(((ok.input_tokens * 3 + ok.output_tokens * 15) / 1e6) * 1e8) / 1e8);
    assert.equal(reply.cost_usd, ok.cost_usd);
    assert.equal(ok.workflow_id, 'wf_rows');
    assert.equal(ok.node_id, 'n1');
    assert.ok(ok.latency_ms > 0);
  });
});

describe('streaming fallback', () => {
  it('streams deltas and ends with the full result', async () => {
    const events = await collect(t.gateway.stream({ messages: [{ role: 'user', content: 'one two three' }] }));
    const deltas = events.filter((e): e is { delta: string } => 'delta' in e).map((e) => e.delta);
    assert.ok(deltas.length >= 3);
    const done = (events.at(-1) as { done: ChatResult }).done;
    assert.equal(deltas.join(''), done.text);
    assert.equal(done.text, 'reply to: one two three');
    assert.equal(done.provider, 'openai');
    assert.ok(done.usage.output_tokens > 0);
  });

  it('falls back before the first token', async () => {
    openai.faults.push({ kind: 'status', status: 503 });
    const events = await collect(t.gateway.stream(ask));
    const done = (events.at(-1) as { done: ChatResult }).done;
    assert.equal(done.provider, 'anthropic');
    assert.equal(done.tried[0].provider, 'openai');
    assert.equal(events.filter((e) => 'delta' in e).map((e) => (e as { delta: string }).delta).join(''), 'claude says: hello');
  });

  it('does not fall back once a token was sent', async () => {
    openai.faults.push({ kind: 'fail_after_first_token' });
    const seen: StreamEvent[] = [];
    const error = await failure(
      (async () => {
        for await (const event of t.gateway.stream({ messages: [{ role: 'user', content: 'several words here' }] })) seen.push(event);
      })(),
    );
    assert.ok(seen.length >= 1 && 'delta' in seen[0]);
    assert.ok(['AI_NETWORK', 'AI_BAD_RESPONSE', 'AI_STREAM_TRUNCATED'].includes(error.code), error.code);
    assert.equal(anthropic.server.requests.length, 0);
  });

  it('reports a truncated stream as an error', async () => {
    openai.faults.push({ kind: 'truncate' });
    const error = await failure(collect(t.gateway.stream({ ...ask, provider: 'openai' })));
    assert.equal(error.code, 'AI_STREAM_TRUNCATED');
  });
});

describe('no provider configured', () => {
  it('names what to configure', async () => {
    const empty = await testGateway();
    try {
      const error = await failure(empty.gateway.chat(ask));
      assert.equal(error.code, 'AI_NO_PROVIDER');
      assert.match(error.message, /OPENAI_API_KEY/);
      assert.match(error.message, /ANTHROPIC_API_KEY/);
      assert.match(error.message, /OLLAMA_HOST/);
      assert.match(error.message, /\.gguf model/);
      assert.match(error.message, /SKYNETTE_MODELS_DIR/);
    } finally {
      await empty.close();
    }
  });

  it('explains a disabled or incapable provider', async () => {
    await t.gateway.configureProvider('anthropic', { enabled: false });
    try {
      const disabled = await failure(t.gateway.chat({ ...ask, provider: 'anthropic' }));
      assert.equal(disabled.code, 'AI_PROVIDER_DISABLED');
      assert.match(disabled.message, /skynette ai providers enable anthropic/);
    } finally {
      await t.gateway.configureProvider('anthropic', { enabled: null });
    }
    const unable = await failure(t.gateway.embed({ texts: ['x'], provider: 'anthropic' }));
    assert.equal(unable.code, 'AI_UNSUPPORTED');
    assert.match(unable.message, /providers that can: openai/);
    const unknown = await failure(t.gateway.chat({ ...ask, provider: 'skynet' }));
    assert.equal(unknown.code, 'AI_UNKNOWN_PROVIDER');
  });
});

describe('bad input', () => {
  it('refuses an empty prompt before any call', async () => {
    for (const messages of [[], [{ role: 'user', content: '   ' }], [{ role: 'system', content: 'be brief' }]]) {
      const error = await failure(t.gateway.chat({ messages: messages as never }));
      assert.equal(error.code, 'AI_EMPTY_PROMPT');
    }
    assert.equal(openai.server.requests.length, 0);
  });

  it('refuses a 10 MB prompt with a clear message', async () => {
    const error = await failure(t.gateway.chat({ messages: [{ role: 'user', content: 'x'.repeat(10 * 1024 * 1024) }] }));
    assert.equal(error.code, 'AI_PROMPT_TOO_LARGE');
    assert.match(error.message, /10\.5 million characters/);
    assert.equal(openai.server.requests.length, 0);
  });

  it('names the bad field of a malformed request', async () => {
    const role = await failure(t.gateway.chat({ messages: [{ role: 'robot', content: 'hi' }] as never }));
    assert.equal(role.path, 'messages[0].role');
    const temperature = await failure(t.gateway.chat({ ...ask, temperature: 9 }));
    assert.equal(temperature.path, 'temperature');
    const empty = await failure(t.gateway.embed({ texts: ['ok', ''] }));
    assert.equal(empty.path, 'texts[1]');
  });

  it('reports an unknown model clearly', async () => {
    const error = await failure(t.gateway.chat({ ...ask, provider: 'openai', model: 'gpt-9-ultra' }));
    assert.equal(error.code, 'AI_MODEL_NOT_FOUND');
    assert.match(error.message, /gpt-9-ultra.*does not exist/);
  });
});
