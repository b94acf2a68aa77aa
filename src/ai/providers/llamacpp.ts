/**
 * Local GGUF models run by node-llama-cpp in a separate process (llamacpp-host): chat with the
 * model's own chat template, plain completion, embeddings, and JSON-schema-constrained output.
 * A model is a .gguf file in the models folder, named by its file name.
 */
import { availableParallelism } from 'node:os';
import { AiProviderError } from '../errors.js';
import { findModelFile, listModelFiles, resolveModelsDir } from '../models-dir.js';
import type { Capability, ChatMessage, ModelInfo } from '../types.js';
import type { ProviderSettings } from '../settings.js';
import { HostFailure, LlamaHostProcess } from './llamacpp-process.js';
import type { HostMessageText } from './llamacpp-protocol.js';
import {
  abortFailure,
  attemptSignal,
  messageText,
  type AiProvider,
  type CallOptions,
  type ModelPurpose,
  type ProviderChatRequest,
  type ProviderChatResponse,
  type ProviderCompletionRequest,
  type ProviderEmbedResponse,
  type ProviderStreamEvent,
} from './provider.js';

export const DEFAULT_CONTEXT_SIZE = 4096;

export interface LlamaCppProviderConfig extends ProviderSettings {
  env?: NodeJS.ProcessEnv;
}

/** Half the cores (one on a 2-core machine): more threads than cores makes llama.cpp far slower. */
export function defaultThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

function hostMessages(messages: ChatMessage[]): HostMessageText[] {
  return messages.map((m) => ({ role: m.role, text: messageText(m) }));
}

/** A stream fed by callbacks and read with for-await. */
class ChunkQueue {
  private items: string[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;

  push(text: string): void {
    this.items.push(text);
    this.wake();
  }
  end(): void {
    this.ended = true;
    this.wake();
  }
  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
  async *drain(): AsyncGenerator<string> {
    for (;;) {
      while (this.items.length) yield this.items.shift()!;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }
}

export class LlamaCppProvider implements AiProvider {
  readonly name = 'llamacpp';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['TEXT_GENERATION', 'CHAT', 'EMBEDDINGS', 'CODE_GENERATION']);
  readonly local = true;
  readonly modelsDir: string;
  private readonly host: LlamaHostProcess;
  private readonly threads: number;
  private readonly contextSize: number;

  constructor(private readonly config: LlamaCppProviderConfig) {
    const env = config.env ?? process.env;
    this.modelsDir = resolveModelsDir(config.models_dir, env);
    const envThreads = Number(env.SKYNETTE_LLAMA_THREADS);
    this.threads = config.threads ?? (Number.isInteger(envThreads) && envThreads > 0 ? envThreads : defaultThreads());
    this.contextSize = config.context_size ?? DEFAULT_CONTEXT_SIZE;
    const envGpu = env.SKYNETTE_LLAMA_GPU?.toLowerCase();
    const gpu = config.gpu ?? (envGpu && ['false', '0', 'off', 'no'].includes(envGpu) ? false : 'auto');
    this.host = new LlamaHostProcess({ gpu, env });
  }

  configurationProblem(): string | undefined {
    if (this.config.model && findModelFile(this.modelsDir, this.config.model)) return undefined;
    if (listModelFiles(this.modelsDir).length === 0) {
      return `no .gguf model in ${this.modelsDir}: put a GGUF file there, or set SKYNETTE_MODELS_DIR (or skynette ai providers set llamacpp models_dir=...)`;
    }
    return undefined;
  }

  endpoint(): string {
    return this.modelsDir;
  }

  async defaultModel(purpose: ModelPurpose): Promise<string> {
    if (purpose === 'image') throw new AiProviderError(this.name, 'unsupported', 'does not generate images');
    const configured = purpose === 'embeddings' ? (this.config.embedding_model ?? this.config.model) : this.config.model;
    if (configured) return configured;
    const first = listModelFiles(this.modelsDir)[0];
    if (!first) throw new AiProviderError(this.name, 'not_configured', this.configurationProblem() ?? 'no model');
    return first.id;
  }

  private modelPath(model: string): string {
    const file = findModelFile(this.modelsDir, model);
    if (!file) {
      const known = listModelFiles(this.modelsDir).map((f) => f.id);
      throw new AiProviderError(this.name, 'not_found', `no model "${model}" in ${this.modelsDir}${known.length ? ` (there: ${known.join(', ')})` : ''}`);
    }
    return file.path;
  }

  private failure(error: unknown, options: CallOptions, timedOut: boolean, model: string): AiProviderError {
    if (error instanceof AiProviderError) return error;
    if (error instanceof HostFailure) {
      switch (error.kind) {
        case 'cancelled':
          return abortFailure(this.name, options, timedOut);
        case 'context_length':
          return new AiProviderError(this.name, 'context_length', error.message);
        case 'bad_request':
          return new AiProviderError(this.name, 'bad_request', error.message);
        case 'load':
          return new AiProviderError(this.name, 'local_failure', `model "${model}" could not be loaded: ${error.message}`, { code: 'AI_MODEL_LOAD_FAILED' });
        case 'crashed':
          return new AiProviderError(this.name, 'local_failure', `${error.message} (with model "${model}"; the file may be damaged or not a supported GGUF model)`, { code: 'AI_MODEL_LOAD_FAILED' });
        default:
          return new AiProviderError(this.name, 'local_failure', error.message);
      }
    }
    return new AiProviderError(this.name, 'local_failure', (error as Error)?.message ?? String(error));
  }

  private async run<T>(model: string, options: CallOptions, work: (path: string, signal: AbortSignal) => Promise<T>): Promise<T> {
    const path = this.modelPath(model);
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      return await work(path, attempt.signal);
    } catch (error) {
      throw this.failure(error, options, attempt.timedOut(), model);
    } finally {
      attempt.dispose();
    }
  }

