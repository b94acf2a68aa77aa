/**
 * One row per provider call in `ai_usage`: provider, model, tokens, cost, latency, outcome and the
 * workflow, execution and node it came from. Sums feed budgets and `skynette ai usage`. Times are
 * ISO-8601 UTC text, so a day is its first ten characters on both SQLite and Postgres.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SkynetteError } from '../util/errors.js';
import { roundUsd } from './prices.js';

export type UsageOperation = 'chat' | 'stream' | 'complete' | 'embed' | 'image';

export interface UsageRow {
  id: string;
  created_at: string;
  provider: string;
  model: string;
  operation: UsageOperation;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number;
  status: 'ok' | 'error';
  error_code: string | null;
  error: string | null;
  workflow_id: string | null;
  execution_id: string | null;
  node_id: string | null;
}

export type NewUsageRow = Omit<UsageRow, 'id' | 'created_at'> & { created_at?: string };

export type UsageGrouping = 'provider' | 'model' | 'day' | 'workflow';

export interface UsageGroup {
  key: string;
  calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface UsageSummary {
  by: UsageGrouping;
  since?: string;
  groups: UsageGroup[];
  total: Omit<UsageGroup, 'key'>;
}

export interface UsageStore {
  record(row: NewUsageRow): Promise<UsageRow>;
  /** USD spent by successful calls since `since` (ISO), for one provider or all. */
  spentSince(since: string, provider?: string): Promise<number>;
  summarize(by: UsageGrouping, options?: { since?: string; until?: string }): Promise<UsageSummary>;
  /** Newest first. */
  recent(options?: { limit?: number; execution_id?: string; workflow_id?: string }): Promise<UsageRow[]>;
}

const MAX_ERROR_CHARS = 1000;

function complete(row: NewUsageRow): UsageRow {
  return {
    id: randomUUID(),
    created_at: row.created_at ?? new Date().toISOString(),
    provider: row.provider,
    model: row.model,
    operation: row.operation,
    input_tokens: Math.max(0, Math.round(row.input_tokens)),
    output_tokens: Math.max(0, Math.round(row.output_tokens)),
    cost_usd: roundUsd(row.cost_usd),
    latency_ms: Math.round(row.latency_ms * 1000) / 1000,
    status: row.status,
    error_code: row.error_code,
    error: row.error ? row.error.slice(0, MAX_ERROR_CHARS) : null,
    workflow_id: row.workflow_id,
    execution_id: row.execution_id,
    node_id: row.node_id,
  };
}

function emptyTotal(): Omit<UsageGroup, 'key'> {
  return { calls: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
}

function totalOf(groups: UsageGroup[]): Omit<UsageGroup, 'key'> {
  const total = emptyTotal();
  for (const g of groups) {
    total.calls += g.calls;
    total.errors += g.errors;
    total.input_tokens += g.input_tokens;
    total.output_tokens += g.output_tokens;
    total.cost_usd = roundUsd(total.cost_usd + g.cost_usd);
  }
  return total;
}

interface UsageTables {
  ai_usage: UsageRow;
}

export function createSqlUsageStore(database: Kysely<any>): UsageStore {
  const db = database as Kysely<UsageTables>;
  return {
    async record(input) {
      const row = complete(input);
      await db.insertInto('ai_usage').values(row).execute();
      return row;
    },
    async spentSince(since, provider) {
      // The database already loaded kysely; importing it here keeps it out of the nodes' start-up.
      const { sql } = await import('kysely');
      let query = db
        .selectFrom('ai_usage')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('cost_usd'), sql<number>`0`).as('spent'))
        .where('created_at', '>=', since)
        .where('status', '=', 'ok');
      if (provider) query = query.where('provider', '=', provider);
      const row = await query.executeTakeFirst();
      return roundUsd(Number(row?.spent ?? 0));
    },
    async summarize(by, options = {}) {
      const { sql } = await import('kysely');
      const key =
        by === 'provider' ? sql<string>`provider` : by === 'model' ? sql<string>`provider || '/' || model` : by === 'day' ? sql<string>`substr(created_at, 1, 10)` : sql<string>`coalesce(workflow_id, '(none)')`;
      let query = db
        .selectFrom('ai_usage')
        .select([
          key.as('key'),
          (eb) => eb.fn.countAll<number | string>().as('calls'),
          sql<number | string>`sum(case when status = 'error' then 1 else 0 end)`.as('errors'),
          (eb) => eb.fn.coalesce(eb.fn.sum<number | string>('input_tokens'), sql<number>`0`).as('input_tokens'),
          (eb) => eb.fn.coalesce(eb.fn.sum<number | string>('output_tokens'), sql<number>`0`).as('output_tokens'),
          (eb) => eb.fn.coalesce(eb.fn.sum<number | string>('cost_usd'), sql<number>`0`).as('cost_usd'),
        ])
        .groupBy(key)
        .orderBy(key);
      if (options.since) query = query.where('created_at', '>=', options.since);
      if (options.until) query = query.where('created_at', '<', options.until);
      const rows = await query.execute();
      const groups = rows.map((r) => ({
        key: String(r.key),
        calls: Number(r.calls),
        errors: Number(r.errors),
        input_tokens: Number(r.input_tokens),
        output_tokens: Number(r.output_tokens),
        cost_usd: roundUsd(Number(r.cost_usd)),
      }));
      return { by, since: options.since, groups, total: totalOf(groups) };
    },
    async recent(options = {}) {
      let query = db.selectFrom('ai_usage').selectAll().orderBy('created_at', 'desc').limit(options.limit ?? 100);
      if (options.execution_id) query = query.where('execution_id', '=', options.execution_id);
      if (options.workflow_id) query = query.where('workflow_id', '=', options.workflow_id);
      return (await query.execute()).map((r) => ({ ...r, cost_usd: Number(r.cost_usd), latency_ms: Number(r.latency_ms), input_tokens: Number(r.input_tokens), output_tokens: Number(r.output_tokens) }));
    },
  };
}

