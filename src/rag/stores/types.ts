/** The storage side of knowledge bases: one implementation per database (SQLite, Postgres). */
import type { Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { SkynetteError } from '../../util/errors.js';
import type { ChunkingSettings, MetadataFilter } from '../types.js';

/** What the RAG layer needs of an open database (src/store/database.ts gives all of it). */
export interface RagDatabase {
  db: Kysely<any>;
  dialect: 'sqlite' | 'postgres';
  /** SQLite: the raw connection (vectors and full text go through it under Kysely's connection lock). */
  sqlite?: BetterSqlite3.Database | null;
  /** For messages: the file or the URL without password. */
  location?: string;
}

export interface KnowledgeBaseRecord {
  id: string;
  name: string;
  description: string;
  /** null: no embedding model (keyword search only). */
  embedding_model: string | null;
  dimensions: number | null;
  max_tokens: number | null;
  chunking: ChunkingSettings;
  created_at: string;
  updated_at: string;
}

export interface DocumentRecord {
  id: string;
  kb_id: string;
  source: string;
  title: string;
  type: string;
  content_hash: string;
  size_bytes: number;
  chunk_count: number;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface ChunkToStore {
  position: number;
  text: string;
  content_hash: string;
  start: number;
  end: number;
  metadata: Record<string, unknown>;
  /** Required when the knowledge base has an embedding model. */
  vector?: Float32Array;
}

/** One index's answer: chunk ids best first, with that index's own score (higher is better). */
export interface RankedChunk {
  chunk_id: number;
  score: number;
}

export interface IndexCounts {
  chunks: number;
  vectors: number;
  keyword: number;
}

export interface RagStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Inserts the base's row and makes its vector and full-text indexes, in one transaction. */
  createKnowledgeBase(kb: KnowledgeBaseRecord): Promise<void>;
  /** Deletes the base, its documents, chunks and indexes in one transaction. */
  deleteKnowledgeBase(kb: KnowledgeBaseRecord): Promise<void>;
  /** Replaces a document's chunks in both indexes, and its row, in one transaction. */
  replaceDocument(kb: KnowledgeBaseRecord, document: DocumentRecord, chunks: ChunkToStore[]): Promise<void>;
  /** Removes a document and its chunks from both indexes in one transaction. */
  deleteDocument(kb: KnowledgeBaseRecord, documentId: string): Promise<void>;
  vectorSearch(kb: KnowledgeBaseRecord, vector: Float32Array, k: number, filter?: MetadataFilter): Promise<RankedChunk[]>;
  keywordSearch(kb: KnowledgeBaseRecord, query: string, k: number, filter?: MetadataFilter): Promise<RankedChunk[]>;
  /** Stored vectors of chunks with these content hashes (reused instead of embedding again). */
  vectorsByHash(kb: KnowledgeBaseRecord, hashes: string[]): Promise<Map<string, Float32Array>>;
  /** Rows in the chunk table and in each index (they agree when the indexes are consistent). */
  indexCounts(kb: KnowledgeBaseRecord): Promise<IndexCounts>;
}

/** Words of a keyword query: letters and digits, lower-cased, each once. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, 64);
}

/** The filter's entries, each value as a list; keys checked (they are names, never SQL). */
export function filterEntries(filter: MetadataFilter | undefined): Array<[string, Array<string | number | boolean>]> {
  if (!filter) return [];
  return Object.entries(filter).map(([key, value]) => {
    checkFilterKey(key);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) {
        throw new SkynetteError('FILTER_INVALID', `filter.${key}: values must be text, numbers or true/false`, { path: `filter.${key}` });
      }
    }
    if (!values.length) throw new SkynetteError('FILTER_INVALID', `filter.${key}: the list of values is empty`, { path: `filter.${key}` });
    return [key, values];
  });
}

export function checkFilterKey(key: string): void {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(key)) {
    throw new SkynetteError('FILTER_INVALID', `filter key "${key}" may use only letters, digits, _ . and -`, { path: `filter.${key}` });
  }
}
