/**
 * A cache of vectors by content hash in front of any embedder: the same text (a query asked again,
 * a chunk that did not change) is embedded once per process. Stored vectors are reused across runs
 * by the service, which looks chunks up by hash before embedding.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from './types.js';

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class CachedEmbedder implements Embedder {
  private readonly cache = new Map<string, Float32Array>();
  hits = 0;
  misses = 0;

  constructor(
    readonly inner: Embedder,
    private readonly capacity = 10_000,
  ) {}

  get spec(): string {
    return this.inner.spec;
  }

  get dimensions(): number | undefined {
    return this.inner.dimensions;
  }

  get maxTokens(): number | undefined {
    return this.inner.maxTokens;
  }

  get countTokens(): ((text: string) => number) | undefined {
    return this.inner.countTokens ? (text: string) => this.inner.countTokens!(text) : undefined;
  }

  async ready(): Promise<void> {
    await this.inner.ready?.();
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    const keys = texts.map(textHash);
    const found = new Map<string, Float32Array>();
    const missing: number[] = [];
    const pending = new Set<string>();
    keys.forEach((key, i) => {
      if (found.has(key)) return;
      const cached = this.cache.get(key);
      if (cached) {
        found.set(key, cached);
        // Refresh recency: a Map keeps insertion order, so the oldest entry is the first one.
        this.cache.delete(key);
        this.cache.set(key, cached);
      } else if (!pending.has(key)) {
        pending.add(key);
        missing.push(i);
      }
    });
    this.hits += texts.length - missing.length;
    this.misses += missing.length;
    if (missing.length) {
      const vectors = await this.inner.embed(
        missing.map((i) => texts[i]),
        options,
      );
      missing.forEach((i, n) => {
        found.set(keys[i], vectors[n]);
        this.remember(keys[i], vectors[n]);
      });
    }
    return keys.map((key) => found.get(key)!);
  }

  private remember(key: string, vector: Float32Array): void {
    this.cache.set(key, vector);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
  }
}
