/**
 * Anthropic's Messages API through the official `@anthropic-ai/sdk`: chat, streaming, image input,
 * tool use. JSON output is asked for with a forced tool whose input schema is the wanted schema, the
 * documented way to get structured output from every Claude model.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { parseRetryAfter } from '../../http/index.js';
import { AiProviderError, describeErrorBody, kindForStatus, mentionsContextLength, mentionsUnknownModel } from '../errors.js';
import type { Capability, ChatMessage, ModelInfo, ToolCall } from '../types.js';
import type { ProviderSettings } from '../settings.js';
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
  type ProviderStreamEvent,
} from './provider.js';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-4-20250514';
/** Anthropic requires max_tokens; this is used when the request sets none. */
const DEFAULT_MAX_TOKENS = 4096;
const JSON_TOOL = 'output';

export interface AnthropicProviderConfig extends ProviderSettings {
  api_key?: string;
  fetch?: typeof fetch;
}

type AnthropicSdk = typeof import('@anthropic-ai/sdk').default;

// Loaded on first use: the SDK takes a noticeable part of a second to import.
let sdkLoading: Promise<AnthropicSdk> | undefined;
let loadedSdk: AnthropicSdk | undefined;
function loadSdk(): Promise<AnthropicSdk> {
  sdkLoading ??= import('@anthropic-ai/sdk').then((module) => (loadedSdk = module.default));
  return sdkLoading;
}

type WireBlock = Record<string, unknown>;
interface WireMessage {
  role: 'user' | 'assistant';
  content: WireBlock[];
}

function imageSource(part: { data_base64?: string; url?: string; media_type?: string }): WireBlock {
  if (part.url && !part.data_base64) return { type: 'url', url: part.url };
  return { type: 'base64', media_type: part.media_type ?? 'image/png', data: part.data_base64 ?? '' };
}

function blocksOf(message: ChatMessage): WireBlock[] {
  if (message.role === 'tool') return [{ type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: messageText(message) }];
  const blocks: WireBlock[] = [];
  if (typeof message.content === 'string') {
    if (message.content) blocks.push({ type: 'text', text: message.content });
  } else {
    for (const part of message.content) {
      if (part.type === 'text') {
        if (part.text) blocks.push({ type: 'text', text: part.text });
      } else blocks.push({ type: 'image', source: imageSource(part) });
    }
  }
  for (const call of message.tool_calls ?? []) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
  return blocks;
}

/** System text apart; tool results become user turns; consecutive turns of one role are joined. */
export function toAnthropicMessages(messages: ChatMessage[]): { system: string; messages: WireMessage[] } {
  const system: string[] = [];
  const out: WireMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      system.push(messageText(message));
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = blocksOf(message);
    if (!blocks.length) continue;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  }
  return { system: system.filter(Boolean).join('\n\n'), messages: out };
}

export class AnthropicProvider implements AiProvider {
  readonly name = 'anthropic';
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>(['TEXT_GENERATION', 'CHAT', 'IMAGE_ANALYSIS', 'CODE_GENERATION', 'FUNCTION_CALLING']);
  readonly local = false;
  private client: Anthropic | undefined;

  constructor(private readonly config: AnthropicProviderConfig) {}

  configurationProblem(): string | undefined {
    if (!this.config.api_key) return 'no API key: set ANTHROPIC_API_KEY, or store a key with `skynette credentials add anthropic NAME --stdin api_key` and `skynette ai providers set anthropic credential=NAME`';
    return undefined;
  }

  endpoint(): string {
    return this.config.base_url || ANTHROPIC_DEFAULT_BASE_URL;
  }

  private async sdk(): Promise<Anthropic> {
    if (!this.client) {
      const key = this.config.api_key ?? '';
      const AnthropicClient = await loadSdk();
      this.client = new AnthropicClient({
        apiKey: key,
        baseURL: this.endpoint(),
        maxRetries: 0,
        logLevel: 'off',
        openTelemetry: false,
        // The documented header; this SDK release sends the key as a Bearer token as well.
        defaultHeaders: { 'x-api-key': key },
        ...(this.config.fetch ? { fetch: this.config.fetch } : {}),
      });
    }
    return this.client;
  }

  async defaultModel(purpose: ModelPurpose): Promise<string> {
    if (purpose !== 'chat') throw new AiProviderError(this.name, 'unsupported', `has no ${purpose} models`);
    return this.config.model || ANTHROPIC_DEFAULT_MODEL;
  }

