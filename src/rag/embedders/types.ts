/** An embedding model as the knowledge bases see it, whichever runtime or service runs it. */
export interface Embedder {
  /** The model spec as stored with a knowledge base: `tiny-bert`, `ollama:nomic-embed-text`, ... */
  readonly spec: string;
  /** Known once the model has been loaded or has answered once. */
  dimensions?: number;
  /** The model's window in tokens, when known (local models). */
  readonly maxTokens?: number;
  /** One vector per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /** The model's own token count (local models); undefined when the model does not say. */
  countTokens?(text: string): number;
  /** Loads the model (tokenizer, window) before the first embed; optional. */
  ready?(): Promise<void>;
}

/** How many texts go to the model at once. */
export const DEFAULT_BATCH_SIZE = 32;
