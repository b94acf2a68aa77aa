/**
 * Knowledge bases: create one with an embedding model fixed at creation, add documents (files,
 * folders, URLs, text) with a clear error per document while the rest of the batch goes in,
 * search them (hybrid by default), remove documents, see stats.
 */
import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { resolveModelsDir } from '../ai/models-dir.js';
import { SkynetteError, errorMessage } from '../util/errors.js';
import { approximateTokenCount, chunkDocument, validateChunking } from './chunker.js';
import { textHash } from './embedders/cache.js';
import type { EmbeddingGateway } from './embedders/gateway.js';
import { createEmbedder, defaultModelSpec, normalizeModelSpec, parseModelSpec } from './embedders/resolve.js';
import type { Embedder } from './embedders/types.js';
import { DEFAULT_RRF_K, reciprocalRankFusion, type FusedChunk } from './fusion.js';
import { expandSources, parseDocument, readDocument, type DocumentSource } from './loaders/index.js';
import { KnowledgeBaseRepository } from './repository.js';
import { PostgresRagStore } from './stores/postgres.js';
import { dimensionMismatch, SqliteRagStore } from './stores/sqlite.js';
import type { ChunkToStore, DocumentRecord, KnowledgeBaseRecord, RagDatabase, RagStore, RankedChunk } from './stores/types.js';
import type { ChunkingSettings, MetadataFilter, SearchHit, SearchMode, SearchResult } from './types.js';

export interface KnowledgeBaseServiceOptions {
  database: RagDatabase;
  /** Where local models live (default: SKYNETTE_MODELS_DIR, else ~/skynette/models). */
  modelsDir?: string;
  gateway?: () => Promise<EmbeddingGateway>;
  /** Replaces model lookup (tests). */
  embedderFor?: (spec: string) => Embedder;
  /** Reciprocal rank fusion constant (default 60). */
  rrfK?: number;
}

export interface CreateKnowledgeBaseInput {
  name: string;
  /** A model spec; undefined picks the local default (keyword only when there is none); `none` for keyword only. */
  model?: string | null;
  chunking?: Partial<ChunkingSettings>;
  description?: string;
}

export interface AddOptions {
  /** Globs for files inside folders. */
  include?: string[];
  exclude?: string[];
  /** Larger documents are refused unread (default 64 MB). */
  maxBytes?: number;
  /** Merged into every chunk's metadata (filterable). */
  metadata?: Record<string, unknown>;
  cwd?: string;
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
}

export type DocumentStatus = 'added' | 'updated' | 'unchanged' | 'failed';

export interface IngestProgress {
  done: number;
  total: number;
  source: string;
  status: DocumentStatus;
}

export interface DocumentOutcome {
  source: string;
  status: DocumentStatus;
  document_id?: string;
  chunks?: number;
  error?: { code: string; message: string };
}

export interface IngestReport {
  knowledge_base: string;
  added: number;
  updated: number;
  unchanged: number;
  failed: number;
  chunks: number;
  documents: DocumentOutcome[];
  took_ms: number;
  notice?: string;
}

export interface TextDocumentInput {
  /** The document's identity in the base (re-adding the same source replaces it). */
  source: string;
  text: string;
  title?: string;
  type?: 'text' | 'markdown' | 'html' | 'csv' | 'json';
  metadata?: Record<string, unknown>;
}

export interface SearchOptions {
  mode?: SearchMode;
  k?: number;
  filter?: MetadataFilter;
  signal?: AbortSignal;
}

export interface KnowledgeBaseStats {
  name: string;
  id: string;
  description: string;
  embedding_model: string | null;
  dimensions: number | null;
  max_tokens: number | null;
  chunking: ChunkingSettings;
  documents: number;
  chunks: number;
  size_bytes: number;
  types: Record<string, number>;
  indexes: { vector: number; keyword: number; storage: string };
  search_modes: SearchMode[];
  created_at: string;
  updated_at: string;
}

export const MAX_K = 100;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function keywordOnlyNotice(kb: Pick<KnowledgeBaseRecord, 'name'>): string {
  return `knowledge base "${kb.name}" has no embedding model, so this is keyword search only`;
}

export class KnowledgeBaseService {
  readonly store: RagStore;
  readonly repository: KnowledgeBaseRepository;
  readonly modelsDir: string;
  private readonly rrfK: number;

