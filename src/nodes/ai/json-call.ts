/**
 * A chat call whose reply must be JSON matching a schema: an invalid reply is sent back once with
 * what was wrong (to the provider that answered), and a second invalid reply is an error.
 */
import type { AiGateway, ChatRequest, ChatResult } from '../../ai/gateway.js';
import { readJsonReply } from '../../ai/json-output.js';
import type { ChatMessage } from '../../ai/types.js';
import { SkynetteError } from '../../util/errors.js';
import type { NodeContext } from '../sdk.js';
import { addUsage, logFallback, resultOutput, usageOf, type UsageOutput } from './common.js';

export interface JsonCallResult {
  data: unknown;
  retried: boolean;
  result: ChatResult;
  output: ReturnType<typeof resultOutput>;
}

export async function chatForJson(
  ctx: NodeContext<any>,
  gateway: AiGateway,
  base: Omit<ChatRequest, 'messages'>,
  messages: ChatMessage[],
  schema: Record<string, unknown>,
  check?: (value: unknown) => string | undefined,
): Promise<JsonCallResult> {
  const problemOf = (result: ChatResult): string | undefined => (result.data === undefined ? (result.json_error ?? 'no JSON in the reply') : check?.(result.data));
  const first = await gateway.chat({ ...base, messages, json_schema: schema });
  logFallback(ctx, first);
  const firstProblem = problemOf(first);
  if (!firstProblem) return { data: first.data, retried: false, result: first, output: resultOutput(first) };
  ctx.log.warn(`the reply was not valid (${firstProblem}); asking once more`);
  const second = await gateway.chat({
    ...base,
    provider: first.provider,
    model: first.model,
    json_schema: schema,
    messages: [
      ...messages,
      { role: 'assistant', content: first.text || '(empty reply)' },
      { role: 'user', content: `That reply is not valid: ${firstProblem}. Reply again with only the corrected JSON object.` },
    ],
  });
  const usage: UsageOutput = addUsage(usageOf(first.usage, first.cost_usd), usageOf(second.usage, second.cost_usd));
  const secondProblem = problemOf(second);
  if (secondProblem) {
    const check = readJsonReply(second.text, schema);
    throw new SkynetteError('AI_INVALID_REPLY', `the model's reply did not match the schema after one retry: ${check.ok ? secondProblem : check.error}`, {
      details: { reply: second.text.slice(0, 2000), provider: second.provider, model: second.model, usage },
    });
  }
  return { data: second.data, retried: true, result: second, output: { ...resultOutput(second), usage } };
}
