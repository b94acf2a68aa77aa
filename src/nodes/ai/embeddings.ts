/** ai-embeddings: vectors for one text or a list of texts, from the chosen or first available embedding model. */
import { SkynetteError } from '../../util/errors.js';
import { defineNode, field } from '../sdk.js';
import { callContext, gatewayOf, logFallback, PROVIDER_CHOICES, usageOf } from './common.js';

interface EmbeddingsConfig {
  text?: string;
  texts?: unknown;
  provider: string;
  model?: string;
  timeout_ms?: number;
}

export const aiEmbeddingsNode = defineNode<EmbeddingsConfig>({
  type: 'ai-embeddings',
  name: 'AI: embeddings',
  description: 'Turns text into embedding vectors (for search, clustering, similarity).',
  category: 'ai',
  fields: {
    text: field.text({ description: 'one text (output: vector)' }),
    texts: field.expression({ placeholder: '{{ $prev.paragraphs }}', description: 'a list of texts (output: vectors, in the same order)' }),
    provider: field.select(PROVIDER_CHOICES, { default: 'auto' }),
    model: field.string({ description: 'an embedding model (text-embedding-3-small, nomic-embed-text, a .gguf file name); empty: the provider default' }),
    timeout_ms: field.number({ integer: true, min: 100 }),
  },
  async run(ctx) {
    const { config } = ctx;
    let texts: string[];
    let single = false;
    if (config.texts !== undefined && config.texts !== null && config.texts !== '') {
      if (!Array.isArray(config.texts) || config.texts.some((t) => typeof t !== 'string')) {
        throw new SkynetteError('INVALID_CONFIG', 'config.texts: expected a list of texts', { path: 'config.texts' });
      }
      texts = config.texts as string[];
    } else if (config.text !== undefined && config.text !== '') {
      texts = [config.text];
      single = true;
    } else {
      throw new SkynetteError('INVALID_CONFIG', 'config.text or config.texts: give the text (or list of texts) to embed', { path: 'config.text' });
    }
    const gateway = await gatewayOf(ctx);
    const result = await gateway.embed({
      texts,
      provider: config.provider !== 'auto' ? config.provider : undefined,
      model: config.model?.trim() || undefined,
      timeout_ms: config.timeout_ms,
      signal: ctx.signal,
      context: callContext(ctx),
      onWarning: (message) => ctx.log.warn(message),
    });
    logFallback(ctx, result);
    return {
      ...(single ? { vector: result.vectors[0] } : { vectors: result.vectors }),
      dimensions: result.dimensions,
      count: result.vectors.length,
      provider: result.provider,
      model: result.model,
      usage: usageOf(result.usage, result.cost_usd),
      ...(result.tried.length ? { tried: result.tried } : {}),
    };
  },
});
