/**
 * rag-answer: retrieves the chunks that best match a question, asks the AI gateway to answer from
 * them only, citing them as [1], [2], and returns the answer with the sources it cited.
 */
import type { MetadataFilter, SearchHit, SearchMode } from '../../rag/types.js';
import { SkynetteError } from '../../util/errors.js';
import { gatewayOf, logFallback, modelFields, requestBase, resultOutput, type ModelConfig } from '../ai/common.js';
import { defineNode, field } from '../sdk.js';
import { knowledgeBasesOf, objectField } from './common.js';

interface AnswerConfig extends ModelConfig {
  knowledge_base: string;
  question: string;
  mode: SearchMode;
  k: number;
  filter?: unknown;
  instructions?: string;
  max_source_chars: number;
}

export const DEFAULT_ANSWER_INSTRUCTIONS =
  'Answer the question using only the numbered sources below. After each statement, cite the sources it comes from by number in square brackets, like [1] or [2][3]. ' +
  'If the sources do not contain the answer, say that you do not know; do not make anything up.';

export const NO_SOURCES_ANSWER = 'I could not find anything about this in the knowledge base.';

function sourceLabel(hit: SearchHit): string {
  const where = [hit.metadata.heading_path, hit.metadata.page !== undefined ? `page ${hit.metadata.page}` : undefined].filter(Boolean).join(', ');
  return `${hit.document.title} (${hit.document.source}${where ? `, ${where}` : ''})`;
}

export function buildAnswerPrompt(question: string, hits: SearchHit[], instructions = DEFAULT_ANSWER_INSTRUCTIONS, maxSourceChars = 4000): { system: string; user: string } {
  const sources = hits.map((hit, i) => `[${i + 1}] ${sourceLabel(hit)}\n${hit.text.length > maxSourceChars ? `${hit.text.slice(0, maxSourceChars)}…` : hit.text}`).join('\n\n');
  return { system: `${instructions}\n\nSources:\n\n${sources}`, user: question };
}

/** The source numbers an answer cites, in order of first citation, limited to those that exist. */
export function citedSources(answer: string, count: number): number[] {
  const cited: number[] = [];
  for (const match of answer.matchAll(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g)) {
    for (const part of match[1].split(/[,;]/)) {
      const n = Number(part.trim());
      if (n >= 1 && n <= count && !cited.includes(n)) cited.push(n);
    }
  }
  return cited;
}

export const ragAnswerNode = defineNode<AnswerConfig>({
  type: 'rag-answer',
  name: 'Knowledge base: answer',
  description: 'Answers a question from a knowledge base: retrieves the best chunks, asks the AI model to answer from them only with [n] citations, and returns the answer with the sources it used.',
  category: 'rag',
  fields: {
    knowledge_base: field.string({ required: true, placeholder: 'handbook' }),
    question: field.text({ required: true, placeholder: '{{ $prev.question }}' }),
    mode: field.select(['hybrid', 'vector', 'keyword'], { default: 'hybrid', description: 'how sources are found' }),
    k: field.number({ integer: true, min: 1, max: 50, default: 4, description: 'how many chunks are given to the model' }),
    filter: field.json({ shape: 'object', description: 'metadata the sources must match, as in rag-query' }),
    instructions: field.text({ description: 'replaces the default instructions (answer only from the sources, cite them as [n])' }),
    max_source_chars: field.number({ integer: true, min: 100, default: 4000, description: 'longest text of one source in the prompt' }),
    ...modelFields({ temperature: 0.2 }),
  },
  async run(ctx) {
    const { config } = ctx;
    const question = config.question?.trim();
    if (!question) throw new SkynetteError('AI_EMPTY_PROMPT', 'config.question: the question is empty', { path: 'config.question' });
    const service = await knowledgeBasesOf(ctx);
    const search = await service.search(config.knowledge_base, question, {
      mode: config.mode,
      k: config.k,
      filter: objectField(config.filter, 'config.filter') as MetadataFilter | undefined,
      signal: ctx.signal,
    });
    if (search.notice) ctx.log.info(search.notice);
    const describe = (hit: SearchHit, i: number, cited: boolean) => ({
      n: i + 1,
      cited,
      document: hit.document,
      position: hit.position,
      score: hit.score,
      found_by: hit.found_by,
      text: hit.text,
      metadata: hit.metadata,
    });
    if (!search.hits.length) {
      // Nothing to ground an answer on: the model is not asked (it could only guess).
      return { answer: NO_SOURCES_ANSWER, found: false, question, sources: [], citations: [], retrieval: { mode: search.mode, used: search.used, k: search.k } };
    }
    const prompt = buildAnswerPrompt(question, search.hits, config.instructions?.trim() || undefined, config.max_source_chars);
    const gateway = await gatewayOf(ctx);
    const result = await gateway.chat({
      ...requestBase(ctx, config),
      capability: 'CHAT',
      messages: [
        { role: 'system', content: prompt.system },
        { role: 'user', content: prompt.user },
      ],
    });
    logFallback(ctx, result);
    const citations = citedSources(result.text, search.hits.length);
    if (!citations.length) ctx.log.warn('the answer cites no source; all retrieved sources are returned');
    const used = citations.length ? citations.map((n) => describe(search.hits[n - 1], n - 1, true)) : search.hits.map((hit, i) => describe(hit, i, false));
    return {
      answer: result.text,
      found: true,
      question,
      sources: used,
      citations,
      retrieved: search.hits.length,
      retrieval: { mode: search.mode, used: search.used, k: search.k, ...(search.notice ? { notice: search.notice } : {}) },
      ...resultOutput(result),
    };
  },
});
