/**
 * What the AI nodes share: the provider/model fields, the call context (so usage rows name the
 * workflow, execution and node), budget warnings into the node's log, and the common output shape
 * `{..., provider, model, usage: {input_tokens, output_tokens, cost_usd}}`.
 */
import type { AiGateway, ChatRequest, ChatResult } from '../../ai/gateway.js';
import type { AiCallContext, TokenUsage } from '../../ai/types.js';
import { field, type FieldMap, type NodeContext } from '../sdk.js';

export const PROVIDER_CHOICES = ['auto', 'openai', 'anthropic', 'ollama', 'lmstudio', 'llamacpp'];

export interface ModelConfig {
  provider: string;
  model?: string;
  max_tokens?: number;
  temperature?: number;
  timeout_ms?: number;
}

export function modelFields(options: { temperature?: number; maxTokens?: boolean } = {}): FieldMap {
  return {
    provider: field.select(PROVIDER_CHOICES, { default: 'auto', description: 'auto: the first enabled, configured provider that can do this (skynette ai providers list)' }),
    model: field.string({ description: 'a model id of that provider (gpt-4o, claude-sonnet-4-20250514, llama3.2, a .gguf file name); empty: its default' }),
    ...(options.maxTokens === false ? {} : { max_tokens: field.number({ integer: true, min: 1, max: 1_000_000, description: 'longest reply, in tokens' }) }),
    temperature: field.number({ min: 0, max: 2, ...(options.temperature !== undefined ? { default: options.temperature } : {}), description: '0: focused and repeatable; higher: more varied' }),
    timeout_ms: field.number({ integer: true, min: 100, description: 'per provider attempt (default 120000)' }),
  };
}

export function callContext(ctx: NodeContext<any>): AiCallContext {
  return { workflow_id: ctx.workflow.id, execution_id: ctx.execution.id, node_id: ctx.node.id };
}

export async function gatewayOf(_ctx: NodeContext<any>): Promise<AiGateway> {
  // Loaded on first use: the gateway and its SDKs cost start-up time that workflows without AI nodes should not pay.
  const { getGateway } = await import('../../ai/gateway.js');
  return getGateway();
}

/** The parts of a request every AI node sets the same way. */
export function requestBase(ctx: NodeContext<any>, config: ModelConfig): Pick<ChatRequest, 'provider' | 'model' | 'max_tokens' | 'temperature' | 'timeout_ms' | 'signal' | 'context' | 'onWarning'> {
  return {
    provider: config.provider && config.provider !== 'auto' ? config.provider : undefined,
    model: config.model?.trim() || undefined,
    max_tokens: config.max_tokens,
    temperature: config.temperature,
    timeout_ms: config.timeout_ms,
    signal: ctx.signal,
    context: callContext(ctx),
    onWarning: (message) => ctx.log.warn(message),
  };
}

export interface UsageOutput {
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export function usageOf(usage: TokenUsage, cost: number): UsageOutput {
  return { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, cost_usd: cost };
}

/** Adds several calls' usage (an extract retry, an agent's steps). */
export function addUsage(a: UsageOutput, b: UsageOutput): UsageOutput {
  return { input_tokens: a.input_tokens + b.input_tokens, output_tokens: a.output_tokens + b.output_tokens, cost_usd: Math.round((a.cost_usd + b.cost_usd) * 1e8) / 1e8 };
}

export function resultOutput(result: ChatResult): { provider: string; model: string; usage: UsageOutput; latency_ms: number; tried?: ChatResult['tried'] } {
  return {
    provider: result.provider,
    model: result.model,
    usage: usageOf(result.usage, result.cost_usd),
    latency_ms: result.latency_ms,
    ...(result.tried.length ? { tried: result.tried } : {}),
  };
}

/** Logs which providers failed before one answered. */
export function logFallback(ctx: NodeContext<any>, result: { provider: string; tried: ChatResult['tried'] }): void {
  for (const t of result.tried) ctx.log.warn(`${t.provider} was skipped: ${t.error}`);
  if (result.tried.length) ctx.log.info(`answered by ${result.provider}`);
}

/** Text of an input that may be a string or any value (objects become JSON). */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
