/**
 * Knowledge-base storage on Postgres: vectors in a pgvector table per knowledge base
 * (rag_vec_<id>, HNSW index, cosine distance), keyword search on the generated tsvector column
 * kb_chunks.search_vector (English stemming, GIN index) ranked by ts_rank_cd — Postgres has no
 * BM25, ts_rank_cd (cover density) is its closest built-in relevance. Each document is written in
 * one transaction.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { SkynetteError, errorMessage } from '../../util/errors.js';
import type { MetadataFilter } from '../types.js';
import { dimensionMismatch, tableKey } from './sqlite.js';
import { filterEntries, queryTerms, type ChunkToStore, type DocumentRecord, type IndexCounts, type KnowledgeBaseRecord, type RagDatabase, type RagStore, type RankedChunk } from './types.js';

/** pgvector's HNSW index takes vectors of at most 2000 dimensions; larger ones are searched exactly. */
const HNSW_MAX_DIMENSIONS = 2000;
const INSERT_BATCH = 200;

function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector).join(',')}]`;
}

function parseVector(text: string): Float32Array {
  return Float32Array.from(text.replace(/^\[|\]$/g, '').split(',').map(Number));
}

export class PostgresRagStore implements RagStore {
  readonly dialect = 'postgres' as const;
  private readonly db: Kysely<any>;

  constructor(private readonly database: RagDatabase) {
    this.db = database.db;
  }

  private vecTable(kb: KnowledgeBaseRecord): RawBuilder<unknown> {
    return sql.raw(`rag_vec_${tableKey(kb)}`);
  }

  /** pgvector must be installed on the server and enabled in the database; says how when it is not. */
  async ensurePgvector(): Promise<void> {
    const where = this.database.location ? ` at ${this.database.location}` : '';
    const found = await sql<{ installed_version: string | null }>`select installed_version from pg_available_extensions where name = 'vector'`.execute(this.db);
    if (!found.rows.length) {
      throw new SkynetteError(
        'PGVECTOR_MISSING',
        `the Postgres server${where} does not have the pgvector extension, which knowledge bases with an embedding model need. ` +
          'Install it on the database server (Debian/Ubuntu: apt install postgresql-<version>-pgvector; macOS: brew install pgvector; ' +
          'or build it from https://github.com/pgvector/pgvector), then run CREATE EXTENSION vector; in this database as a superuser. ' +
          'A knowledge base without a model (--model none) works without it, with keyword search only.',
      );
    }
    if (found.rows[0].installed_version) return;
    try {
      await sql`create extension if not exists vector`.execute(this.db);
    } catch (error) {
      throw new SkynetteError(
        'PGVECTOR_NOT_ENABLED',
        `pgvector is installed on the Postgres server${where} but not enabled in this database, and this user may not enable it (${errorMessage(error)}); ` +
          'ask a superuser to run CREATE EXTENSION vector; in this database',
        { cause: error },
      );
    }
  }

  async createKnowledgeBase(kb: KnowledgeBaseRecord): Promise<void> {
    if (kb.dimensions) await this.ensurePgvector();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('knowledge_bases')
        .values({ ...kb, chunking: JSON.stringify(kb.chunking) })
        .execute();
      if (kb.dimensions) {
        const table = this.vecTable(kb);
        await sql`create table ${table} (chunk_id bigint primary key references kb_chunks(id) on delete cascade, embedding vector(${sql.raw(String(kb.dimensions))}) not null)`.execute(trx);
        if (kb.dimensions <= HNSW_MAX_DIMENSIONS) {
          await sql`create index ${sql.raw(`rag_vec_${tableKey(kb)}_hnsw`)} on ${table} using hnsw (embedding vector_cosine_ops)`.execute(trx);
        }
      }
    });
  }

  async deleteKnowledgeBase(kb: KnowledgeBaseRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`drop table if exists ${this.vecTable(kb)}`.execute(trx);
      await trx.deleteFrom('kb_chunks').where('kb_id', '=', kb.id).execute();
      await trx.deleteFrom('kb_documents').where('kb_id', '=', kb.id).execute();
      await trx.deleteFrom('knowledge_bases').where('id', '=', kb.id).execute();
    });
  }

  private async removeChunks(trx: Kysely<any>, kb: KnowledgeBaseRecord, documentId: string): Promise<void> {
    if (kb.dimensions) await sql`delete from ${this.vecTable(kb)} where chunk_id in (select id from kb_chunks where document_id = ${documentId})`.execute(trx);
    await trx.deleteFrom('kb_chunks').where('document_id', '=', documentId).execute();
  }

  async replaceDocument(kb: KnowledgeBaseRecord, document: DocumentRecord, chunks: ChunkToStore[]): Promise<void> {
    if (kb.dimensions) {
      for (const chunk of chunks) if (!chunk.vector || chunk.vector.length !== kb.dimensions) throw dimensionMismatch(kb, chunk.vector?.length);
    }
    await this.db.transaction().execute(async (trx) => {
      await this.removeChunks(trx, kb, document.id);
      const row = { ...document, metadata: JSON.stringify(document.metadata) };
      await trx
        .insertInto('kb_documents')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            title: row.title,
            type: row.type,
            content_hash: row.content_hash,
            size_bytes: row.size_bytes,
            chunk_count: row.chunk_count,
            metadata: row.metadata,
            updated_at: row.updated_at,
          }),
        )
        .execute();
      for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
        const batch = chunks.slice(i, i + INSERT_BATCH);
        const inserted: Array<{ id: string | number; position: number }> = await trx
          .insertInto('kb_chunks')
          .values(
            batch.map((c) => ({
              kb_id: kb.id,
              document_id: document.id,
              position: c.position,
              text: c.text,
              content_hash: c.content_hash,
              start_offset: c.start,
              end_offset: c.end,
              metadata: JSON.stringify(c.metadata),
            })),
          )
          .returning(['id', 'position'])
          .execute();
        if (!kb.dimensions) continue;
        const byPosition = new Map(batch.map((c) => [c.position, c]));
        const values = inserted.map((r) => sql`(${String(r.id)}::bigint, ${vectorLiteral(byPosition.get(Number(r.position))!.vector!)}::vector)`);
        await sql`insert into ${this.vecTable(kb)} (chunk_id, embedding) values ${sql.join(values)}`.execute(trx);
      }
    });
  }

  async deleteDocument(kb: KnowledgeBaseRecord, documentId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.removeChunks(trx, kb, documentId);
      await trx.deleteFrom('kb_documents').where('id', '=', documentId).execute();
    });
  }

  private filterSql(filter: MetadataFilter | undefined): RawBuilder<unknown> {
    const parts = filterEntries(filter).map(([key, values]) => sql`(c.metadata::jsonb ->> ${key}) in (${sql.join(values.map((v) => String(v)))})`);
    return parts.length ? sql` and ${sql.join(parts, sql` and `)}` : sql``;
  }

  async vectorSearch(kb: KnowledgeBaseRecord, vector: Float32Array, k: number, filter?: MetadataFilter): Promise<RankedChunk[]> {
    if (!kb.dimensions) return [];
    if (vector.length !== kb.dimensions) throw dimensionMismatch(kb, vector.length);
    const literal = vectorLiteral(vector);
    const result = await sql<{ chunk_id: string | number; similarity: number }>`
      select v.chunk_id, 1 - (v.embedding <=> ${literal}::vector) as similarity
      from ${this.vecTable(kb)} v join kb_chunks c on c.id = v.chunk_id
      where c.kb_id = ${kb.id}${this.filterSql(filter)}
      order by v.embedding <=> ${literal}::vector, v.chunk_id
      limit ${k}`.execute(this.db);
    return result.rows.map((r) => ({ chunk_id: Number(r.chunk_id), score: Number(r.similarity) }));
  }

  async keywordSearch(kb: KnowledgeBaseRecord, query: string, k: number, filter?: MetadataFilter): Promise<RankedChunk[]> {
    const terms = queryTerms(query);
    if (!terms.length) return [];
    const tsquery = terms.join(' | ');
    const result = await sql<{ id: string | number; score: number }>`
      select c.id, ts_rank_cd(c.search_vector, q) as score
      from kb_chunks c, to_tsquery('english', ${tsquery}) q
      where c.kb_id = ${kb.id} and c.search_vector @@ q${this.filterSql(filter)}
      order by score desc, c.id
      limit ${k}`.execute(this.db);
    return result.rows.map((r) => ({ chunk_id: Number(r.id), score: Number(r.score) }));
  }

  async vectorsByHash(kb: KnowledgeBaseRecord, hashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    if (!kb.dimensions || !hashes.length) return found;
    const unique = [...new Set(hashes)];
    const result = await sql<{ content_hash: string; embedding: string }>`
      select distinct on (c.content_hash) c.content_hash, v.embedding::text as embedding
      from kb_chunks c join ${this.vecTable(kb)} v on v.chunk_id = c.id
      where c.kb_id = ${kb.id} and c.content_hash in (${sql.join(unique)})`.execute(this.db);
    for (const row of result.rows) found.set(row.content_hash, parseVector(row.embedding));
    return found;
  }

  async indexCounts(kb: KnowledgeBaseRecord): Promise<IndexCounts> {
    const counts = await sql<{ chunks: string | number; keyword: string | number }>`
      select count(*) as chunks, count(search_vector) as keyword from kb_chunks where kb_id = ${kb.id}`.execute(this.db);
    let vectors = 0;
    if (kb.dimensions) {
      const v = await sql<{ n: string | number }>`select count(*) as n from ${this.vecTable(kb)}`.execute(this.db);
      vectors = Number(v.rows[0].n);
    }
    return { chunks: Number(counts.rows[0].chunks), keyword: Number(counts.rows[0].keyword), vectors };
  }
}