  constructor(private readonly options: KnowledgeBaseServiceOptions) {
    this.store = options.database.dialect === 'sqlite' ? new SqliteRagStore(options.database) : new PostgresRagStore(options.database);
    this.repository = new KnowledgeBaseRepository(options.database.db);
    this.modelsDir = options.modelsDir ?? resolveModelsDir(undefined);
    this.rrfK = options.rrfK ?? DEFAULT_RRF_K;
  }

  embedderFor(spec: string): Embedder {
    return this.options.embedderFor?.(spec) ?? createEmbedder(spec, { modelsDir: this.modelsDir, gateway: this.options.gateway });
  }

  async get(name: string): Promise<KnowledgeBaseRecord> {
    const kb = await this.repository.findByName(name);
    if (kb) return kb;
    const names = await this.repository.names();
    throw new SkynetteError('KB_NOT_FOUND', `no knowledge base "${name}"${names.length ? ` (there are: ${names.join(', ')})` : ' (there are none yet: skynette kb create NAME)'}`, {
      path: 'knowledge_base',
    });
  }

  async create(input: CreateKnowledgeBaseInput): Promise<{ knowledge_base: KnowledgeBaseRecord; notice?: string }> {
    const name = input.name?.trim() ?? '';
    if (!NAME_PATTERN.test(name)) {
      throw new SkynetteError('KB_NAME_INVALID', `"${name}" is not a valid knowledge base name: use 1-64 letters, digits, _ . or -, starting with a letter or digit`, { path: 'name' });
    }
    if (await this.repository.findByName(name)) throw new SkynetteError('KB_EXISTS', `a knowledge base "${name}" already exists`, { path: 'name' });
    const chunking = validateChunking(input.chunking ?? {});
    let notice: string | undefined;
    let spec: string | null;
    if (input.model === undefined) {
      spec = defaultModelSpec(this.modelsDir) ?? null;
      if (!spec) {
        notice = `no embedding model in ${this.modelsDir}, so "${name}" uses keyword search only; to add vector search, install a model (skynette models add PATH, or skynette models pull NAME) and create the knowledge base again with --model`;
      }
    } else {
      // An injected embedder factory (tests, benchmarks) knows its own specs.
      spec = this.options.embedderFor ? (parseModelSpec(input.model).kind === 'none' ? null : input.model!.trim()) : normalizeModelSpec(input.model, this.modelsDir);
      if (!spec) notice = `"${name}" has no embedding model (--model none): keyword search only`;
    }
    let dimensions: number | null = null;
    let maxTokens: number | null = null;
    if (spec) {
      const embedder = this.embedderFor(spec);
      const [probe] = await embedder.embed(['dimension probe']);
      if (!probe?.length) throw new SkynetteError('EMBEDDING_FAILED', `the embedding model ${spec} returned no vector`);
      dimensions = probe.length;
      maxTokens = embedder.maxTokens ?? null;
    }
    if (chunking.unit === 'tokens' && maxTokens && chunking.size > maxTokens) {
      throw new SkynetteError('CHUNKING_INVALID', `a chunk size of ${chunking.size} tokens is larger than the window of ${spec} (${maxTokens} tokens); use --chunk-size ${maxTokens} or less`, {
        path: 'chunking.size',
      });
    }
    const now = new Date().toISOString();
    const kb: KnowledgeBaseRecord = {
      id: `kb_${randomBytes(6).toString('hex')}`,
      name,
      description: input.description ?? '',
      embedding_model: spec,
      dimensions,
      max_tokens: maxTokens,
      chunking,
      created_at: now,
      updated_at: now,
    };
    await this.store.createKnowledgeBase(kb);
    return { knowledge_base: kb, notice };
  }

  async list() {
    return this.repository.list();
  }

  async delete(name: string): Promise<void> {
    await this.store.deleteKnowledgeBase(await this.get(name));
  }

  async documents(name: string): Promise<DocumentRecord[]> {
    return this.repository.documents((await this.get(name)).id);
  }

