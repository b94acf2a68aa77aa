/**
 * The AI layer's stored settings, in the `ai_settings` table (key -> JSON): per-provider settings
 * (enabled, priority, endpoint, vault credential, default models, local-model options), general
 * options (fallback, timeouts, budget action), budgets and price overrides. Values are validated on
 * the way in; a damaged stored value reads as the default.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { SkynetteError } from '../util/errors.js';
import type { PriceOverrides } from './prices.js';

export const PROVIDER_NAMES = ['openai', 'anthropic', 'ollama', 'lmstudio', 'llamacpp'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

const httpUrl = z.string().refine((text) => /^https?:\/\/[^\s]+$/i.test(text), { message: 'expected an http(s) URL' });

export const providerSettingsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  priority: z.number().int().min(0).max(1000).optional(),
  base_url: httpUrl.optional(),
  /** A vault credential (id or name) holding api_key (and optionally base_url). */
  credential: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  embedding_model: z.string().min(1).optional(),
  image_model: z.string().min(1).optional(),
  timeout_ms: z.number().int().min(100).max(3_600_000).optional(),
  /** llamacpp: the folder of .gguf files. */
  models_dir: z.string().min(1).optional(),
  /** llamacpp: CPU threads per evaluation. */
  threads: z.number().int().min(1).max(256).optional(),
  /** llamacpp: tokens of context per model. */
  context_size: z.number().int().min(64).max(1_048_576).optional(),
  /** llamacpp: use a GPU when one is found (default auto). */
  gpu: z.union([z.boolean(), z.literal('auto')]).optional(),
});
export type ProviderSettings = z.infer<typeof providerSettingsSchema>;

export const generalSettingsSchema = z.strictObject({
  /** Try the next provider on network errors, timeouts, 5xx, 429 and auth errors. */
  fallback: z.boolean().default(true),
  /** Beyond a budget: refuse paid calls, or send them to a free local provider. */
  budget_action: z.enum(['refuse', 'local']).default('refuse'),
  /** Per provider attempt. */
  timeout_ms: z.number().int().min(100).max(3_600_000).default(120_000),
  /** A 429's Retry-After up to this long is waited for once before falling back. */
  retry_after_max_ms: z.number().int().min(0).max(600_000).default(5_000),
  /** Prompts longer than this (all messages together) are refused before any call. */
  max_prompt_chars: z.number().int().min(1).default(2_000_000),
});
export type GeneralSettings = z.infer<typeof generalSettingsSchema>;

export const budgetSchema = z.strictObject({
  /** `total`, or a provider name. */
  scope: z.string().min(1),
  period: z.enum(['day', 'month']),
  limit_usd: z.number().min(0),
});
export type Budget = z.infer<typeof budgetSchema>;

const budgetsSchema = z.array(budgetSchema);
const priceSchema = z.strictObject({ input: z.number().min(0), output: z.number().min(0) });
const pricesSchema = z.record(z.string(), priceSchema);

export interface AiSettings {
  providers: Partial<Record<ProviderName, ProviderSettings>>;
  general: GeneralSettings;
  budgets: Budget[];
  prices: PriceOverrides;
}

export function defaultAiSettings(): AiSettings {
  return { providers: {}, general: generalSettingsSchema.parse({}), budgets: [], prices: {} };
}

export interface AiSettingsStore {
  load(): Promise<AiSettings>;
  /** Merges into the provider's settings; a key set to null is removed. */
  updateProvider(name: ProviderName, patch: Record<string, unknown>): Promise<ProviderSettings>;
  updateGeneral(patch: Record<string, unknown>): Promise<GeneralSettings>;
  setBudgets(budgets: Budget[]): Promise<void>;
  setPrices(prices: PriceOverrides): Promise<void>;
}

function invalid(where: string, error: z.ZodError): SkynetteError {
  const lines = error.issues.map((issue) => `${[where, ...issue.path.map(String)].join('.')}: ${issue.message}`);
  return new SkynetteError('AI_SETTINGS_INVALID', lines.join('; '), { path: where });
}

