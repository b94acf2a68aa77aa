/**
 * Local sentence-embedding models in the ONNX layout of all-MiniLM-L6-v2 (config.json,
 * tokenizer.json, onnx/model.onnx), run by transformers.js from the models folder with remote
 * downloads off: mean pooling, unit-length vectors. Pipelines are loaded once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SkynetteError, errorMessage } from '../../util/errors.js';
import { DEFAULT_BATCH_SIZE, type Embedder } from './types.js';

type Transformers = typeof import('@huggingface/transformers');
type Extractor = Awaited<ReturnType<Transformers['pipeline']>>;

let transformers: Promise<Transformers> | undefined;
const pipelines = new Map<string, Promise<Extractor>>();

async function loadTransformers(): Promise<Transformers> {
  transformers ??= import('@huggingface/transformers').then((module) => {
    // Never reach for the network: models come from the models folder only.
    module.env.allowRemoteModels = false;
    module.env.allowLocalModels = true;
    return module;
  });
  return transformers;
}

/** Forgets loaded pipelines (tests that rewrite a model folder). */
export function clearOnnxPipelines(): void {
  pipelines.clear();
}

/** True when `dir` looks like an ONNX sentence-embedding model folder. */
export function isOnnxModelDir(dir: string): boolean {
  return existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'tokenizer.json')) && (existsSync(join(dir, 'onnx', 'model.onnx')) || existsSync(join(dir, 'model.onnx')));
}

export interface OnnxModelInfo {
  dimensions?: number;
  maxTokens?: number;
}

/** What config.json and tokenizer_config.json say, without loading the model. */
export function readOnnxModelInfo(dir: string): OnnxModelInfo {
  const read = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const config = read('config.json');
  const tokenizer = read('tokenizer_config.json');
  const windows = [tokenizer.model_max_length, config.max_position_embeddings].filter((n): n is number => typeof n === 'number' && n > 0 && n < 1e7);
  return {
    dimensions: typeof config.hidden_size === 'number' ? config.hidden_size : undefined,
    maxTokens: windows.length ? Math.min(...windows) : undefined,
  };
}

export class OnnxEmbedder implements Embedder {
  readonly maxTokens?: number;
  dimensions?: number;
  private extractor?: Extractor;

  constructor(
    readonly spec: string,
    private readonly dir: string,
    private readonly batchSize = DEFAULT_BATCH_SIZE,
  ) {
    const info = readOnnxModelInfo(dir);
    this.maxTokens = info.maxTokens;
  }

  async ready(): Promise<void> {
    if (this.extractor) return;
    let loading = pipelines.get(this.dir);
    if (!loading) {
      loading = (async () => {
        const module = await loadTransformers();
        module.env.localModelPath = dirname(this.dir) + '/';
        const file = existsSync(join(this.dir, 'onnx', 'model.onnx')) ? undefined : 'model';
        return module.pipeline('feature-extraction', basename(this.dir), {
          dtype: 'fp32',
          device: 'cpu',
          local_files_only: true,
          ...(file ? { subfolder: '' } : {}),
        });
      })();
      pipelines.set(this.dir, loading);
      loading.catch(() => pipelines.delete(this.dir));
    }
    try {
      this.extractor = await loading;
    } catch (error) {
      throw new SkynetteError('MODEL_LOAD_FAILED', `cannot load the embedding model ${this.spec} from ${this.dir}: ${errorMessage(error)}`, { path: this.dir, cause: error });
    }
  }

  countTokens(text: string): number {
    const tokenizer = (this.extractor as { tokenizer?: { encode(text: string): number[] } } | undefined)?.tokenizer;
    if (!tokenizer) throw new Error('countTokens before ready()');
    return tokenizer.encode(text).length;
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    await this.ready();
    const extractor = this.extractor as unknown as (texts: string[], options: object) => Promise<{ data: Float32Array; dims: number[] }>;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(i, i + this.batchSize);
      const tensor = await extractor(batch, { pooling: 'mean', normalize: true });
      const width = tensor.dims[tensor.dims.length - 1];
      this.dimensions = width;
      for (let row = 0; row < batch.length; row++) out.push(Float32Array.from(tensor.data.subarray(row * width, (row + 1) * width)));
    }
    return out;
  }
}
