/**
 * The OpenAI chat-completions protocol through the official `openai` SDK: used by the `openai`
 * provider and, with another base URL and a placeholder key, by `lmstudio`. The SDK's own retries
 * are off; the gateway decides about retries and fallback.
 */
import type OpenAI from 'openai';
import { parseRetryAfter } from '../../http/index.js';
import { AiProviderError, describeErrorBody, kindForStatus, mentionsContextLength, mentionsUnknownModel } from '../errors.js';
import type { Capability, ChatMessage, ModelInfo, TokenUsage, ToolCall } from '../types.js';
import {
  abortFailure,
  attemptSignal,
  messageText,
  parseToolArguments,
  type AiProvider,
  type CallOptions,
  type ModelPurpose,
  type ProviderChatRequest,
  type ProviderChatResponse,
  type ProviderEmbedResponse,
  type ProviderImageRequest,
  type ProviderImageResponse,
  type ProviderStreamEvent,
} from './provider.js';

export interface OpenAiCompatibleOptions {
  name: string;
  baseURL: string;
  apiKey?: string;
  /** Without a key the provider is not configured (openai); lmstudio sends a placeholder instead. */
  requireKey: boolean;
  placeholderKey?: string;
  capabilities: Capability[];
  local: boolean;
  models: { chat?: string; embeddings?: string; image?: string };
  /** The token limit parameter: `max_completion_tokens` (OpenAI) or `max_tokens` (older servers). */
  maxTokensParameter: 'max_completion_tokens' | 'max_tokens';
  /** Ask for float vectors (servers without base64 support) instead of the SDK's base64 default. */
  floatEmbeddings?: boolean;
  organization?: string;
  /** What to tell a user who has no key. */
  configureHint: string;
  fetch?: typeof fetch;
}

type WireMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type OpenAiSdk = typeof import('openai').default;

// Loaded on first use: the SDK takes a noticeable part of a second to import, and most commands never call a model.
let sdkLoading: Promise<OpenAiSdk> | undefined;
let loadedSdk: OpenAiSdk | undefined;
function loadSdk(): Promise<OpenAiSdk> {
  sdkLoading ??= import('openai').then((module) => (loadedSdk = module.default));
  return sdkLoading;
}

function toWireContent(message: ChatMessage): string | OpenAI.Chat.Completions.ChatCompletionContentPart[] {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) =>
    part.type === 'text'
      ? { type: 'text' as const, text: part.text }
      : { type: 'image_url' as const, image_url: { url: part.url ?? `data:${part.media_type ?? 'image/png'};base64,${part.data_base64 ?? ''}` } },
  );
}

