/** ai-text-generation: one prompt (and an optional system prompt) to the chosen or first available model. */
import { defineNode, field } from '../sdk.js';
import { gatewayOf, logFallback, modelFields, requestBase, resultOutput, type ModelConfig } from './common.js';

interface TextGenerationConfig extends ModelConfig {
  prompt: string;
  system_prompt?: string;
  json_schema?: Record<string, unknown>;
}

export const aiTextGenerationNode = defineNode<TextGenerationConfig>({
  type: 'ai-text-generation',
  name: 'AI: generate text',
  description: 'Sends a prompt to a language model (auto-selected or named) and returns its reply, the provider that answered and the usage.',
  category: 'ai',
  fields: {
    prompt: field.text({ required: true, placeholder: 'Write a haiku about {{ $prev.topic }}' }),
    system_prompt: field.text({ description: 'instructions for the model: role, tone, format' }),
    ...modelFields(),
    json_schema: field.json({ shape: 'object', description: 'ask for JSON matching this schema; the parsed value is output as data' }),
  },
  async run(ctx) {
    const { config } = ctx;
    const gateway = await gatewayOf(ctx);
    const result = await gateway.chat({
      ...requestBase(ctx, config),
      capability: 'TEXT_GENERATION',
      messages: [...(config.system_prompt ? [{ role: 'system' as const, content: config.system_prompt }] : []), { role: 'user' as const, content: config.prompt }],
      ...(config.json_schema ? { json_schema: config.json_schema } : {}),
    });
    logFallback(ctx, result);
    return {
      text: result.text,
      ...(config.json_schema ? { data: result.data ?? null, ...(result.json_error ? { json_error: result.json_error } : {}) } : {}),
      ...resultOutput(result),
    };
  },
});
