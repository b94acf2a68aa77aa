/**
 * What the gateway needs of a provider. Each provider maps the neutral request to its wire format,
 * and every failure to an AiProviderError with a kind (see ../errors.ts).
 */
import { AiProviderError } from '../errors.js';
import type { Capability, ChatMessage, GeneratedImage, ModelInfo, TokenUsage, ToolCall, ToolDefinition } from '../types.js';

export interface ProviderChatRequest {
  messages: ChatMessage[];
  model: string;
  max_tokens?: number;
  temperature?: number;
  json_schema?: Record<string, unknown>;
  tools?: ToolDefinition[];
}

export interface ProviderCompletionRequest {
  prompt: string;
  model: string;
  max_tokens?: number;
  temperature?: number;
}

export interface ProviderChatResponse {
  text: string;
  tool_calls?: ToolCall[];
  model: string;
  usage: TokenUsage;
  finish_reason?: string;
}

export type ProviderStreamEvent = { delta: string } | { done: ProviderChatResponse };

export interface ProviderEmbedResponse {
  vectors: number[][];
  model: string;
  usage: TokenUsage;
}

export interface ProviderImageRequest {
  prompt: string;
  model: string;
  size: string;
  quality: 'standard' | 'hd';
  n: number;
}

export interface ProviderImageResponse {
  images: GeneratedImage[];
  model: string;
}

/** Per attempt: the caller's cancellation joined with this attempt's timeout. */
export interface CallOptions {
  signal: AbortSignal;
  timeoutMs: number;
}

/** Which model a call uses when the request names none. */
export type ModelPurpose = 'chat' | 'embeddings' | 'image';

export interface AiProvider {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** Runs on this machine: costs nothing, and budgets may route to it. */
  readonly local: boolean;
  /** What to configure, when this provider cannot be used as it is; undefined when it can. */
  configurationProblem(): string | undefined;
  /** Where requests go (for `providers list`), without secrets. */
  endpoint(): string;
  defaultModel(purpose: ModelPurpose, options: CallOptions): Promise<string>;
  chat(request: ProviderChatRequest, options: CallOptions): Promise<ProviderChatResponse>;
  stream(request: ProviderChatRequest, options: CallOptions): AsyncIterable<ProviderStreamEvent>;
  /** Plain text continuation of a prompt, without a chat template. */
  complete?(request: ProviderCompletionRequest, options: CallOptions): Promise<ProviderChatResponse>;
  embed?(texts: string[], model: string, options: CallOptions): Promise<ProviderEmbedResponse>;
  generateImage?(request: ProviderImageRequest, options: CallOptions): Promise<ProviderImageResponse>;
  listModels(options: CallOptions): Promise<ModelInfo[]>;
  close?(): Promise<void>;
}

/**
 * Joins the caller's signal with a timeout. `timedOut()` tells a timeout from a cancellation, so the
 * provider can report the right kind of failure.
 */
export function attemptSignal(timeoutMs: number, caller?: AbortSignal): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  timer.unref?.();
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

/** The failure for an aborted attempt: a timeout when the timer fired, else the caller cancelled. */
export function abortFailure(provider: string, options: CallOptions, timedOut: boolean): AiProviderError {
  if (timedOut) return new AiProviderError(provider, 'timeout', `no complete reply within ${options.timeoutMs} ms`);
  return new AiProviderError(provider, 'cancelled', 'the call was cancelled');
}

/** The text of a message's content (image parts left out). */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .filter((part) => part.type === 'text')
    .map((part) => (part as { text: string }).text)
    .join('\n');
}

export function emptyUsage(): TokenUsage {
  return { input_tokens: 0, output_tokens: 0 };
}

/** Parses tool-call arguments given as JSON text; a model's broken JSON becomes `{_raw: text}`. */
export function parseToolArguments(text: unknown): Record<string, unknown> {
  if (text && typeof text === 'object' && !Array.isArray(text)) return text as Record<string, unknown>;
  if (typeof text !== 'string' || !text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { _raw: text };
  }
}

/** Reads `data:` events of a text/event-stream or lines of NDJSON from a fetch body. */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        yield line;
      }
    }
    buffer += decoder.decode();
    if (buffer) yield buffer;
  } finally {
    reader.releaseLock();
  }
}