  private modelOptions(path: string) {
    return { model_path: path, context_size: this.contextSize, threads: this.threads };
  }

  async chat(request: ProviderChatRequest, options: CallOptions): Promise<ProviderChatResponse> {
    if (request.tools?.length) throw new AiProviderError(this.name, 'unsupported', 'local models here do not call tools; use a provider with FUNCTION_CALLING');
    return this.run(request.model, options, async (path, signal) => {
      const reply = await this.host.request(
        { op: 'chat', ...this.modelOptions(path), messages: hostMessages(request.messages), max_tokens: request.max_tokens, temperature: request.temperature, json_schema: request.json_schema, stream: false },
        signal,
      );
      return { text: reply.text ?? '', model: request.model, usage: reply.usage, finish_reason: 'stop' };
    });
  }

  async complete(request: ProviderCompletionRequest, options: CallOptions): Promise<ProviderChatResponse> {
    return this.run(request.model, options, async (path, signal) => {
      const reply = await this.host.request({ op: 'complete', ...this.modelOptions(path), prompt: request.prompt, max_tokens: request.max_tokens, temperature: request.temperature, stream: false }, signal);
      return { text: reply.text ?? '', model: request.model, usage: reply.usage, finish_reason: 'stop' };
    });
  }

  async *stream(request: ProviderChatRequest, options: CallOptions): AsyncGenerator<ProviderStreamEvent> {
    if (request.tools?.length) throw new AiProviderError(this.name, 'unsupported', 'local models here do not call tools; use a provider with FUNCTION_CALLING');
    const path = this.modelPath(request.model);
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    // A reader that stops early (fallback, a closed connection) cancels the generation too.
    const stop = new AbortController();
    const signal = AbortSignal.any([attempt.signal, stop.signal]);
    const queue = new ChunkQueue();
    const finished = this.host
      .request(
        { op: 'chat', ...this.modelOptions(path), messages: hostMessages(request.messages), max_tokens: request.max_tokens, temperature: request.temperature, json_schema: request.json_schema, stream: true },
        signal,
        (text) => queue.push(text),
      )
      .finally(() => queue.end());
    // Settled here too, so a failure before the first chunk is not an unhandled rejection.
    finished.catch(() => undefined);
    try {
      for await (const text of queue.drain()) yield { delta: text };
      let reply;
      try {
        reply = await finished;
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut(), request.model);
      }
      yield { done: { text: reply.text ?? '', model: request.model, usage: reply.usage, finish_reason: 'stop' } };
    } finally {
      stop.abort();
      attempt.dispose();
    }
  }

  async embed(texts: string[], model: string, options: CallOptions): Promise<ProviderEmbedResponse> {
    return this.run(model, options, async (path, signal) => {
      const reply = await this.host.request({ op: 'embed', ...this.modelOptions(path), texts }, signal);
      return { vectors: reply.vectors ?? [], model, usage: reply.usage };
    });
  }

  async listModels(): Promise<ModelInfo[]> {
    return listModelFiles(this.modelsDir).map((file) => ({ provider: this.name, id: file.id, path: file.path, size_bytes: file.size_bytes }));
  }

  async close(): Promise<void> {
    await this.host.close();
  }
}

export function createLlamaCppProvider(config: LlamaCppProviderConfig): LlamaCppProvider {
  return new LlamaCppProvider(config);
}
