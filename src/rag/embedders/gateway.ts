/**
 * Embeddings from a model behind the AI gateway: Ollama, OpenAI, LM Studio, or a GGUF model run by
 * llama.cpp. The spec is `provider:model`, e.g. `ollama:nomic-embed-text`.
 */
import { SkynetteError } from '../../util/errors.js';
import { DEFAULT_BATCH_SIZE, type Embedder } from './types.js';

/** The part of the AI gateway that embeddings need. */
export interface EmbeddingGateway {
  embed(request: { texts: string[]; provider?: string; model?: string; signal?: AbortSignal }): Promise<{ vectors: number[][]; dimensions: number; provider: string; model: string }>;
}

export const GATEWAY_EMBEDDING_PROVIDERS = ['ollama', 'openai', 'lmstudio', 'llamacpp'] as const;

export class GatewayEmbedder implements Embedder {
  dimensions?: number;

  constructor(
    readonly spec: string,
    private readonly provider: string,
    private readonly model: string,
    private readonly gateway: () => Promise<EmbeddingGateway>,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {}

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    const gateway = await this.gateway();
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(i, i + this.batchSize);
      const result = await gateway.embed({ texts: batch, provider: this.provider, model: this.model, signal: options.signal });
      if (result.vectors.length !== batch.length) {
        throw new SkynetteError('EMBEDDING_FAILED', `${this.spec} returned ${result.vectors.length} vectors for ${batch.length} texts`);
      }
      for (const vector of result.vectors) out.push(Float32Array.from(vector));
      this.dimensions = result.dimensions || out[0]?.length;
    }
    return out;
  }
}
