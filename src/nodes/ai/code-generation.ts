/** ai-code-generation: code in a chosen language from a description, with the code block taken out of the reply. */
import { defineNode, field } from '../sdk.js';
import { gatewayOf, logFallback, modelFields, requestBase, resultOutput, type ModelConfig } from './common.js';

interface CodeGenerationConfig extends ModelConfig {
  description: string;
  language: string;
  context?: string;
}

/** The code of the first fenced block (or the whole reply when there is none). */
export function extractCode(text: string): string {
  const fenced = /```[\w+#.-]*[^\n]*\n([\s\S]*?)```/.exec(text);
  return (fenced ? fenced[1] : text).replace(/\s+$/, '');
}

export const aiCodeGenerationNode = defineNode<CodeGenerationConfig>({
  type: 'ai-code-generation',
  name: 'AI: generate code',
  description: 'Writes code in the language you choose from a description; outputs the code alone and the full reply.',
  category: 'ai',
  fields: {
    description: field.text({ required: true, placeholder: 'A function that checks whether a string is a palindrome' }),
    language: field.string({ default: 'python', description: 'python, javascript, typescript, sql, bash, ...' }),
    context: field.text({ description: 'existing code or constraints the code must fit' }),
    ...modelFields({ temperature: 0.2 }),
  },
  async run(ctx) {
    const { config } = ctx;
    const gateway = await gatewayOf(ctx);
    const result = await gateway.chat({
      ...requestBase(ctx, config),
      capability: 'CODE_GENERATION',
      messages: [
        {
          role: 'system',
          content: `You are an expert ${config.language} programmer. Reply with one fenced code block of ${config.language} code that does what is asked, followed by at most two sentences of explanation.`,
        },
        { role: 'user', content: config.context ? `${config.description}\n\nContext:\n${config.context}` : config.description },
      ],
    });
    logFallback(ctx, result);
    return { code: extractCode(result.text), language: config.language, text: result.text, ...resultOutput(result) };
  },
});
