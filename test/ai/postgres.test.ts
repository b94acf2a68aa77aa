/**
 * The AI tables on Postgres (queue mode): usage rows and sums, conversations, settings, in a fresh
 * schema dropped at the end.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/store/database.js';
import { createSqlUsageStore } from '../../src/ai/usage.js';
import { createConversationStore } from '../../src/ai/conversations.js';
import { createAiSettingsStore } from '../../src/ai/settings.js';

const PG_URL = process.env.SKYNETTE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `skynette_ai_test_${process.pid}`;
let database: Database;

before(async () => {
  database = await openDatabase({ url: PG_URL, schema, poolSize: 2 });
});
after(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
  await database.close();
});

describe('AI tables on Postgres', () => {
  it('records usage and sums it by provider, model, day and workflow', async () => {
    const usage = createSqlUsageStore(database.db);
    const row = (provider: string, model: string, cost: number, status: 'ok' | 'error', workflow: string | null) =>
      usage.record({ provider, model, operation: 'chat', input_tokens: 10, output_tokens: 5, cost_usd: cost, latency_ms: 12.5, status, error_code: status === 'error' ? 'AI_TIMEOUT' : null, error: null, workflow_id: workflow, execution_id: null, node_id: null });
    await row('openai', 'gpt-4o', 0.25, 'ok', 'wf1');
    await row('openai', 'gpt-4o', 0.5, 'ok', null);
    await row('anthropic', 'claude-3-opus', 0, 'error', 'wf1');
    assert.equal(await usage.spentSince('2000-01-01T00:00:00.000Z'), 0.75);
    assert.equal(await usage.spentSince('2000-01-01T00:00:00.000Z', 'anthropic'), 0);
    const byProvider = await usage.summarize('provider');
    assert.deepEqual(byProvider.groups, [
      { key: 'anthropic', calls: 1, errors: 1, input_tokens: 10, output_tokens: 5, cost_usd: 0 },
      { key: 'openai', calls: 2, errors: 0, input_tokens: 20, output_tokens: 10, cost_usd: 0.75 },
    ]);
    assert.deepEqual((await usage.summarize('model')).groups.map((g) => g.key), ['anthropic/claude-3-opus', 'openai/gpt-4o']);
    assert.deepEqual((await usage.summarize('workflow')).groups.map((g) => [g.key, g.calls]), [['(none)', 1], ['wf1', 2]]);
    assert.equal((await usage.summarize('day')).groups[0].key, new Date().toISOString().slice(0, 10));
    const [latest] = await usage.recent({ limit: 1 });
    assert.equal(typeof latest.cost_usd, 'number');
  });

  it('keeps conversations and settings', async () => {
    const conversations = createConversationStore(database.db);
    await conversations.append('c1', [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ]);
    await conversations.append('c1', [{ role: 'user', content: 'again' }]);
    assert.deepEqual((await conversations.load('c1', 2)).map((m) => m.content), ['again']);
    assert.equal(await conversations.count('c1'), 3);
    assert.equal(await conversations.clear('c1'), 3);

    const settings = createAiSettingsStore(database.db);
    await settings.updateProvider('ollama', { model: 'llama3.2', priority: 5 });
    await settings.updateProvider('ollama', { priority: null });
    await settings.setBudgets([{ scope: 'total', period: 'month', limit_usd: 10 }]);
    const loaded = await settings.load();
    assert.deepEqual(loaded.providers.ollama, { model: 'llama3.2' });
    assert.equal(loaded.budgets[0].limit_usd, 10);
  });
});
