/**
 * ai-agent: a tool-calling loop. The model gets the task and the tools (HTTP calls and stored
 * workflows the user lists); each step it either calls tools, whose results go back to it, or
 * answers. It stops at the answer or at max_steps; the output holds the full trace.
 */
import type { ChatMessage } from '../../ai/types.js';
import { defineNode, field } from '../sdk.js';
import { addUsage, gatewayOf, modelFields, requestBase, usageOf, type ModelConfig, type UsageOutput } from './common.js';
import { parseTools, runTool, toolDefinitions } from './agent-tools.js';

interface AgentConfig extends ModelConfig {
  task: string;
  system_prompt?: string;
  tools?: unknown;
  max_steps: number;
}

type TraceEntry =
  | { step: number; type: 'model'; provider: string; model: string; text: string; tool_calls?: Array<{ id: string; name: string; arguments: Record<string, unknown> }>; usage: UsageOutput }
  | { step: number; type: 'tool'; name: string; call_id: string; arguments: Record<string, unknown>; ok: boolean; result?: unknown; error?: string; duration_ms: number };

export const aiAgentNode = defineNode<AgentConfig>({
  type: 'ai-agent',
  name: 'AI: agent',
  description: 'Works on a task with tools you list (HTTP calls, stored workflows), step by step, up to a step limit; returns the answer and the full trace.',
  category: 'ai',
  fields: {
    task: field.text({ required: true, placeholder: 'Find the weather in {{ $prev.city }} and suggest what to wear' }),
    system_prompt: field.text({ default: 'You are a capable assistant. Use the tools when they help; answer plainly when you are done.' }),
    tools: field.json({
      shape: 'array',
      description:
        'HTTP tools: {"name", "description", "method", "url" (with {param} placeholders), "parameters" (JSON schema), "headers", "credential"}; workflow tools: {"name", "description", "workflow" (id or name), "parameters"}',
    }),
    max_steps: field.number({ integer: true, min: 1, max: 50, default: 8, description: 'model turns at most' }),
    ...modelFields({ temperature: 0 }),
  },
  async run(ctx) {
    const { config } = ctx;
    const tools = parseTools(config.tools);
    const gateway = await gatewayOf(ctx);
    const messages: ChatMessage[] = [
      ...(config.system_prompt ? [{ role: 'system' as const, content: config.system_prompt }] : []),
      { role: 'user', content: config.task },
    ];
    const trace: TraceEntry[] = [];
    let usage: UsageOutput = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };
    let provider = '';
    let model = '';
    let text = '';
    let pinned: { provider?: string; model?: string } = {};
    for (let step = 1; step <= config.max_steps; step++) {
      const result = await gateway.chat({
        ...requestBase(ctx, config),
        ...pinned,
        capability: tools.length ? 'FUNCTION_CALLING' : 'CHAT',
        messages,
        ...(tools.length ? { tools: toolDefinitions(tools) } : {}),
      });
      // Tool call ids belong to one provider's conversation: later steps stay with it.
      pinned = { provider: result.provider, model: result.model };
      provider = result.provider;
      model = result.model;
      text = result.text;
      usage = addUsage(usage, usageOf(result.usage, result.cost_usd));
      trace.push({ step, type: 'model', provider, model, text, ...(result.tool_calls?.length ? { tool_calls: result.tool_calls } : {}), usage: usageOf(result.usage, result.cost_usd) });
      if (!result.tool_calls?.length) {
        return { text, steps: step, stop_reason: 'answer', trace, provider, model, usage };
      }
      messages.push({ role: 'assistant', content: result.text, tool_calls: result.tool_calls });
      for (const call of result.tool_calls) {
        ctx.log.info(`step ${step}: calling ${call.name}`, call.arguments);
        const outcome = await runTool(ctx, tools, call.name, call.arguments);
        if (!outcome.ok) ctx.log.warn(`step ${step}: ${call.name} failed: ${outcome.error}`);
        trace.push({
          step,
          type: 'tool',
          name: call.name,
          call_id: call.id,
          arguments: call.arguments,
          ok: outcome.ok,
          ...(outcome.ok ? { result: outcome.result } : { error: outcome.error }),
          duration_ms: outcome.duration_ms,
        });
        messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.content });
      }
    }
    ctx.log.warn(`stopped after max_steps (${config.max_steps}) without a final answer`);
    return { text, steps: config.max_steps, stop_reason: 'max_steps', trace, provider, model, usage };
  },
});