function merge<T extends Record<string, unknown>>(current: T, patch: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Parses a stored value, falling back to `fallback` when it no longer validates. */
function readStored<T>(schema: z.ZodType<T>, text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

interface AiSettingsTable {
  ai_settings: { key: string; value: string; updated_at: string };
}

/** Settings in the database (the `ai_settings` table of migration ai_gateway). */
export function createAiSettingsStore(database: Kysely<any>): AiSettingsStore {
  const db = database as Kysely<AiSettingsTable>;
  const read = async (): Promise<Map<string, string>> => {
    const rows = await db.selectFrom('ai_settings').select(['key', 'value']).execute();
    return new Map(rows.map((r) => [r.key, r.value]));
  };
  const write = async (key: string, value: unknown): Promise<void> => {
    const now = new Date().toISOString();
    await db
      .insertInto('ai_settings')
      .values({ key, value: JSON.stringify(value), updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: (eb) => eb.ref('excluded.value'), updated_at: (eb) => eb.ref('excluded.updated_at') }))
      .execute();
  };
  const store: AiSettingsStore = {
    async load() {
      const rows = await read();
      const settings = defaultAiSettings();
      for (const name of PROVIDER_NAMES) {
        const text = rows.get(`provider.${name}`);
        if (text !== undefined) settings.providers[name] = readStored(providerSettingsSchema, text, {});
      }
      settings.general = readStored(generalSettingsSchema, rows.get('general'), settings.general);
      settings.budgets = readStored(budgetsSchema, rows.get('budgets'), []);
      settings.prices = readStored(pricesSchema, rows.get('prices'), {});
      return settings;
    },
    async updateProvider(name, patch) {
      const current = (await store.load()).providers[name] ?? {};
      const parsed = providerSettingsSchema.safeParse(merge(current, patch));
      if (!parsed.success) throw invalid(`providers.${name}`, parsed.error);
      await write(`provider.${name}`, parsed.data);
      return parsed.data;
    },
    async updateGeneral(patch) {
      const current = (await store.load()).general;
      const parsed = generalSettingsSchema.safeParse(merge(current, patch));
      if (!parsed.success) throw invalid('general', parsed.error);
      await write('general', parsed.data);
      return parsed.data;
    },
    async setBudgets(budgets) {
      const parsed = budgetsSchema.safeParse(budgets);
      if (!parsed.success) throw invalid('budgets', parsed.error);
      await write('budgets', parsed.data);
    },
    async setPrices(prices) {
      const parsed = pricesSchema.safeParse(prices);
      if (!parsed.success) throw invalid('prices', parsed.error);
      await write('prices', parsed.data);
    },
  };
  return store;
}

/** Settings held in memory only (a gateway without a database). */
export function createMemoryAiSettingsStore(initial: Partial<AiSettings> = {}): AiSettingsStore {
  let settings: AiSettings = { ...defaultAiSettings(), ...initial, general: generalSettingsSchema.parse(initial.general ?? {}) };
  return {
    async load() {
      return structuredClone(settings);
    },
    async updateProvider(name, patch) {
      const parsed = providerSettingsSchema.safeParse(merge(settings.providers[name] ?? {}, patch));
      if (!parsed.success) throw invalid(`providers.${name}`, parsed.error);
      settings = { ...settings, providers: { ...settings.providers, [name]: parsed.data } };
      return parsed.data;
    },
    async updateGeneral(patch) {
      const parsed = generalSettingsSchema.safeParse(merge(settings.general, patch));
      if (!parsed.success) throw invalid('general', parsed.error);
      settings = { ...settings, general: parsed.data };
      return parsed.data;
    },
    async setBudgets(budgets) {
      const parsed = budgetsSchema.safeParse(budgets);
      if (!parsed.success) throw invalid('budgets', parsed.error);
      settings = { ...settings, budgets: parsed.data };
    },
    async setPrices(prices) {
      const parsed = pricesSchema.safeParse(prices);
      if (!parsed.success) throw invalid('prices', parsed.error);
      settings = { ...settings, prices: parsed.data };
    },
  };
}