  private failure(error: unknown, options: CallOptions, timedOut: boolean): AiProviderError {
    if (error instanceof AiProviderError) return error;
    const Anthropic = loadedSdk;
    if (!Anthropic) return new AiProviderError(this.name, 'local_failure', `the Anthropic SDK could not be loaded: ${(error as Error)?.message ?? String(error)}`);
    if (error instanceof Anthropic.APIUserAbortError || (error as Error)?.name === 'AbortError') return abortFailure(this.name, options, timedOut);
    if (error instanceof Anthropic.APIConnectionTimeoutError) return new AiProviderError(this.name, 'timeout', `no reply from ${this.endpoint()} within ${options.timeoutMs} ms`);
    if (error instanceof Anthropic.APIConnectionError) {
      if (options.signal.aborted || timedOut) return abortFailure(this.name, options, timedOut);
      const cause = (error as { cause?: { code?: string; message?: string; cause?: { code?: string } } }).cause;
      const code = cause?.code ?? cause?.cause?.code;
      return new AiProviderError(this.name, 'network', `cannot reach ${this.endpoint()} (${code === 'ECONNREFUSED' ? 'connection refused' : (cause?.message ?? error.message)})`, { cause: error });
    }
    if (error instanceof Anthropic.APIError) {
      const status = error.status;
      const body = describeErrorBody(error.error) || describeErrorBody(error.message.replace(/^\d{3}\s*/, '')) || error.message;
      if (status === undefined) {
        const overloaded = /overloaded/i.test(body);
        return new AiProviderError(this.name, 'server', `the stream reported an error: ${body}`, { code: overloaded ? 'AI_SERVER_ERROR' : undefined });
      }
      let kind = kindForStatus(status);
      if ((kind === 'bad_request' || kind === 'not_found') && mentionsUnknownModel(body)) kind = 'not_found';
      if (kind === 'bad_request' && mentionsContextLength(body)) kind = 'context_length';
      const hint = kind === 'auth' ? ' (check ANTHROPIC_API_KEY or the anthropic credential)' : '';
      return new AiProviderError(this.name, kind, `HTTP ${status}: ${body}${hint}`, { status, retryAfterMs: parseRetryAfter(error.headers?.get('retry-after')) });
    }
    if (error instanceof SyntaxError) return new AiProviderError(this.name, 'bad_response', `the reply is not valid JSON (${error.message})`);
    return new AiProviderError(this.name, 'bad_response', `the reply could not be read: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  private body(request: ProviderChatRequest): Record<string, unknown> {
    const { system, messages } = toAnthropicMessages(request.messages);
    const body: Record<string, unknown> = { model: request.model, max_tokens: request.max_tokens ?? DEFAULT_MAX_TOKENS, messages };
    if (system) body.system = system;
    if (request.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, request.temperature));
    const tools = (request.tools ?? []).map((tool) => ({ name: tool.name, description: tool.description ?? '', input_schema: tool.parameters }));
    if (request.json_schema && !tools.length) {
      tools.push({ name: JSON_TOOL, description: 'Return the answer as this JSON object.', input_schema: request.json_schema });
      body.tool_choice = { type: 'tool', name: JSON_TOOL };
    }
    if (tools.length) body.tools = tools;
    return body;
  }

  private readReply(reply: unknown, request: ProviderChatRequest): ProviderChatResponse {
    const message = reply as { content?: unknown; model?: string; stop_reason?: string; usage?: { input_tokens?: number; output_tokens?: number } };
    if (!message || typeof message !== 'object' || !Array.isArray(message.content)) {
      throw new AiProviderError(this.name, 'bad_response', `the reply is not a message: ${describeErrorBody(reply) || 'empty'}`);
    }
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const block of message.content as Array<Record<string, unknown>>) {
      if (block.type === 'text') text += String(block.text ?? '');
      else if (block.type === 'tool_use') toolCalls.push({ id: String(block.id), name: String(block.name), arguments: parseToolArguments(block.input) });
    }
    return this.finish(request, text, toolCalls, message.model, message.stop_reason, message.usage?.input_tokens ?? 0, message.usage?.output_tokens ?? 0);
  }

  private finish(request: ProviderChatRequest, text: string, toolCalls: ToolCall[], model: string | undefined, stop: string | undefined, input: number, output: number): ProviderChatResponse {
    const forced = request.json_schema && !request.tools?.length ? toolCalls.find((call) => call.name === JSON_TOOL) : undefined;
    const calls = forced ? toolCalls.filter((call) => call !== forced) : toolCalls;
    return {
      text: forced ? JSON.stringify(forced.arguments) : text,
      ...(calls.length ? { tool_calls: calls } : {}),
      model: model || request.model,
      usage: { input_tokens: input, output_tokens: output },
      finish_reason: stop,
    };
  }

  async chat(request: ProviderChatRequest, options: CallOptions): Promise<ProviderChatResponse> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      const reply = await (await this.sdk()).messages.create(this.body(request) as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal: attempt.signal, timeout: options.timeoutMs });
      return this.readReply(reply, request);
    } catch (error) {
      throw this.failure(error, options, attempt.timedOut());
    } finally {
      attempt.dispose();
    }
  }

  async *stream(request: ProviderChatRequest, options: CallOptions): AsyncGenerator<ProviderStreamEvent> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      let events: AsyncIterable<Anthropic.RawMessageStreamEvent>;
      try {
        events = await (await this.sdk()).messages.create({ ...this.body(request), stream: true } as unknown as Anthropic.MessageCreateParamsStreaming, {
          signal: attempt.signal,
          timeout: options.timeoutMs,
        });
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut());
      }
      let text = '';
      let model: string | undefined;
      let stop: string | undefined;
      let input = 0;
      let output = 0;
      let stopped = false;
      const blocks = new Map<number, { id: string; name: string; json: string }>();
      const forcedJson = Boolean(request.json_schema && !request.tools?.length);
      try {
        for await (const event of events) {
          const e = event as unknown as Record<string, any>;
          switch (e.type) {
            case 'message_start':
              model = e.message?.model;
              input = e.message?.usage?.input_tokens ?? 0;
              output = e.message?.usage?.output_tokens ?? 0;
              break;
            case 'content_block_start':
              if (e.content_block?.type === 'tool_use') blocks.set(e.index, { id: e.content_block.id, name: e.content_block.name, json: '' });
              break;
            case 'content_block_delta':
              if (e.delta?.type === 'text_delta' && e.delta.text) {
                text += e.delta.text;
                yield { delta: e.delta.text };
              } else if (e.delta?.type === 'input_json_delta') {
                const block = blocks.get(e.index);
                if (block) {
                  block.json += e.delta.partial_json ?? '';
                  // Structured output arrives as the forced tool's input: stream it as the text.
                  if (forcedJson && block.name === JSON_TOOL && e.delta.partial_json) yield { delta: e.delta.partial_json };
                }
              }
              break;
            case 'message_delta':
              if (e.delta?.stop_reason) stop = e.delta.stop_reason;
              if (typeof e.usage?.output_tokens === 'number') output = e.usage.output_tokens;
              if (typeof e.usage?.input_tokens === 'number' && e.usage.input_tokens > 0) input = e.usage.input_tokens;
              break;
            case 'message_stop':
              stopped = true;
              break;
            case 'error':
              throw new AiProviderError(this.name, 'server', `the stream reported an error: ${describeErrorBody(e)}`);
          }
        }
      } catch (error) {
        throw this.failure(error, options, attempt.timedOut());
      }
      if (attempt.signal.aborted) throw abortFailure(this.name, options, attempt.timedOut());
      if (!stopped) throw new AiProviderError(this.name, 'bad_response', 'the stream ended before the reply was complete (no message_stop)', { code: 'AI_STREAM_TRUNCATED' });
      const calls = [...blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => ({ id: b.id, name: b.name, arguments: parseToolArguments(b.json) }));
      yield { done: this.finish(request, text, calls, model, stop, input, output) };
    } finally {
      attempt.dispose();
    }
  }

  async listModels(options: CallOptions): Promise<ModelInfo[]> {
    const attempt = attemptSignal(options.timeoutMs, options.signal);
    try {
      const page = await (await this.sdk()).models.list({}, { signal: attempt.signal, timeout: options.timeoutMs });
      const data = (page as unknown as { data?: Array<{ id: string }> }).data;
      if (!Array.isArray(data)) throw new AiProviderError(this.name, 'bad_response', 'the model list is not a list');
      return data.map((m) => ({ provider: this.name, id: m.id }));
    } catch (error) {
      throw this.failure(error, options, attempt.timedOut());
    } finally {
      attempt.dispose();
    }
  }
}

export function createAnthropicProvider(config: AnthropicProviderConfig): AnthropicProvider {
  return new AnthropicProvider(config);
}
