import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama-server.js';
import { SkynetteError } from '../../src/util/errors.js';
import { parseSince, startOfPeriod } from '../../src/ai/usage.js';
import { recordingLogger, testGateway } from './helpers.js';

let openai: FakeOpenAi;
let ollama: FakeOllama;

before(async () => {
  [openai, ollama] = await Promise.all([startFakeOpenAi(), startFakeOllama()]);
});
after(async () => {
  await Promise.all([openai.close(), ollama.close()]);
});
beforeEach(() => {
  openai.server.requests.length = 0;
  ollama.server.requests.length = 0;
});

// "hello" is 4 input tokens at the fake (1 word + 3 per message); at $100,000 per million input
// tokens and nothing for output, each call costs $0.40.
const PRICE = { 'gpt-4o-mini': { input: 100_000, output: 0 } };
const hello = (extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user' as const, content: 'hello' }], ...extra });

async function budgetGateway(budgets: Array<{ scope: string; period: 'day' | 'month'; limit_usd: number }>, action: 'refuse' | 'local' = 'refuse') {
  const logger = recordingLogger();
  const t = await testGateway({
    database: true,
    logger,
    env: { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: openai.baseUrl, OLLAMA_HOST: ollama.url },
    settings: { prices: PRICE, budgets, general: { budget_action: action } as never, providers: { ollama: { model: 'llama3.2' } } },
  });
  return { t, logger };
}

describe('budgets', () => {
  it('warns at 80% (log and node log) and refuses beyond 100% with a clear error', async () => {
    const { t, logger } = await budgetGateway([{ scope: 'total', period: 'day', limit_usd: 1 }]);
    try {
      const warnings: string[] = [];
      const onWarning = (message: string) => warnings.push(message);
      const first = await t.gateway.chat(hello({ onWarning }));
      assert.equal(first.cost_usd, 0.4);
      await t.gateway.chat(hello({ onWarning }));
      assert.deepEqual(warnings, []);
      await t.gateway.chat(hello({ onWarning }));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /80% of the daily total budget of \$1\.00 is used \(\$0\.8000 spent\)/);
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /AI budget warning/.test(l.message)));
      await assert.rejects(t.gateway.chat(hello()), (error: SkynetteError) => {
        assert.equal(error.code, 'AI_BUDGET_EXCEEDED');
        assert.match(error.message, /daily total budget of \$1\.00 is used up \(\$1\.2000 spent\)/);
        assert.match(error.message, /skynette ai budget set total day/);
        return true;
      });
      assert.equal(openai.server.requests.length, 3, 'the refused call never reached the provider');
      const status = await t.gateway.budgets.status();
      assert.equal(status[0].spent_usd, 1.2);
    } finally {
      await t.close();
    }
  });

  it('routes to a free local provider when the user chose that', async () => {
    const { t } = await budgetGateway([{ scope: 'openai', period: 'month', limit_usd: 0.5 }], 'local');
    try {
      assert.equal((await t.gateway.chat(hello())).provider, 'openai');
      const warned: string[] = [];
      assert.equal((await t.gateway.chat(hello({ onWarning: (m: string) => warned.push(m) }))).provider, 'openai');
      assert.match(warned[0], /monthly openai budget of \$0\.50/);
      const routed = await t.gateway.chat(hello());
      assert.equal(routed.provider, 'ollama');
      assert.equal(routed.cost_usd, 0);
      assert.equal(routed.tried[0].code, 'AI_BUDGET_EXCEEDED');
      assert.match(routed.tried[0].error, /trying a free local provider/);
    } finally {
      await t.close();
    }
  });

  it('counts only the budget\'s provider, and leaves free providers alone', async () => {
    const { t } = await budgetGateway([{ scope: 'anthropic', period: 'day', limit_usd: 0 }]);
    try {
      assert.equal((await t.gateway.chat(hello())).provider, 'openai');
      assert.equal((await t.gateway.chat(hello({ provider: 'ollama' }))).provider, 'ollama');
    } finally {
      await t.close();
    }
  });

  it('sees spending from rows written by other processes', async () => {
    const { t } = await budgetGateway([{ scope: 'total', period: 'month', limit_usd: 0.3 }]);
    try {
      await t.gateway.usage.record({
        provider: 'openai', model: 'gpt-4o', operation: 'chat', input_tokens: 1, output_tokens: 1, cost_usd: 0.5, latency_ms: 1,
        status: 'ok', error_code: null, error: null, workflow_id: null, execution_id: null, node_id: null,
      });
      await assert.rejects(t.gateway.chat(hello()), (error: SkynetteError) => error.code === 'AI_BUDGET_EXCEEDED');
    } finally {
      await t.close();
    }
  });
});

describe('usage rows and summaries', () => {
  it('sums calls by provider, model, day and workflow', async () => {
    const { t } = await budgetGateway([]);
    try {
      await t.gateway.chat(hello({ context: { workflow_id: 'wf_a', execution_id: 'e1', node_id: 'n' } }));
      await t.gateway.chat(hello({ context: { workflow_id: 'wf_a', execution_id: 'e2', node_id: 'n' } }));
      await t.gateway.chat(hello({ provider: 'ollama', context: { workflow_id: 'wf_b', execution_id: 'e3', node_id: 'n' } }));
      await assert.rejects(t.gateway.chat(hello({ provider: 'openai', model: 'gpt-nope' })));

      const byProvider = await t.gateway.usage.summarize('provider');
      const openaiGroup = byProvider.groups.find((g) => g.key === 'openai')!;
      assert.equal(openaiGroup.calls, 3);
      assert.equal(openaiGroup.errors, 1);
      assert.equal(openaiGroup.cost_usd, 0.8);
      assert.equal(byProvider.total.calls, 4);
      assert.equal(byProvider.total.cost_usd, 0.8);

      const byModel = await t.gateway.usage.summarize('model');
      assert.deepEqual(byModel.groups.map((g) => g.key).sort(), ['ollama/llama3.2', 'openai/gpt-4o-mini', 'openai/gpt-nope']);

      const byWorkflow = await t.gateway.usage.summarize('workflow');
      assert.deepEqual(
        byWorkflow.groups.map((g) => [g.key, g.calls]),
        [['(none)', 1], ['wf_a', 2], ['wf_b', 1]],
      );

      const byDay = await t.gateway.usage.summarize('day', { since: startOfPeriod('day') });
      assert.equal(byDay.groups.length, 1);
      assert.equal(byDay.groups[0].key, new Date().toISOString().slice(0, 10));
      const future = await t.gateway.usage.summarize('day', { since: new Date(Date.now() + 86_400_000).toISOString() });
      assert.equal(future.groups.length, 0);
    } finally {
      await t.close();
    }
  });

  it('reads --since as a date, a span or a keyword', () => {
    const now = new Date('2025-03-15T12:00:00Z');
    assert.equal(parseSince('2025-03-01', now), '2025-03-01T00:00:00.000Z');
    assert.equal(parseSince('7d', now), '2025-03-08T12:00:00.000Z');
    assert.equal(parseSince('24h', now), '2025-03-14T12:00:00.000Z');
    assert.equal(parseSince('today', now), '2025-03-15T00:00:00.000Z');
    assert.equal(parseSince('month', now), '2025-03-01T00:00:00.000Z');
    assert.throws(() => parseSince('last tuesday', now), /is not a date/);
  });
});
