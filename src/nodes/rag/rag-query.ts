/** rag-query: searches a knowledge base (hybrid by default) and returns the best chunks. */
import type { MetadataFilter, SearchMode } from '../../rag/types.js';
import { defineNode, field } from '../sdk.js';
import { knowledgeBasesOf, objectField } from './common.js';

interface QueryConfig {
  knowledge_base: string;
  query: string;
  mode: SearchMode;
  k: number;
  filter?: unknown;
}

export const ragQueryNode = defineNode<QueryConfig>({
  type: 'rag-query',
  name: 'Knowledge base: search',
  description: 'Searches a knowledge base: hybrid (vector + keyword, fused by reciprocal rank), vector or keyword. Each hit has the chunk text, its document, position, score and which index found it.',
  category: 'rag',
  fields: {
    knowledge_base: field.string({ required: true, placeholder: 'handbook' }),
    query: field.text({ required: true, placeholder: '{{ $prev.question }}' }),
    mode: field.select(['hybrid', 'vector', 'keyword'], { default: 'hybrid', description: 'a knowledge base without an embedding model searches by keyword (and says so)' }),
    k: field.number({ integer: true, min: 1, max: 100, default: 5, description: 'how many chunks' }),
    filter: field.json({ shape: 'object', description: 'metadata that must match: {"type": "pdf"}, {"source": [...]}, {"heading_path": "Setup > Install"}' }),
  },
  async run(ctx) {
    const { config } = ctx;
    const service = await knowledgeBasesOf(ctx);
    const result = await service.search(config.knowledge_base, config.query, {
      mode: config.mode,
      k: config.k,
      filter: objectField(config.filter, 'config.filter') as MetadataFilter | undefined,
      signal: ctx.signal,
    });
    if (result.notice) ctx.log.info(result.notice);
    return result;
  },
});
