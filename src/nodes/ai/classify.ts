/** ai-classify: which of the given categories a text belongs to (one, or several with multi_label), with confidence. */
import { SkynetteError } from '../../util/errors.js';
import { defineNode, field } from '../sdk.js';
import { asText, gatewayOf, modelFields, requestBase, type ModelConfig } from './common.js';
import { chatForJson } from './json-call.js';

interface ClassifyConfig extends ModelConfig {
  text: unknown;
  categories: unknown;
  multi_label: boolean;
  instructions?: string;
}

function categoriesOf(value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  const names = [...new Set(list.map((c) => (typeof c === 'string' ? c.trim() : '')).filter(Boolean))];
  if (names.length < 2 || names.length !== list.length) {
    throw new SkynetteError('INVALID_CONFIG', 'config.categories: give at least two distinct category names, as a list ["spam", "ham"] or comma-separated text', { path: 'config.categories' });
  }
  return names;
}

export const aiClassifyNode = defineNode<ClassifyConfig>({
  type: 'ai-classify',
  name: 'AI: classify',
  description: 'Puts a text into one of your categories (or several, with multi_label), with a confidence from 0 to 1.',
  category: 'ai',
  fields: {
    text: field.expression({ required: true, placeholder: '{{ $prev.message }}' }),
    categories: field.expression({ required: true, placeholder: '["billing", "bug", "feature request"]', description: 'a list, or comma-separated text' }),
    multi_label: field.boolean({ default: false, description: 'allow several categories' }),
    instructions: field.text({ description: 'what each category means, edge cases' }),
    ...modelFields({ temperature: 0 }),
  },
  async run(ctx) {
    const { config } = ctx;
    const categories = categoriesOf(config.categories);
    const gateway = await gatewayOf(ctx);
    const label = { type: 'string', enum: categories };
    const confidence = { type: 'number', minimum: 0, maximum: 1 };
    const schema = config.multi_label
      ? {
          type: 'object',
          properties: { labels: { type: 'array', items: { type: 'object', properties: { category: label, confidence }, required: ['category', 'confidence'], additionalProperties: false } } },
          required: ['labels'],
          additionalProperties: false,
        }
      : { type: 'object', properties: { category: label, confidence }, required: ['category', 'confidence'], additionalProperties: false };
    const task = config.multi_label
      ? 'List every category that applies (possibly none), each with your confidence from 0 to 1.'
      : 'Choose the single category that fits best, with your confidence from 0 to 1.';
    const { data, retried, output } = await chatForJson(
      ctx,
      gateway,
      { ...requestBase(ctx, config), capability: 'TEXT_GENERATION' },
      [
        { role: 'system', content: [`Classify the text into these categories: ${categories.map((c) => JSON.stringify(c)).join(', ')}.`, task, config.instructions ?? '', `Reply with JSON only, matching this schema: ${JSON.stringify(schema)}`].filter(Boolean).join('\n') },
        { role: 'user', content: asText(config.text) },
      ],
      schema,
    );
    if (config.multi_label) {
      const labels = (data as { labels: Array<{ category: string; confidence: number }> }).labels;
      const scores = Object.fromEntries(labels.map((l) => [l.category, l.confidence]));
      return { categories: labels.map((l) => l.category), scores, retried, ...output };
    }
    const single = data as { category: string; confidence: number };
    return { category: single.category, confidence: single.confidence, retried, ...output };
  },
});
