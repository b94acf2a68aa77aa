/**
 * ai-extract: structured data from a text, by a field list or a JSON schema. The reply is checked
 * against the schema; an invalid reply is sent back once with what was wrong, and a second
 * invalid reply fails the node with that explanation.
 */
import { schemaFromFields } from '../../ai/json-output.js';
import type { ChatMessage } from '../../ai/types.js';
import { SkynetteError } from '../../util/errors.js';
import { defineNode, field } from '../sdk.js';
import { asText, gatewayOf, modelFields, requestBase, type ModelConfig } from './common.js';
import { chatForJson } from './json-call.js';

interface ExtractConfig extends ModelConfig {
  text: unknown;
  fields?: Record<string, unknown> | string[];
  schema?: Record<string, unknown>;
  instructions?: string;
}

function schemaOf(config: ExtractConfig): Record<string, unknown> {
  if (config.schema) {
    if (typeof config.schema !== 'object' || Array.isArray(config.schema)) throw new SkynetteError('INVALID_CONFIG', 'config.schema: expected a JSON schema object', { path: 'config.schema' });
    return config.schema;
  }
  const fields = config.fields;
  const empty = !fields || (Array.isArray(fields) ? fields.length === 0 : Object.keys(fields).length === 0);
  if (empty) {
    throw new SkynetteError('INVALID_CONFIG', 'config.fields: name the fields to extract ({"name": "string", "total": "number"} or ["name", "email"]), or give a JSON schema in config.schema', {
      path: 'config.fields',
    });
  }
  if (Array.isArray(fields) && fields.some((f) => typeof f !== 'string' || !f)) throw new SkynetteError('INVALID_CONFIG', 'config.fields: a list of field names must hold only text', { path: 'config.fields' });
  return schemaFromFields(fields as Record<string, unknown> | string[]);
}

export const aiExtractNode = defineNode<ExtractConfig>({
  type: 'ai-extract',
  name: 'AI: extract data',
  description: 'Extracts structured data from text into the fields or JSON schema you give; the reply is validated (one retry with the validation error).',
  category: 'ai',
  fields: {
    text: field.expression({ required: true, placeholder: '{{ $prev.email_body }}' }),
    fields: field.json({ description: 'the fields: {"name": "string", "total": "number", "items": "string[]"} or ["name", "email"]' }),
    schema: field.json({ shape: 'object', description: 'a JSON schema instead of fields' }),
    instructions: field.text({ description: 'extra guidance, e.g. "dates as YYYY-MM-DD"' }),
    ...modelFields({ temperature: 0 }),
  },
  async run(ctx) {
    const { config } = ctx;
    const schema = schemaOf(config);
    const gateway = await gatewayOf(ctx);
    const messages: ChatMessage[] = [
      {
        role: 'system',
        content: [
          'Extract information from the text the user gives.',
          `Reply with one JSON object only, matching this JSON schema: ${JSON.stringify(schema)}`,
          'Use null for a value the text does not contain. Do not invent values.',
          config.instructions ?? '',
        ]
          .filter(Boolean)
          .join('\n'),
      },
      { role: 'user', content: asText(config.text) },
    ];
    const { data, retried, result, output } = await chatForJson(ctx, gateway, { ...requestBase(ctx, config), capability: 'TEXT_GENERATION' }, messages, schema);
    return { data, retried, text: result.text, ...output };
  },
});
