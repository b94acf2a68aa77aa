/**
 * Ollama's native HTTP API (no SDK, no auth) at OLLAMA_HOST or http://localhost:11434: /api/chat
 * (JSON, or newline-delimited JSON when streaming), /api/embed, /api/tags. Whole replies go through
 * the shared HTTP client; streams read the NDJSON body as it arrives.
 */
import { randomUUID } from 'node:crypto';
import { httpRequest } from '../../http/index.js';
import { SkynetteError } from '../../util/errors.js';
import { AiProviderError, describeErrorBody, kindForStatus, mentionsContextLength, mentionsUnknownModel } from '../errors.js';
import type { Capability, ChatMessage, ModelInfo, ToolCall } from '../types.js';
import type { ProviderSettings } from '../settings.js';
import {
  abortFailure,
  attemptSignal,
  messageText,
  parseToolArguments,
  readLines,
  type AiProvider,
  type CallOptions,
  type ModelPurpose,
  type ProviderChatRequest,
  type ProviderChatResponse,
  type ProviderCompletionRequest,
  type ProviderEmbedResponse,
  type ProviderStreamEvent,
} from './provider.js';

export const OLLAMA_DEFAULT_HOST = 'http://localhost:11434';

export interface OllamaProviderConfig extends ProviderSettings {
  fetch?: typeof fetch;
}

/** OLLAMA_HOST may be `host:port`, `0.0.0.0`, or a full URL. */
export function normalizeOllamaHost(text: string | undefined): string {
  const value = (text ?? '').trim();
  if (!value) return OLLAMA_DEFAULT_HOST;
  const withScheme = /^https?:\/\//i.test(value) ? value : `http://${value}`;
  try {
    const url = new URL(withScheme);
    if (!url.port && url.protocol === 'http:' && !/^https?:\/\/[^/]+:\d+/i.test(withScheme)) url.port = '11434';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return withScheme.replace(/\/+$/, '');
  }
}

interface WireMessage {
  role: string;
  content: string;
  images?: string[];
  tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }>;
  tool_name?: string;
}

export function toOllamaMessages(messages: ChatMessage[]): WireMessage[] {
  for (const message of messages) {
    if (Array.isArray(message.content) && message.content.some((p) => p.type === 'image' && !p.data_base64)) {
      throw new AiProviderError('ollama', 'unsupported', 'takes images as data, not URLs; download the image first');
    }
  }
  const names = new Map<string, string>();
  for (const m of messages) for (const call of m.tool_calls ?? []) names.set(call.id, call.name);
  return messages.map((message) => {
    const wire: WireMessage = { role: message.role, content: messageText(message) };
    if (Array.isArray(message.content)) {
      const images = message.content.filter((p) => p.type === 'image' && p.data_base64).map((p) => (p as { data_base64: string }).data_base64);
      if (images.length) wire.images = images;
    }
    if (message.tool_calls?.length) wire.tool_calls = message.tool_calls.map((call) => ({ function: { name: call.name, arguments: call.arguments } }));
    if (message.role === 'tool' && message.tool_call_id && names.has(message.tool_call_id)) wire.tool_name = names.get(message.tool_call_id);
    return wire;
  });
}

interface ChatChunk {
  model?: string;
  message?: { role?: string; content?: string; tool_calls?: Array<{ function?: { name?: string; arguments?: unknown } }> };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

export class OllamaProvider implements AiProvider {
  readonly name = 'ollama';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['TEXT_GENERATION', 'CHAT', 'EMBEDDINGS', 'CODE_GENERATION', 'IMAGE_ANALYSIS', 'FUNCTION_CALLING']);
  readonly local = true;
  private readonly host: string;
  private tags: string[] | undefined;

  constructor(private readonly config: OllamaProviderConfig) {
    this.host = normalizeOllamaHost(config.base_url);
  }

  configurationProblem(): string | undefined {
    return undefined;
  }

  endpoint(): string {
    return this.host;
  }

  async defaultModel(purpose: ModelPurpose, options: CallOptions): Promise<string> {
    if (purpose === 'image') throw new AiProviderError(this.name, 'unsupported', 'does not generate images');
    const configured = purpose === 'embeddings' ? this.config.embedding_model : this.config.model;
    if (configured) return configured;
    this.tags ??= (await this.listModels(options)).map((m) => m.id);
    const found = this.tags.find((id) => (purpose === 'embeddings' ? /embed/i.test(id) : !/embed/i.test(id)));
    if (!found) {
      const what = purpose === 'embeddings' ? 'an embedding model (ollama pull nomic-embed-text)' : 'a chat model (ollama pull llama3.2)';
      throw new AiProviderError(this.name, 'not_found', `Ollama at ${this.host} has no models for this; pull ${what}, or set one with skynette ai providers set ollama model=...`);
    }
    return found;
  }

