/**
 * Knowledge bases (RAG): the bases, their documents and chunks. The search indexes are made per
 * knowledge base when one is created, because a vector index has the dimension of its model:
 *   SQLite:   rag_fts_<id> (FTS5, contentless), rag_vec_<id> (sqlite-vec vec0, sign bits),
 *             rag_emb_<id> (full float32 vectors, for exact cosine re-ranking)
 *   Postgres: rag_vec_<id> (pgvector, HNSW cosine); full text is kb_chunks.search_vector (GIN).
 */
import { sql } from 'kysely';
import type { StoreMigration } from './types.js';

export const knowledgeBases: StoreMigration = {
  name: '003_knowledge_bases',
  async up(db, dialect) {
    await db.schema
      .createTable('knowledge_bases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      // null: no embedding model, keyword search only
      .addColumn('embedding_model', 'text')
      .addColumn('dimensions', 'integer')
      .addColumn('max_tokens', 'integer')
      .addColumn('chunking', 'text', (c) => c.notNull())
      // Bumped by every document write, so a process holding an in-memory copy of the index sees it changed.
      .addColumn('index_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('kb_documents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kb_id', 'text', (c) => c.notNull().references('knowledge_bases.id').onDelete('cascade'))
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('size_bytes', 'integer', (c) => c.notNull())
      .addColumn('chunk_count', 'integer', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('kb_documents_source', ['kb_id', 'source'])
      .execute();

    // The chunk id is the rowid of the per-base vector and full-text indexes; never reused.
    await db.schema
      .createTable('kb_chunks')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('kb_id', 'text', (c) => c.notNull().references('knowledge_bases.id').onDelete('cascade'))
      .addColumn('document_id', 'text', (c) => c.notNull().references('kb_documents.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('start_offset', 'integer', (c) => c.notNull())
      .addColumn('end_offset', 'integer', (c) => c.notNull())
      .addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createIndex('kb_chunks_document').on('kb_chunks').columns(['document_id', 'position']).execute();
    await db.schema.createIndex('kb_chunks_hash').on('kb_chunks').columns(['kb_id', 'content_hash']).execute();
    if (dialect === 'postgres') {
      await sql`alter table kb_chunks add column search_vector tsvector generated always as (to_tsvector('english', text)) stored`.execute(db);
      await sql`create index kb_chunks_search on kb_chunks using gin (search_vector)`.execute(db);
      await db.schema.createIndex('kb_chunks_kb').on('kb_chunks').column('kb_id').execute();
    }
  },
};
