/** Reading knowledge bases, documents and chunks (both dialects, through Kysely). */
import type { Kysely } from 'kysely';
import type { ChunkingSettings } from './types.js';
import type { DocumentRecord, KnowledgeBaseRecord } from './stores/types.js';

export interface ChunkRow {
  id: number;
  document_id: string;
  position: number;
  text: string;
  metadata: Record<string, unknown>;
  source: string;
  title: string;
  type: string;
}

function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return (text as T) ?? fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toKnowledgeBase(row: Record<string, unknown>): KnowledgeBaseRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    description: String(row.description ?? ''),
    embedding_model: (row.embedding_model as string | null) ?? null,
    dimensions: row.dimensions === null || row.dimensions === undefined ? null : Number(row.dimensions),
    max_tokens: row.max_tokens === null || row.max_tokens === undefined ? null : Number(row.max_tokens),
    chunking: parseJson<ChunkingSettings>(row.chunking, { size: 1000, overlap: 200, unit: 'characters', markdown: 'auto' }),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
  };
}

function toDocument(row: Record<string, unknown>): DocumentRecord {
  return {
    id: String(row.id),
    kb_id: String(row.kb_id),
    source: String(row.source),
    title: String(row.title),
    type: String(row.type),
    content_hash: String(row.content_hash),
    size_bytes: Number(row.size_bytes),
    chunk_count: Number(row.chunk_count),
    metadata: parseJson<Record<string, unknown>>(row.metadata, {}),
    created_at: String(row.created_at),
    updated_at: String(row.updated_at),
  };
}

export class KnowledgeBaseRepository {
  constructor(private readonly db: Kysely<any>) {}

  async findByName(name: string): Promise<KnowledgeBaseRecord | undefined> {
    const row = await this.db.selectFrom('knowledge_bases').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toKnowledgeBase(row) : undefined;
  }

  async names(): Promise<string[]> {
    const rows = await this.db.selectFrom('knowledge_bases').select('name').orderBy('name').execute();
    return rows.map((r) => String(r.name));
  }

  async list(): Promise<Array<KnowledgeBaseRecord & { documents: number; chunks: number; size_bytes: number }>> {
    const bases = await this.db.selectFrom('knowledge_bases').selectAll().orderBy('name').execute();
    const totals = await this.db
      .selectFrom('kb_documents')
      .select((eb) => ['kb_id', eb.fn.countAll().as('documents'), eb.fn.sum('chunk_count').as('chunks'), eb.fn.sum('size_bytes').as('size_bytes')])
      .groupBy('kb_id')
      .execute();
    const byBase = new Map(totals.map((t) => [String(t.kb_id), t]));
    return bases.map((row) => {
      const t = byBase.get(String(row.id));
      return { ...toKnowledgeBase(row), documents: Number(t?.documents ?? 0), chunks: Number(t?.chunks ?? 0), size_bytes: Number(t?.size_bytes ?? 0) };
    });
  }

  async touch(kbId: string, when: string): Promise<void> {
    await this.db.updateTable('knowledge_bases').set({ updated_at: when }).where('id', '=', kbId).execute();
  }

  async findDocument(kbId: string, source: string): Promise<DocumentRecord | undefined> {
    const row = await this.db.selectFrom('kb_documents').selectAll().where('kb_id', '=', kbId).where('source', '=', source).executeTakeFirst();
    return row ? toDocument(row) : undefined;
  }

  async findDocumentById(kbId: string, id: string): Promise<DocumentRecord | undefined> {
    const row = await this.db.selectFrom('kb_documents').selectAll().where('kb_id', '=', kbId).where('id', '=', id).executeTakeFirst();
    return row ? toDocument(row) : undefined;
  }

  async documents(kbId: string): Promise<DocumentRecord[]> {
    const rows = await this.db.selectFrom('kb_documents').selectAll().where('kb_id', '=', kbId).orderBy('source').execute();
    return rows.map(toDocument);
  }

  async chunks(ids: number[]): Promise<Map<number, ChunkRow>> {
    const found = new Map<number, ChunkRow>();
    if (!ids.length) return found;
    const rows = await this.db
      .selectFrom('kb_chunks as c')
      .innerJoin('kb_documents as d', 'd.id', 'c.document_id')
      .select(['c.id', 'c.document_id', 'c.position', 'c.text', 'c.metadata', 'd.source', 'd.title', 'd.type'])
      .where('c.id', 'in', ids)
      .execute();
    for (const row of rows) {
      found.set(Number(row.id), {
        id: Number(row.id),
        document_id: String(row.document_id),
        position: Number(row.position),
        text: String(row.text),
        metadata: parseJson<Record<string, unknown>>(row.metadata, {}),
        source: String(row.source),
        title: String(row.title),
        type: String(row.type),
      });
    }
    return found;
  }

  /** A document's chunks in order (for tests and `kb docs --chunks`). */
  async documentChunks(documentId: string): Promise<Array<{ id: number; position: number; text: string; metadata: Record<string, unknown> }>> {
    const rows = await this.db.selectFrom('kb_chunks').select(['id', 'position', 'text', 'metadata']).where('document_id', '=', documentId).orderBy('position').execute();
    return rows.map((r) => ({ id: Number(r.id), position: Number(r.position), text: String(r.text), metadata: parseJson<Record<string, unknown>>(r.metadata, {}) }));
  }
}
