/** ai-summarize: a summary in one of four styles, kept under a length in words. */
import { defineNode, field } from '../sdk.js';
import { asText, gatewayOf, logFallback, modelFields, requestBase, resultOutput, type ModelConfig } from './common.js';

type Style = 'concise' | 'detailed' | 'bullets' | 'executive';

interface SummarizeConfig extends ModelConfig {
  text: unknown;
  style: Style;
  max_length: number;
  language?: string;
}

const STYLE_INSTRUCTIONS: Record<Style, string> = {
  concise: 'Write a concise summary in one short paragraph.',
  detailed: 'Write a detailed summary that keeps every important point, in a few paragraphs.',
  bullets: 'Summarise as a list of bullet points, one line each, starting with "- ".',
  executive: 'Write an executive summary: the conclusion first, then the key facts, risks and decisions needed.',
};

export const aiSummarizeNode = defineNode<SummarizeConfig>({
  type: 'ai-summarize',
  name: 'AI: summarize',
  description: 'Summarises a text: concise, detailed, bullet points or executive summary, within a maximum length.',
  category: 'ai',
  fields: {
    text: field.expression({ required: true, placeholder: '{{ $prev.body }}', description: 'the text to summarise (objects are summarised as JSON)' }),
    style: field.select(['concise', 'detailed', 'bullets', 'executive'], { default: 'concise' }),
    max_length: field.number({ integer: true, min: 5, max: 5000, default: 150, description: 'at most this many words' }),
    language: field.string({ description: 'write the summary in this language (default: the text\'s own)' }),
    ...modelFields({ temperature: 0.2, maxTokens: false }),
  },
  async run(ctx) {
    const { config } = ctx;
    const text = asText(config.text);
    const gateway = await gatewayOf(ctx);
    const instructions = [
      'You summarise texts faithfully, without adding facts.',
      STYLE_INSTRUCTIONS[config.style],
      `Use at most ${config.max_length} words.`,
      config.language ? `Write in ${config.language}.` : 'Write in the language of the text.',
      'Reply with the summary only.',
    ].join(' ');
    const result = await gateway.chat({
      ...requestBase(ctx, config),
      capability: 'TEXT_GENERATION',
      // Words average under two tokens; the margin keeps a reply from being cut mid-sentence.
      max_tokens: Math.ceil(config.max_length * 2) + 64,
      messages: [
        { role: 'system', content: instructions },
        { role: 'user', content: text },
      ],
    });
    logFallback(ctx, result);
    const summary = result.text.trim();
    return { summary, text: summary, style: config.style, words: summary ? summary.split(/\s+/).length : 0, ...resultOutput(result) };
  },
});
