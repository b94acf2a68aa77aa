/**
 * What a call costs: per-model prices from prices.json (USD per million tokens, per image), with the
 * user's overrides on top. A model id matches exactly or by the longest listed id it starts with.
 */
import table from './prices.json' with { type: 'json' };
import type { TokenUsage } from './types.js';

export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

/** User overrides by model id (any provider), or by `provider/model`. */
export type PriceOverrides = Record<string, ModelPrice>;

interface PriceFile {
  models: Record<string, Record<string, ModelPrice>>;
  images: Record<string, Record<string, Record<string, Record<string, number>>>>;
  free_providers: string[];
}

const prices = table as unknown as PriceFile;
const FREE = new Set(prices.free_providers);

export function isFreeProvider(provider: string): boolean {
  return FREE.has(provider);
}

function longestPrefix<T>(entries: Record<string, T>, model: string): T | undefined {
  if (entries[model] !== undefined) return entries[model];
  let best: string | undefined;
  for (const id of Object.keys(entries)) {
    if (model.startsWith(id) && (best === undefined || id.length > best.length)) best = id;
  }
  return best === undefined ? undefined : entries[best];
}

export class PriceTable {
  constructor(private overrides: PriceOverrides = {}) {}

  setOverrides(overrides: PriceOverrides): void {
    this.overrides = overrides;
  }

  /** The price of a model, or undefined when neither the table nor an override knows it. */
  priceOf(provider: string, model: string): ModelPrice | undefined {
    const override = this.overrides[`${provider}/${model}`] ?? longestPrefix(this.overrides, model);
    if (override) return override;
    if (FREE.has(provider)) return { input: 0, output: 0 };
    const listed = prices.models[provider];
    return listed ? longestPrefix(listed, model) : undefined;
  }

  /** USD for the tokens of one call; 0 when the price is unknown (see priceOf). */
  tokenCost(provider: string, model: string, usage: TokenUsage): number {
    const price = this.priceOf(provider, model);
    if (!price) return 0;
    return roundUsd((usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000);
  }

  imageCost(provider: string, model: string, size: string, quality: string, count: number): number {
    if (FREE.has(provider)) return 0;
    const byModel = prices.images[provider];
    const entry = byModel ? longestPrefix(byModel, model) : undefined;
    if (!entry) return 0;
    const sizes = entry[quality] ?? entry.standard ?? {};
    const each = sizes[size] ?? Object.values(sizes)[0] ?? 0;
    return roundUsd(each * count);
  }

  /** Every listed price with the overrides applied, for `skynette ai prices`. */
  list(): Array<{ provider: string; model: string; input: number; output: number; overridden: boolean }> {
    const out: Array<{ provider: string; model: string; input: number; output: number; overridden: boolean }> = [];
    for (const [provider, models] of Object.entries(prices.models)) {
      for (const [model, price] of Object.entries(models)) {
        const override = this.overrides[`${provider}/${model}`] ?? this.overrides[model];
        out.push({ provider, model, ...(override ?? price), overridden: Boolean(override) });
      }
    }
    for (const [key, price] of Object.entries(this.overrides)) {
      const [provider, model] = key.includes('/') ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)] : ['*', key];
      if (!out.some((row) => row.model === model && (provider === '*' || row.provider === provider))) {
        out.push({ provider, model, ...price, overridden: true });
      }
    }
    return out;
  }
}

/** Costs are kept to 1e-8 USD: finer than one token of the cheapest model. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
