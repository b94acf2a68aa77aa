/**
 * Checks a request before any provider is called (an empty or oversized prompt, bad options), and
 * the routing rules that need no state: which provider a model id belongs to, which capability a
 * chat request needs.
 */
import { SkynetteError } from '../util/errors.js';
import type { Capability, ChatMessage, ChatRequest } from './types.js';

export const DEFAULT_MAX_PROMPT_CHARS = 2_000_000;
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

/** `gpt-4o` belongs to openai, `claude-...` to anthropic, `x.gguf` to llamacpp. */
export function inferProvider(model: string): string | undefined {
  if (/^(gpt-|o\d(-|$)|chatgpt-|text-embedding-|dall-e-|davinci|babbage)/i.test(model)) return 'openai';
  if (/^claude-/i.test(model)) return 'anthropic';
  if (/\.gguf$/i.test(model)) return 'llamacpp';
  return undefined;
}

/** The requested model applies to the provider named with it, or to the provider it belongs to. */
export function modelFor(provider: string, model: string | undefined, requested: string | undefined): string | undefined {
  if (!model) return undefined;
  const explicit = requested && requested !== 'auto' ? requested : undefined;
  if (explicit) return provider === explicit ? model : undefined;
  return (inferProvider(model) ?? provider) === provider ? model : undefined;
}

export function capabilityOf(request: ChatRequest): Capability {
  if (request.capability) return request.capability;
  if (request.tools?.length) return 'FUNCTION_CALLING';
  if (request.messages.some((m) => Array.isArray(m.content) && m.content.some((p) => p.type === 'image'))) return 'IMAGE_ANALYSIS';
  return 'CHAT';
}

function contentLength(message: ChatMessage): number {
  if (typeof message.content === 'string') return message.content.length;
  return message.content.reduce((sum, part) => sum + (part.type === 'text' ? part.text.length : 0), 0);
}

function hasContent(message: ChatMessage): boolean {
  if (typeof message.content === 'string') return message.content.trim().length > 0;
  return message.content.some((part) => (part.type === 'text' ? part.text.trim().length > 0 : Boolean(part.data_base64 || part.url)));
}

export function formatChars(count: number): string {
  return count >= 1_000_000 ? `${(count / 1_000_000).toFixed(1)} million characters` : `${count} characters`;
}

export function badRequest(code: string, message: string, path?: string): SkynetteError {
  return new SkynetteError(code, message, { path });
}

export function checkOptions(request: { max_tokens?: unknown; temperature?: unknown; timeout_ms?: unknown }): void {
  if (request.max_tokens !== undefined && (!Number.isInteger(request.max_tokens) || (request.max_tokens as number) < 1)) {
    throw badRequest('AI_BAD_REQUEST', 'max_tokens must be a whole number of at least 1', 'max_tokens');
  }
  if (request.temperature !== undefined && (typeof request.temperature !== 'number' || request.temperature < 0 || request.temperature > 2)) {
    throw badRequest('AI_BAD_REQUEST', 'temperature must be a number from 0 to 2', 'temperature');
  }
  if (request.timeout_ms !== undefined && (typeof request.timeout_ms !== 'number' || !(request.timeout_ms > 0))) {
    throw badRequest('AI_BAD_REQUEST', 'timeout_ms must be a positive number of milliseconds', 'timeout_ms');
  }
}

/** The messages of a chat request, checked: roles, content, something to answer, and size. */
export function checkMessages(messages: unknown, limit: number): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('AI_EMPTY_PROMPT', 'the prompt is empty: give at least one message with text', 'messages');
  let total = 0;
  messages.forEach((m, i) => {
    if (!m || typeof m !== 'object' || !ROLES.has((m as ChatMessage).role)) {
      throw badRequest('AI_BAD_REQUEST', `messages[${i}].role: must be one of system, user, assistant, tool`, `messages[${i}].role`);
    }
    const content = (m as ChatMessage).content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw badRequest('AI_BAD_REQUEST', `messages[${i}].content: must be text or a list of text and image parts`, `messages[${i}].content`);
    }
    total += contentLength(m as ChatMessage);
  });
  const list = messages as ChatMessage[];
  if (!list.some((m) => m.role !== 'system' && hasContent(m))) {
    throw badRequest('AI_EMPTY_PROMPT', 'the prompt is empty: write what the model should do', 'messages');
  }
  if (total > limit) {
    throw badRequest(
      'AI_PROMPT_TOO_LARGE',
      `the prompt is ${formatChars(total)}, more than the ${formatChars(limit)} allowed; summarise or split the input first (or raise max_prompt_chars: skynette ai settings set max_prompt_chars N)`,
      'messages',
    );
  }
  return list;
}