  /** `ref` is a document id, its source (path or URL), a path relative to `cwd`, or a file name found once. */
  async findDocument(name: string, ref: string, cwd = process.cwd()): Promise<{ kb: KnowledgeBaseRecord; document: DocumentRecord }> {
    const kb = await this.get(name);
    const direct = (await this.repository.findDocumentById(kb.id, ref)) ?? (await this.repository.findDocument(kb.id, ref));
    if (direct) return { kb, document: direct };
    if (!/^https?:\/\//i.test(ref)) {
      const path = isAbsolute(ref) ? ref : resolve(cwd, ref);
      const byPath = await this.repository.findDocument(kb.id, path);
      if (byPath) return { kb, document: byPath };
    }
    const all = await this.repository.documents(kb.id);
    const byName = all.filter((d) => d.source.endsWith(`/${ref}`) || d.title === ref);
    if (byName.length === 1) return { kb, document: byName[0] };
    if (byName.length > 1) {
      throw new SkynetteError('DOCUMENT_AMBIGUOUS', `"${ref}" matches ${byName.length} documents in "${name}": ${byName.map((d) => d.source).join(', ')}; give the full path or the document id`, {
        path: 'document',
      });
    }
    throw new SkynetteError('DOCUMENT_NOT_FOUND', `knowledge base "${name}" has no document "${ref}" (see skynette kb docs ${name})`, { path: 'document' });
  }

  async removeDocument(name: string, ref: string, cwd?: string): Promise<DocumentRecord> {
    const { kb, document } = await this.findDocument(name, ref, cwd);
    await this.store.deleteDocument(kb, document.id);
    await this.repository.touch(kb.id, new Date().toISOString());
    return document;
  }

  async add(name: string, inputs: string[], options: AddOptions = {}): Promise<IngestReport> {
    const kb = await this.get(name);
    const { sources, problems } = await expandSources(inputs, { include: options.include, exclude: options.exclude, cwd: options.cwd });
    const failures: DocumentOutcome[] = problems.map((p) => ({ source: p.source, status: 'failed', error: { code: p.error.code, message: p.error.message } }));
    return this.ingest(kb, sources, options, failures);
  }

  async addTexts(name: string, documents: TextDocumentInput[], options: Omit<AddOptions, 'include' | 'exclude' | 'cwd'> = {}): Promise<IngestReport> {
    const kb = await this.get(name);
    const sources: DocumentSource[] = documents.map((d) => ({ kind: 'text', source: d.source, text: d.text, title: d.title, type: d.type }));
    const metadataBySource = new Map(documents.map((d) => [d.source, d.metadata]));
    return this.ingest(kb, sources, options, [], metadataBySource);
  }