/** Usage kept in memory (a gateway without a database): budgets still hold within the process. */
export function createMemoryUsageStore(): UsageStore & { rows: UsageRow[] } {
  const rows: UsageRow[] = [];
  const keyOf = (row: UsageRow, by: UsageGrouping) =>
    by === 'provider' ? row.provider : by === 'model' ? `${row.provider}/${row.model}` : by === 'day' ? row.created_at.slice(0, 10) : (row.workflow_id ?? '(none)');
  return {
    rows,
    async record(input) {
      const row = complete(input);
      rows.push(row);
      return row;
    },
    async spentSince(since, provider) {
      return roundUsd(rows.filter((r) => r.status === 'ok' && r.created_at >= since && (!provider || r.provider === provider)).reduce((sum, r) => sum + r.cost_usd, 0));
    },
    async summarize(by, options = {}) {
      const groups = new Map<string, UsageGroup>();
      for (const row of rows) {
        if (options.since && row.created_at < options.since) continue;
        if (options.until && row.created_at >= options.until) continue;
        const key = keyOf(row, by);
        const g = groups.get(key) ?? { key, ...emptyTotal() };
        g.calls++;
        if (row.status === 'error') g.errors++;
        g.input_tokens += row.input_tokens;
        g.output_tokens += row.output_tokens;
        g.cost_usd = roundUsd(g.cost_usd + row.cost_usd);
        groups.set(key, g);
      }
      const list = [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return { by, since: options.since, groups: list, total: totalOf(list) };
    },
    async recent(options = {}) {
      return rows
        .filter((r) => (!options.execution_id || r.execution_id === options.execution_id) && (!options.workflow_id || r.workflow_id === options.workflow_id))
        .slice()
        .reverse()
        .slice(0, options.limit ?? 100);
    },
  };
}

/** `2024-05-01`, `2024-05-01T10:00`, or a relative `7d` / `24h` / `30m`, as an ISO time. */
export function parseSince(text: string, now = new Date()): string {
  const value = text.trim();
  const relative = /^(\d+)\s*([dhm])$/i.exec(value);
  if (relative) {
    const amount = Number(relative[1]);
    const unit = relative[2].toLowerCase();
    const ms = unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000;
    return new Date(now.getTime() - amount * ms).toISOString();
  }
  if (value === 'today') return startOfPeriod('day', now);
  if (value === 'month') return startOfPeriod('month', now);
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new SkynetteError('AI_BAD_DATE', `"${value}" is not a date; write 2024-05-01, 2024-05-01T10:00:00Z, today, month, or a span like 7d, 24h`, { path: 'since' });
  }
  return new Date(parsed).toISOString();
}

/** The start of the current UTC day or month, as ISO text. */
export function startOfPeriod(period: 'day' | 'month', now = new Date()): string {
  const start = period === 'day' ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) : Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return new Date(start).toISOString();
}