  private failure(error: unknown, options: CallOptions, timedOut: boolean): AiProviderError {
    if (error instanceof AiProviderError) return error;
    if (timedOut || options.signal.aborted) return abortFailure(this.name, options, timedOut);
    if (error instanceof SkynetteError) {
      const details = (error.details ?? {}) as { status?: number; body?: string; retry_after_ms?: number };
      switch (error.code) {
        case 'HTTP_STATUS': {
          const status = details.status ?? 500;
          const body = describeErrorBody(details.body) || error.message;
          let kind = kindForStatus(status);
          if ((kind === 'bad_request' || kind === 'not_found') && mentionsUnknownModel(body)) kind = 'not_found';
          if (kind === 'bad_request' && mentionsContextLength(body)) kind = 'context_length';
          return new AiProviderError(this.name, kind, `HTTP ${status}: ${body}`, { status, retryAfterMs: details.retry_after_ms });
        }
        case 'HTTP_NETWORK':
          return new AiProviderError(this.name, 'network', `cannot reach Ollama at ${this.host} (${(error.details as { reason?: string })?.reason || error.message}); start Ollama, or set OLLAMA_HOST`);
        case 'HTTP_TIMEOUT':
          return new AiProviderError(this.name, 'timeout', `no reply from ${this.host} within ${options.timeoutMs} ms`);
        case 'HTTP_ABORTED':
          return abortFailure(this.name, options, false);
        case 'HTTP_BAD_JSON':
          return new AiProviderError(this.name, 'bad_response', `the reply is not valid JSON: ${(error.details as { body?: string })?.body?.slice(0, 200) ?? ''}`);
      }
    }
    const cause = (error as { cause?: { code?: string } })?.cause;
    if (cause?.code || (error as Error)?.message === 'fetch failed') {
      return new AiProviderError(this.name, 'network', `cannot reach Ollama at ${this.host} (${cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.code ?? 'network error')}); start Ollama, or set OLLAMA_HOST`);
    }
    return new AiProviderError(this.name, 'bad_response', `the reply could not be read: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  private async post<T>(path: string, body: unknown, options: CallOptions): Promise<T> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      const response = await httpRequest<T>({
        method: 'POST',
        url: `${this.host}${path}`,
        body: { type: 'json', data: body },
        timeoutMs: options.timeoutMs,
        signal: attempt.signal,
        responseType: 'json',
      });
      return response.body;
    } catch (error) {
      throw this.failure(error, options, attempt.timedOut());
    } finally {
      attempt.dispose();
    }
  }

  private body(request: ProviderChatRequest, stream: boolean): Record<string, unknown> {
    const body: Record<string, unknown> = { model: request.model, messages: toOllamaMessages(request.messages), stream };
    const options: Record<string, unknown> = {};
    if (request.temperature !== undefined) options.temperature = request.temperature;
    if (request.max_tokens !== undefined) options.num_predict = request.max_tokens;
    if (Object.keys(options).length) body.options = options;
    if (request.json_schema) body.format = request.json_schema;
    if (request.tools?.length) {
      body.tools = request.tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description ?? '', parameters: tool.parameters } }));
    }
    return body;
  }

  private toolCalls(chunk: ChatChunk, offset: number): ToolCall[] {
    // Ollama gives calls no ids; these only need to be unique within the conversation.
    const batch = randomUUID().slice(0, 8);
    return (chunk.message?.tool_calls ?? []).map((call, i) => ({
      id: `call_${batch}_${offset + i}`,
      name: String(call.function?.name ?? ''),
      arguments: parseToolArguments(call.function?.arguments),
    }));
  }

  async chat(request: ProviderChatRequest, options: CallOptions): Promise<ProviderChatResponse> {
    const reply = await this.post<ChatChunk>('/api/chat', this.body(request, false), options);
    if (!reply || typeof reply !== 'object' || !reply.message || typeof reply.message !== 'object') {
      throw new AiProviderError(this.name, 'bad_response', `the reply is not a chat message: ${describeErrorBody(reply) || 'empty'}`);
    }
    if (reply.error) throw new AiProviderError(this.name, 'server', reply.error);
    const calls = this.toolCalls(reply, 0);
    return {
      text: String(reply.message.content ?? ''),
      ...(calls.length ? { tool_calls: calls } : {}),
      model: reply.model || request.model,
      usage: { input_tokens: reply.prompt_eval_count ?? 0, output_tokens: reply.eval_count ?? 0 },
      finish_reason: reply.done_reason,
    };
  }

  async *stream(request: ProviderChatRequest, options: CallOptions): AsyncGenerator<ProviderStreamEvent> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    const doFetch = this.config.fetch ?? fetch;
    try {
      let response: Response;
      try {
        response = await doFetch(`${this.host}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
          body: JSON.stringify(this.body(request, true)),
          signal: attempt.signal,
        });
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut());
      }
      if (!response.ok || !response.body) {
        const text = await response.text().catch(() => '');
        throw this.failure(new SkynetteError('HTTP_STATUS', `HTTP ${response.status}`, { details: { status: response.status, body: text, retry_after_ms: retryAfter(response) } }), options, false);
      }
      let text = '';
      let final: ChatChunk | undefined;
      const calls: ToolCall[] = [];
      try {
        for await (const line of readLines(response.body)) {
          if (!line.trim()) continue;
          let chunk: ChatChunk;
          try {
            chunk = JSON.parse(line) as ChatChunk;
          } catch {
            throw new AiProviderError(this.name, 'bad_response', `the stream sent a line that is not JSON: ${line.slice(0, 120)}`);
          }
          if (chunk.error) throw new AiProviderError(this.name, 'server', `the stream reported an error: ${chunk.error}`);
          calls.push(...this.toolCalls(chunk, calls.length));
          const piece = chunk.message?.content;
          if (piece) {
            text += piece;
            yield { delta: piece };
          }
          if (chunk.done) {
            final = chunk;
            break;
          }
        }
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut());
      }
      if (!final) {
        if (attempt.signal.aborted) throw abortFailure(this.name, options, attempt.timedOut());
        throw new AiProviderError(this.name, 'bad_response', 'the stream ended before the reply was complete (no "done": true)', { code: 'AI_STREAM_TRUNCATED' });
      }
      yield {
        done: {
          text,
          ...(calls.length ? { tool_calls: calls } : {}),
          model: final.model || request.model,
          usage: { input_tokens: final.prompt_eval_count ?? 0, output_tokens: final.eval_count ?? 0 },
          finish_reason: final.done_reason,
        },
      };
    } finally {
      attempt.dispose();
    }
  }

  async complete(request: ProviderCompletionRequest, options: CallOptions): Promise<ProviderChatResponse> {
    const body: Record<string, unknown> = { model: request.model, prompt: request.prompt, stream: false, raw: true };
    const settings: Record<string, unknown> = {};
    if (request.temperature !== undefined) settings.temperature = request.temperature;
    if (request.max_tokens !== undefined) settings.num_predict = request.max_tokens;
    if (Object.keys(settings).length) body.options = settings;
    const reply = await this.post<{ model?: string; response?: unknown; done_reason?: string; prompt_eval_count?: number; eval_count?: number }>('/api/generate', body, options);
    if (!reply || typeof reply !== 'object' || typeof reply.response !== 'string') {
      throw new AiProviderError(this.name, 'bad_response', `the reply has no generated text: ${describeErrorBody(reply) || 'empty'}`);
    }
    return {
      text: reply.response,
      model: reply.model || request.model,
      usage: { input_tokens: reply.prompt_eval_count ?? 0, output_tokens: reply.eval_count ?? 0 },
      finish_reason: reply.done_reason,
    };
  }

  async embed(texts: string[], model: string, options: CallOptions): Promise<ProviderEmbedResponse> {
    const reply = await this.post<{ model?: string; embeddings?: number[][]; prompt_eval_count?: number }>('/api/embed', { model, input: texts }, options);
    if (!reply || !Array.isArray(reply.embeddings)) throw new AiProviderError(this.name, 'bad_response', `the reply has no embeddings: ${describeErrorBody(reply) || 'empty'}`);
    if (reply.embeddings.length !== texts.length) throw new AiProviderError(this.name, 'bad_response', `asked for ${texts.length} embeddings, got ${reply.embeddings.length}`);
    return { vectors: reply.embeddings, model: reply.model || model, usage: { input_tokens: reply.prompt_eval_count ?? 0, output_tokens: 0 } };
  }

  async listModels(options: CallOptions): Promise<ModelInfo[]> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      const response = await httpRequest<{ models?: Array<{ name?: string; model?: string; size?: number }> }>({
        method: 'GET',
        url: `${this.host}/api/tags`,
        timeoutMs: options.timeoutMs,
        signal: attempt.signal,
        responseType: 'json',
      });
      const models = response.body?.models;
      if (!Array.isArray(models)) throw new AiProviderError(this.name, 'bad_response', 'the model list (/api/tags) is not a list');
      return models.map((m) => ({ provider: this.name, id: String(m.name ?? m.model), ...(typeof m.size === 'number' ? { size_bytes: m.size } : {}) }));
    } catch (error) {
      throw this.failure(error, options, attempt.timedOut());
    } finally {
      attempt.dispose();
    }
  }
}

function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

export function createOllamaProvider(config: OllamaProviderConfig): OllamaProvider {
  return new OllamaProvider(config);
}