  private async ingest(
    kb: KnowledgeBaseRecord,
    sources: DocumentSource[],
    options: AddOptions,
    outcomes: DocumentOutcome[],
    metadataBySource?: Map<string, Record<string, unknown> | undefined>,
  ): Promise<IngestReport> {
    const started = performance.now();
    const total = sources.length + outcomes.length;
    let done = 0;
    for (const failure of outcomes) options.onProgress?.({ done: ++done, total, source: failure.source, status: 'failed' });
    const embedder = kb.embedding_model ? this.embedderFor(kb.embedding_model) : undefined;
    for (const source of sources) {
      if (options.signal?.aborted) throw new SkynetteError('ABORTED', `adding documents to "${kb.name}" was cancelled after ${done} of ${total}`);
      let outcome: DocumentOutcome;
      try {
        outcome = await this.ingestOne(kb, embedder, source, options, metadataBySource?.get(source.source));
      } catch (error) {
        outcome = { source: source.source, status: 'failed', error: { code: error instanceof SkynetteError ? error.code : 'INGEST_FAILED', message: errorMessage(error) } };
      }
      outcomes.push(outcome);
      options.onProgress?.({ done: ++done, total, source: source.source, status: outcome.status });
    }
    if (outcomes.some((o) => o.status === 'added' || o.status === 'updated')) await this.repository.touch(kb.id, new Date().toISOString());
    const count = (status: DocumentStatus) => outcomes.filter((o) => o.status === status).length;
    return {
      knowledge_base: kb.name,
      added: count('added'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      failed: count('failed'),
      chunks: outcomes.reduce((sum, o) => sum + (o.status === 'added' || o.status === 'updated' ? (o.chunks ?? 0) : 0), 0),
      documents: outcomes,
      took_ms: Math.round(performance.now() - started),
      notice: kb.embedding_model ? undefined : `"${kb.name}" has no embedding model: documents are indexed for keyword search only`,
    };
  }

  private async ingestOne(
    kb: KnowledgeBaseRecord,
    embedder: Embedder | undefined,
    source: DocumentSource,
    options: AddOptions,
    extraMetadata: Record<string, unknown> | undefined,
  ): Promise<DocumentOutcome> {
    const raw = await readDocument(source, { maxBytes: options.maxBytes, signal: options.signal });
    const existing = await this.repository.findDocument(kb.id, raw.source);
    const metadataJson = JSON.stringify({ ...options.metadata, ...extraMetadata });
    // Unchanged bytes (and metadata) cost one hash: nothing is parsed, embedded or written.
    if (existing && existing.content_hash === raw.contentHash && JSON.stringify(existing.metadata.user ?? {}) === metadataJson) {
      return { source: raw.source, status: 'unchanged', document_id: existing.id, chunks: existing.chunk_count };
    }
    const loaded = await parseDocument(raw);
    await embedder?.ready?.();
    const countTokens = embedder?.countTokens ? (text: string) => embedder.countTokens!(text) : undefined;
    const chunks = chunkDocument(loaded, kb.chunking, {
      countTokens: kb.chunking.unit === 'tokens' ? (countTokens ?? approximateTokenCount) : countTokens,
      maxTokens: embedder?.maxTokens,
    });
    if (!chunks.length) throw new SkynetteError('DOCUMENT_EMPTY', `${raw.source} has no text to index; nothing to add`, { path: raw.source });
    const userMetadata = JSON.parse(metadataJson) as Record<string, unknown>;
    const toStore: ChunkToStore[] = chunks.map((chunk) => ({
      position: chunk.position,
      text: chunk.text,
      content_hash: textHash(chunk.text),
      start: chunk.start,
      end: chunk.end,
      metadata: { ...userMetadata, source: loaded.source, title: loaded.title, type: loaded.type, ...chunk.metadata },
    }));
    if (embedder) await this.attachVectors(kb, embedder, toStore, options.signal);
    const now = new Date().toISOString();
    const document: DocumentRecord = {
      id: existing?.id ?? `doc_${randomBytes(8).toString('hex')}`,
      kb_id: kb.id,
      source: loaded.source,
      title: loaded.title,
      type: loaded.type,
      content_hash: loaded.contentHash,
      size_bytes: loaded.sizeBytes,
      chunk_count: toStore.length,
      metadata: { ...loaded.metadata, user: userMetadata },
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    await this.store.replaceDocument(kb, document, toStore);
    return { source: loaded.source, status: existing ? 'updated' : 'added', document_id: document.id, chunks: toStore.length };
  }

  /** Vectors for the chunks: reused from stored chunks with the same text, the rest embedded in batches. */
  private async attachVectors(kb: KnowledgeBaseRecord, embedder: Embedder, chunks: ChunkToStore[], signal?: AbortSignal): Promise<void> {
    const stored = await this.store.vectorsByHash(
      kb,
      chunks.map((c) => c.content_hash),
    );
    const missing = chunks.filter((c) => !stored.has(c.content_hash));
    for (const chunk of chunks) chunk.vector = stored.get(chunk.content_hash);
    if (!missing.length) return;
    const vectors = await embedder.embed(
      missing.map((c) => c.text),
      { signal },
    );
    missing.forEach((chunk, i) => {
      const vector = vectors[i];
      if (!vector || vector.length !== kb.dimensions) throw dimensionMismatch(kb, vector?.length);
      chunk.vector = vector;
    });
  }

  async search(name: string, query: string, options: SearchOptions = {}): Promise<SearchResult> {
    const started = performance.now();
    const kb = await this.get(name);
    const mode = options.mode ?? 'hybrid';
    if (!['hybrid', 'vector', 'keyword'].includes(mode)) {
      throw new SkynetteError('SEARCH_MODE_INVALID', `search mode must be hybrid, vector or keyword (got "${mode}")`, { path: 'mode' });
    }
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new SkynetteError('SEARCH_K_INVALID', `k must be a whole number from 1 to ${MAX_K} (got ${k})`, { path: 'k' });
    const text = (query ?? '').trim();
    if (!text) throw new SkynetteError('QUERY_EMPTY', 'the search query is empty', { path: 'query' });
    let notice: string | undefined;
    let useVector = mode !== 'keyword';
    const useKeyword = mode !== 'vector';
    if (useVector && !kb.embedding_model) {
      if (mode === 'vector') {
        throw new SkynetteError('KB_NO_MODEL', `knowledge base "${kb.name}" has no embedding model, so it has no vector index; search it with --mode keyword (or hybrid, which then uses keyword search)`, {
          path: 'mode',
        });
      }
      useVector = false;
      notice = keywordOnlyNotice(kb);
    }
    // Hybrid looks deeper into each list than k, so fusion has something to fuse.
    const depth = mode === 'hybrid' ? Math.max(k * 3, 30) : k;
    let vectorHits: RankedChunk[] = [];
    let keywordHits: RankedChunk[] = [];
    if (useVector) {
      const vector = await this.embedQuery(kb, text, options.signal);
      vectorHits = await this.store.vectorSearch(kb, vector, depth, options.filter);
    }
    if (useKeyword) keywordHits = await this.store.keywordSearch(kb, text, depth, options.filter);
    const fused: FusedChunk[] =
      useVector && useKeyword
        ? reciprocalRankFusion(vectorHits, keywordHits, this.rrfK)
        : useVector
          ? vectorHits.map((h, i) => ({ chunk_id: h.chunk_id, score: h.score, vector: { rank: i + 1, similarity: h.score } }))
          : keywordHits.map((h, i) => ({ chunk_id: h.chunk_id, score: h.score, keyword: { rank: i + 1, score: h.score } }));
    const top = fused.slice(0, k);
    const rows = await this.repository.chunks(top.map((t) => t.chunk_id));
    const hits: SearchHit[] = [];
    for (const item of top) {
      const row = rows.get(item.chunk_id);
      if (!row) continue;
      const found_by: SearchHit['found_by'] = [];
      if (item.vector) found_by.push('vector');
      if (item.keyword) found_by.push('keyword');
      hits.push({
        chunk_id: row.id,
        text: row.text,
        document: { id: row.document_id, source: row.source, title: row.title, type: row.type },
        position: row.position,
        score: item.score,
        found_by,
        ...(item.vector ? { vector: item.vector } : {}),
        ...(item.keyword ? { keyword: item.keyword } : {}),
        metadata: row.metadata,
      });
    }
    const used: SearchResult['used'] = [];
    if (useVector) used.push('vector');
    if (useKeyword) used.push('keyword');
    return { knowledge_base: kb.name, query: text, mode, used, k, hits, ...(notice ? { notice } : {}), took_ms: Math.round((performance.now() - started) * 100) / 100 };
  }

  private async embedQuery(kb: KnowledgeBaseRecord, query: string, signal?: AbortSignal): Promise<Float32Array> {
    const embedder = this.embedderFor(kb.embedding_model!);
    await embedder.ready?.();
    const window = embedder.maxTokens ?? kb.max_tokens ?? undefined;
    if (window && embedder.countTokens) {
      const tokens = embedder.countTokens(query);
      if (tokens > window) {
        throw new SkynetteError(
          'QUERY_TOO_LONG',
          `the query is ${tokens} tokens, longer than the ${window}-token window of ${kb.embedding_model}; shorten it (or search with --mode keyword)`,
          { path: 'query', details: { tokens, window } },
        );
      }
    }
    const [vector] = await embedder.embed([query], { signal });
    if (!vector || vector.length !== kb.dimensions) throw dimensionMismatch(kb, vector?.length);
    return vector;
  }

  async stats(name: string): Promise<KnowledgeBaseStats> {
    const kb = await this.get(name);
    const documents = await this.repository.documents(kb.id);
    const counts = await this.store.indexCounts(kb);
    const types: Record<string, number> = {};
    for (const d of [...documents].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))) types[d.type] = (types[d.type] ?? 0) + 1;
    return {
      name: kb.name,
      id: kb.id,
      description: kb.description,
      embedding_model: kb.embedding_model,
      dimensions: kb.dimensions,
      max_tokens: kb.max_tokens,
      chunking: kb.chunking,
      documents: documents.length,
      chunks: counts.chunks,
      size_bytes: documents.reduce((sum, d) => sum + d.size_bytes, 0),
      types,
      indexes: {
        vector: counts.vectors,
        keyword: counts.keyword,
        storage: this.store.dialect === 'sqlite' ? 'sqlite-vec + FTS5' : 'pgvector + Postgres full-text search',
      },
      search_modes: kb.embedding_model ? ['hybrid', 'vector', 'keyword'] : ['keyword'],
      created_at: kb.created_at,
      updated_at: kb.updated_at,
    };
  }
}