export function toOpenAiMessages(messages: ChatMessage[]): WireMessage[] {
  return messages.map((message): WireMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: messageText(message) };
      case 'assistant':
        return {
          role: 'assistant',
          content: messageText(message) || (message.tool_calls?.length ? null : ''),
          ...(message.tool_calls?.length
            ? { tool_calls: message.tool_calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.arguments) } })) }
            : {}),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: message.tool_call_id ?? '', content: messageText(message) };
      default:
        return { role: 'user', content: toWireContent(message) } as WireMessage;
    }
  });
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class OpenAiCompatibleProvider implements AiProvider {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  readonly local: boolean;
  private client: OpenAI | undefined;
  private discovered: string[] | undefined;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.name = options.name;
    this.capabilities = new Set(options.capabilities);
    this.local = options.local;
  }

  configurationProblem(): string | undefined {
    if (this.options.requireKey && !this.options.apiKey) return `no API key: ${this.options.configureHint}`;
    return undefined;
  }

  endpoint(): string {
    return this.options.baseURL;
  }

  private async sdk(): Promise<OpenAI> {
    if (!this.client) {
      const OpenAiClient = await loadSdk();
      this.client = new OpenAiClient({
        apiKey: this.options.apiKey || this.options.placeholderKey || 'unused',
        baseURL: this.options.baseURL,
        organization: this.options.organization ?? null,
        project: null,
        maxRetries: 0,
        logLevel: 'off',
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
      });
    }
    return this.client;
  }

  async defaultModel(purpose: ModelPurpose, options: CallOptions): Promise<string> {
    const configured = this.options.models[purpose === 'embeddings' ? 'embeddings' : purpose === 'image' ? 'image' : 'chat'];
    if (configured) return configured;
    // A local server (LM Studio) serves whatever the user loaded: ask it.
    this.discovered ??= (await this.listModels(options)).map((m) => m.id);
    const wanted = this.discovered.find((id) => (purpose === 'embeddings' ? /embed/i.test(id) : !/embed/i.test(id)));
    if (!wanted) {
      throw new AiProviderError(this.name, 'not_found', `the server at ${this.options.baseURL} has no ${purpose === 'embeddings' ? 'embedding' : 'chat'} model loaded; load one, or set a default model (skynette ai providers set ${this.name} model=...)`);
    }
    return wanted;
  }

  /** Runs one SDK call under the attempt's signal, turning every failure into an AiProviderError. */
  private async call<T>(options: CallOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      return await run(attempt.signal);
    } catch (error) {
      throw this.failure(error, options, attempt.timedOut());
    } finally {
      attempt.dispose();
    }
  }

  failure(error: unknown, options: CallOptions, timedOut: boolean): AiProviderError {
    if (error instanceof AiProviderError) return error;
    const OpenAI = loadedSdk;
    if (!OpenAI) return new AiProviderError(this.name, 'local_failure', `the openai SDK could not be loaded: ${(error as Error)?.message ?? String(error)}`);
    if (error instanceof OpenAI.APIUserAbortError || (error as Error)?.name === 'AbortError') return abortFailure(this.name, options, timedOut);
    if (error instanceof OpenAI.APIConnectionTimeoutError) return new AiProviderError(this.name, 'timeout', `no reply from ${this.options.baseURL} within ${options.timeoutMs} ms`);
    if (error instanceof OpenAI.APIConnectionError) {
      if (options.signal.aborted || timedOut) return abortFailure(this.name, options, timedOut);
      const cause = (error as { cause?: { code?: string; message?: string; cause?: { code?: string } } }).cause;
      const code = cause?.code ?? cause?.cause?.code;
      const what = code === 'ECONNREFUSED' ? 'connection refused' : (cause?.message ?? error.message);
      return new AiProviderError(this.name, 'network', `cannot reach ${this.options.baseURL} (${what})${this.local ? `; is ${this.name === 'lmstudio' ? 'LM Studio' : 'the server'} running?` : ''}`, { cause: error });
    }
    if (error instanceof OpenAI.APIError) {
      const status = error.status;
      // A body that is not JSON (an HTML page from a proxy) is only in the message, after the status.
      const body = describeErrorBody(error.error) || describeErrorBody(error.message.replace(/^\d{3}\s*/, '')) || error.message;
      if (status === undefined) return new AiProviderError(this.name, 'server', `the stream reported an error: ${body}`);
      let kind = kindForStatus(status);
      if (kind === 'bad_request' && mentionsUnknownModel(body)) kind = 'not_found';
      if (kind === 'bad_request' && mentionsContextLength(body)) kind = 'context_length';
      const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'));
      const hint = kind === 'auth' ? ` (check the API key: ${this.options.configureHint})` : '';
      return new AiProviderError(this.name, kind, `HTTP ${status}: ${body}${hint}`, { status, retryAfterMs });
    }
    if (error instanceof SyntaxError) return new AiProviderError(this.name, 'bad_response', `the reply is not valid JSON (${error.message})`);
    return new AiProviderError(this.name, 'bad_response', `the reply could not be read: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  private body(request: ProviderChatRequest): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
    const body: Record<string, unknown> = { model: request.model, messages: toOpenAiMessages(request.messages) };
    if (request.max_tokens !== undefined) body[this.options.maxTokensParameter] = request.max_tokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.json_schema) body.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: request.json_schema, strict: false } };
    if (request.tools?.length) {
      body.tools = request.tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description ?? '', parameters: tool.parameters } }));
    }
    return body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
  }

  async chat(request: ProviderChatRequest, options: CallOptions): Promise<ProviderChatResponse> {
    return this.call(options, async (signal) => {
      const reply = (await (await this.sdk()).chat.completions.create(this.body(request), { signal, timeout: options.timeoutMs })) as unknown;
      const completion = reply as OpenAI.Chat.Completions.ChatCompletion;
      if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
        throw new AiProviderError(this.name, 'bad_response', `the reply is not a chat completion: ${describeErrorBody(reply) || 'empty'}`);
      }
      const choice = completion.choices[0];
      if (!choice?.message) throw new AiProviderError(this.name, 'bad_response', 'the reply has no choices');
      const text = typeof choice.message.content === 'string' ? choice.message.content : '';
      const toolCalls: ToolCall[] = (choice.message.tool_calls ?? [])
        .filter((call) => call.type === 'function')
        .map((call) => {
          const fn = (call as { function: { name: string; arguments: string } }).function;
          return { id: call.id, name: fn.name, arguments: parseToolArguments(fn.arguments) };
        });
      const usage: TokenUsage = completion.usage
        ? { input_tokens: completion.usage.prompt_tokens ?? 0, output_tokens: completion.usage.completion_tokens ?? 0 }
        : { input_tokens: estimateTokens(JSON.stringify(request.messages)), output_tokens: estimateTokens(text) };
      return {
        text,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        model: completion.model || request.model,
        usage,
        finish_reason: choice.finish_reason ?? undefined,
      };
    });
  }

  async *stream(request: ProviderChatRequest, options: CallOptions): AsyncGenerator<ProviderStreamEvent> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      const body = { ...this.body(request), stream: true as const, stream_options: { include_usage: true } };
      let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      try {
        stream = await (await this.sdk()).chat.completions.create(body, { signal: attempt.signal, timeout: options.timeoutMs });
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut());
      }
      let text = '';
      let model = request.model;
      let finish: string | undefined;
      let usage: TokenUsage | undefined;
      const calls = new Map<number, { id: string; name: string; args: string }>();
      try {
        for await (const chunk of stream) {
          if (!chunk || typeof chunk !== 'object') throw new AiProviderError(this.name, 'bad_response', 'the stream sent an event that is not a chunk');
          if (chunk.model) model = chunk.model;
          if (chunk.usage) usage = { input_tokens: chunk.usage.prompt_tokens ?? 0, output_tokens: chunk.usage.completion_tokens ?? 0 };
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          if (choice.finish_reason) finish = choice.finish_reason;
          for (const delta of choice.delta?.tool_calls ?? []) {
            const entry = calls.get(delta.index) ?? { id: '', name: '', args: '' };
            if (delta.id) entry.id = delta.id;
            if (delta.function?.name) entry.name += delta.function.name;
            if (delta.function?.arguments) entry.args += delta.function.arguments;
            calls.set(delta.index, entry);
          }
          const piece = choice.delta?.content;
          if (piece) {
            text += piece;
            yield { delta: piece };
          }
        }
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut());
      }
      if (attempt.signal.aborted) throw abortFailure(this.name, options, attempt.timedOut());
      if (!finish) throw new AiProviderError(this.name, 'bad_response', 'the stream ended before the reply was complete (no finish_reason)', { code: 'AI_STREAM_TRUNCATED' });
      const toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => ({ id: c.id, name: c.name, arguments: parseToolArguments(c.args) }));
      yield {
        done: {
          text,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          model,
          usage: usage ?? { input_tokens: estimateTokens(JSON.stringify(request.messages)), output_tokens: estimateTokens(text) },
          finish_reason: finish,
        },
      };
    } finally {
      attempt.dispose();
    }
  }

  async embed(texts: string[], model: string, options: CallOptions): Promise<ProviderEmbedResponse> {
    return this.call(options, async (signal) => {
      const reply = (await (await this.sdk()).embeddings.create(
        { model, input: texts, ...(this.options.floatEmbeddings ? { encoding_format: 'float' as const } : {}) },
        { signal, timeout: options.timeoutMs },
      )) as unknown as OpenAI.Embeddings.CreateEmbeddingResponse;
      if (!reply || !Array.isArray(reply.data)) throw new AiProviderError(this.name, 'bad_response', `the reply has no embeddings: ${describeErrorBody(reply) || 'empty'}`);
      const vectors = [...reply.data].sort((a, b) => a.index - b.index).map((d) => Array.from(d.embedding as ArrayLike<number>));
      if (vectors.length !== texts.length) throw new AiProviderError(this.name, 'bad_response', `asked for ${texts.length} embeddings, got ${vectors.length}`);
      return { vectors, model: reply.model || model, usage: { input_tokens: reply.usage?.prompt_tokens ?? 0, output_tokens: 0 } };
    });
  }

  async generateImage(request: ProviderImageRequest, options: CallOptions): Promise<ProviderImageResponse> {
    // DALL-E 3 makes one image per request: more are asked for one by one.
    if (request.n > 1 && request.model.startsWith('dall-e-3')) {
      const images = [];
      for (let i = 0; i < request.n; i++) images.push(...(await this.generateImage({ ...request, n: 1 }, options)).images);
      return { images, model: request.model };
    }
    return this.call(options, async (signal) => {
      const reply = (await (await this.sdk()).images.generate(
        {
          model: request.model,
          prompt: request.prompt,
          n: request.n,
          size: request.size as OpenAI.Images.ImageGenerateParams['size'],
          ...(request.model.startsWith('dall-e-3') ? { quality: request.quality } : {}),
          response_format: 'b64_json',
        },
        { signal, timeout: options.timeoutMs },
      )) as unknown as OpenAI.Images.ImagesResponse;
      if (!reply || !Array.isArray(reply.data)) throw new AiProviderError(this.name, 'bad_response', `the reply has no images: ${describeErrorBody(reply) || 'empty'}`);
      const images = reply.data.map((image) => {
        if (!image.b64_json) throw new AiProviderError(this.name, 'bad_response', 'an image came without b64_json data');
        return { data_base64: image.b64_json, media_type: 'image/png', ...(image.revised_prompt ? { revised_prompt: image.revised_prompt } : {}) };
      });
      return { images, model: request.model };
    });
  }

  async listModels(options: CallOptions): Promise<ModelInfo[]> {
    return this.call(options, async (signal) => {
      const out: ModelInfo[] = [];
      const page = await (await this.sdk()).models.list({ signal, timeout: options.timeoutMs });
      const data = (page as unknown as { data?: Array<{ id: string }> }).data;
      if (!Array.isArray(data)) throw new AiProviderError(this.name, 'bad_response', 'the model list is not a list');
      for (const model of data) out.push({ provider: this.name, id: model.id });
      return out;
    });
  }
}
