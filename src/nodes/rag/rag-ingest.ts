/** rag-ingest: adds files, folders, URLs or text from the workflow to a knowledge base. */
import { SkynetteError } from '../../util/errors.js';
import type { IngestReport } from '../../rag/service.js';
import { defineNode, field } from '../sdk.js';
import { knowledgeBasesOf, objectField, stringList } from './common.js';

interface IngestConfig {
  knowledge_base: string;
  sources?: unknown;
  text?: string;
  document_id?: string;
  title?: string;
  text_type: 'text' | 'markdown' | 'html' | 'csv' | 'json';
  metadata?: unknown;
  include?: unknown;
  exclude?: unknown;
  max_size_mb: number;
  create_if_missing: boolean;
  model?: string;
  fail_on_error: boolean;
}

export const ragIngestNode = defineNode<IngestConfig>({
  type: 'rag-ingest',
  name: 'Knowledge base: add documents',
  description: 'Adds files, folders (recursively), URLs or text to a knowledge base; changed documents are replaced, unchanged ones skipped. Returns what was added and a clear error per document that failed.',
  category: 'rag',
  fields: {
    knowledge_base: field.string({ required: true, placeholder: 'handbook', description: 'the knowledge base name (skynette kb list)' }),
    sources: field.json({ description: 'paths (files, folders) and http(s) URLs: a list, or one string', placeholder: '["./docs", "https://example.com/faq.html"]' }),
    text: field.text({ description: 'a document given as text (e.g. {{ $prev.body }}); needs document_id', placeholder: '{{ $prev.body }}' }),
    document_id: field.string({ description: 'the identity of the text document: adding the same id again replaces it' }),
    title: field.string({ description: 'title of the text document' }),
    text_type: field.select(['text', 'markdown', 'html', 'csv', 'json'], { default: 'text', description: 'how to read the text document' }),
    metadata: field.json({ shape: 'object', description: 'added to every chunk; searchable with rag-query filters' }),
    include: field.json({ description: 'in folders, only files matching these globs (default: every supported type)' }),
    exclude: field.json({ description: 'in folders, leave out files matching these globs (default: hidden files, node_modules)' }),
    max_size_mb: field.number({ default: 64, min: 0.001, max: 4096, description: 'larger documents are refused unread' }),
    create_if_missing: field.boolean({ default: false, description: 'create the knowledge base when there is none by that name' }),
    model: field.string({ description: 'with create_if_missing: the embedding model (default: the local one; none: keyword only)' }),
    fail_on_error: field.boolean({ default: false, description: 'fail the node when any document fails (otherwise failures are listed in the output)' }),
  },
  async run(ctx) {
    const { config } = ctx;
    const service = await knowledgeBasesOf(ctx);
    const sources = stringList(config.sources, 'config.sources');
    const hasText = typeof config.text === 'string' && config.text !== '';
    if (!sources.length && !hasText) {
      throw new SkynetteError('INVALID_CONFIG', 'config.sources: give paths or URLs to add, or a text with a document_id', { path: 'config.sources' });
    }
    if (hasText && !config.document_id?.trim()) {
      throw new SkynetteError('INVALID_CONFIG', 'config.document_id: a text document needs an id (adding the same id again replaces it)', { path: 'config.document_id' });
    }
    let notice: string | undefined;
    if (config.create_if_missing && !(await service.repository.findByName(config.knowledge_base))) {
      const created = await service.create({ name: config.knowledge_base, model: config.model?.trim() || undefined });
      notice = created.notice;
      ctx.log.info(`created knowledge base ${config.knowledge_base}`);
    }
    const metadata = objectField(config.metadata, 'config.metadata');
    const common = { maxBytes: Math.round(config.max_size_mb * 1024 * 1024), signal: ctx.signal, metadata };
    const reports: IngestReport[] = [];
    if (sources.length) {
      reports.push(
        await service.add(config.knowledge_base, sources, {
          ...common,
          include: stringList(config.include, 'config.include'),
          exclude: config.exclude === undefined ? undefined : stringList(config.exclude, 'config.exclude'),
        }),
      );
    }
    if (hasText) {
      reports.push(
        await service.addTexts(config.knowledge_base, [{ source: config.document_id!.trim(), text: config.text!, title: config.title, type: config.text_type }], common),
      );
    }
    const documents = reports.flatMap((r) => r.documents);
    const sum = (key: 'added' | 'updated' | 'unchanged' | 'failed' | 'chunks') => reports.reduce((total, r) => total + r[key], 0);
    for (const doc of documents) if (doc.status === 'failed') ctx.log.warn(`${doc.source}: ${doc.error?.message}`);
    const output = {
      knowledge_base: config.knowledge_base,
      added: sum('added'),
      updated: sum('updated'),
      unchanged: sum('unchanged'),
      failed: sum('failed'),
      chunks: sum('chunks'),
      documents,
      ...(notice || reports[0]?.notice ? { notice: notice ?? reports[0]?.notice } : {}),
    };
    if (config.fail_on_error && output.failed) {
      const first = documents.find((d) => d.status === 'failed')!;
      throw new SkynetteError('RAG_INGEST_FAILED', `${output.failed} document${output.failed === 1 ? '' : 's'} could not be added to ${config.knowledge_base}; first: ${first.error?.message}`, {
        details: output,
      });
    }
    return output;
  },
});
