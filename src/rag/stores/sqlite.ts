/**
 * Knowledge-base storage in the main SQLite database. Per knowledge base:
 *   rag_fts_<id>   FTS5 (porter stemming, contentless with delete support): keyword search, BM25
 *   rag_vec_<id>   sqlite-vec vec0 of sign bits (binary quantisation): fast candidate search
 *   rag_emb_<id>   full float32 vectors by chunk id: exact cosine re-ranking of the candidates
 * Writes for one document (its row, chunks, both indexes) happen in one transaction, run on the
 * raw connection while holding Kysely's connection lock so nothing else interleaves.
 *
 * Vector search is two-stage because exact float search over 100k x 384 takes ~60 ms here, and
 * vec0's own KNN grows with k (~30 ms for k = 300 at 100k): candidates come from a Hamming scan of
 * the sign bits in memory (a copy of rag_vec_<id>, loaded on first search, reloaded when
 * knowledge_bases.index_version shows another write; ~3 ms at 100k), then exact cosine on the
 * float vectors ranks max(300, 10k) candidates. A base smaller than that is searched exactly.
 */
import type BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { SkynetteError } from '../../util/errors.js';
import type { MetadataFilter } from '../types.js';
import { filterEntries, queryTerms, type ChunkToStore, type DocumentRecord, type IndexCounts, type KnowledgeBaseRecord, type RagDatabase, type RagStore, type RankedChunk } from './types.js';

/** Candidates the sign bits hand to exact re-ranking: max(MIN_CANDIDATES, k * CANDIDATE_FACTOR). */
export const MIN_CANDIDATES = 300;
export const CANDIDATE_FACTOR = 10;
/** vec0's own limit on k (exact float search for small models). */
const MAX_KNN = 4096;
/** A filter matching at most this many chunks is searched exactly over all of them. */
const EXACT_FILTER_LIMIT = 5000;
/** A keyword in more than this share of a base's chunks is dropped from a query that has rarer ones. */
export const COMMON_TERM_SHARE = 0.25;

export function tableKey(kb: Pick<KnowledgeBaseRecord, 'id'>): string {
  const key = kb.id.replace(/^kb_/, '');
  if (!/^[a-z0-9]{1,40}$/.test(key)) throw new SkynetteError('KB_ID_INVALID', `knowledge base id "${kb.id}" is not a valid table key`);
  return key;
}

/** Below this many dimensions sign bits say too little (32 bits have 33 distances): search exactly. */
export const SIGN_BITS_MIN_DIMENSIONS = 256;

/**
 * Sign-bit candidates for models of 256+ dimensions (divisible by 8, as bit vectors need);
 * smaller models use an exact float vec0 index with cosine distance.
 */
export function usesSignBits(dimensions: number): boolean {
  return dimensions % 8 === 0 && dimensions >= SIGN_BITS_MIN_DIMENSIONS;
}

function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

function blobVector(blob: Buffer): Float32Array {
  // Copy: better-sqlite3 may reuse the buffer, and the offset may not be 4-byte aligned.
  const copy = new Float32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export class SqliteRagStore implements RagStore {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly raw: BetterSqlite3.Database;
  private readonly signIndexes = new Map<string, SignBitIndex>();

  constructor(private readonly database: RagDatabase) {
    if (!database.sqlite) throw new Error('SqliteRagStore needs the raw SQLite connection');
    this.raw = database.sqlite;
    try {
      this.raw.prepare('select vec_version()').get();
    } catch {
      // Opened without src/store/database.ts (which loads it): load sqlite-vec here.
      sqliteVec.load(this.raw);
    }
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs synchronous work on the raw connection while no Kysely query can interleave. */
  private async locked<T>(work: () => T): Promise<T> {
    return this.database.db.connection().execute(async () => work());
  }

  private transaction<T>(work: () => T): Promise<T> {
    return this.locked(() => {
      const run = this.raw.transaction(work);
      return run.immediate();
    });
  }

  async createKnowledgeBase(kb: KnowledgeBaseRecord): Promise<void> {
    const key = tableKey(kb);
    await this.transaction(() => {
      this.raw
        .prepare('insert into knowledge_bases (id, name, description, embedding_model, dimensions, max_tokens, chunking, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(kb.id, kb.name, kb.description, kb.embedding_model, kb.dimensions, kb.max_tokens, JSON.stringify(kb.chunking), kb.created_at, kb.updated_at);
      this.raw.exec(`create virtual table rag_fts_${key} using fts5(text, content='', contentless_delete=1, tokenize='porter unicode61 remove_diacritics 2')`);
      this.raw.exec(`create virtual table rag_ftsv_${key} using fts5vocab(rag_fts_${key}, 'row')`);
      if (kb.dimensions) {
        const column = usesSignBits(kb.dimensions) ? `embedding bit[${kb.dimensions}]` : `embedding float[${kb.dimensions}] distance_metric=cosine`;
        this.raw.exec(`create virtual table rag_vec_${key} using vec0(chunk_id integer primary key, ${column})`);
        this.raw.exec(`create table rag_emb_${key} (chunk_id integer primary key, embedding blob not null)`);
      }
    });
  }

  async deleteKnowledgeBase(kb: KnowledgeBaseRecord): Promise<void> {
    const key = tableKey(kb);
    await this.transaction(() => {
      this.raw.exec(`drop table if exists rag_ftsv_${key}`);
      this.raw.exec(`drop table if exists rag_fts_${key}`);
      this.raw.exec(`drop table if exists rag_vec_${key}`);
      this.raw.exec(`drop table if exists rag_emb_${key}`);
      this.signIndexes.delete(kb.id);
      this.raw.prepare('delete from kb_chunks where kb_id = ?').run(kb.id);
      this.raw.prepare('delete from kb_documents where kb_id = ?').run(kb.id);
      this.raw.prepare('delete from knowledge_bases where id = ?').run(kb.id);
    });
    this.statements.clear();
  }

  private bumpVersion(kb: KnowledgeBaseRecord): void {
    this.prepare('update knowledge_bases set index_version = index_version + 1 where id = ?').run(kb.id);
    this.signIndexes.delete(kb.id);
  }

  private removeChunks(kb: KnowledgeBaseRecord, documentId: string): void {
    const key = tableKey(kb);
    const ids = this.prepare('select id from kb_chunks where document_id = ?')
      .pluck()
      .all(documentId) as number[];
    const deleteFts = this.prepare(`delete from rag_fts_${key} where rowid = ?`);
    const deleteVec = kb.dimensions ? this.prepare(`delete from rag_vec_${key} where chunk_id = ?`) : undefined;
    const deleteEmb = kb.dimensions ? this.prepare(`delete from rag_emb_${key} where chunk_id = ?`) : undefined;
    for (const id of ids) {
      deleteFts.run(id);
      deleteVec?.run(BigInt(id));
      deleteEmb?.run(id);
    }
    this.prepare('delete from kb_chunks where document_id = ?').run(documentId);
  }

  async replaceDocument(kb: KnowledgeBaseRecord, document: DocumentRecord, chunks: ChunkToStore[]): Promise<void> {
    const key = tableKey(kb);
    if (kb.dimensions) {
      for (const chunk of chunks) {
        if (!chunk.vector || chunk.vector.length !== kb.dimensions) {
          throw dimensionMismatch(kb, chunk.vector?.length);
        }
      }
    }
    await this.transaction(() => {
      this.bumpVersion(kb);
      this.removeChunks(kb, document.id);
      this.prepare(
        `insert into kb_documents (id, kb_id, source, title, type, content_hash, size_bytes, chunk_count, metadata, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (id) do update set title = excluded.title, type = excluded.type, content_hash = excluded.content_hash,
           size_bytes = excluded.size_bytes, chunk_count = excluded.chunk_count, metadata = excluded.metadata, updated_at = excluded.updated_at`,
      ).run(
        document.id,
        document.kb_id,
        document.source,
        document.title,
        document.type,
        document.content_hash,
        document.size_bytes,
        document.chunk_count,
        JSON.stringify(document.metadata),
        document.created_at,
        document.updated_at,
      );
      const insertChunk = this.prepare(
        'insert into kb_chunks (kb_id, document_id, position, text, content_hash, start_offset, end_offset, metadata) values (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const insertFts = this.prepare(`insert into rag_fts_${key} (rowid, text) values (?, ?)`);
      const signBits = kb.dimensions ? usesSignBits(kb.dimensions) : false;
      const insertVec = kb.dimensions
        ? this.prepare(signBits ? `insert into rag_vec_${key} (chunk_id, embedding) values (?, vec_quantize_binary(?))` : `insert into rag_vec_${key} (chunk_id, embedding) values (?, ?)`)
        : undefined;
      const insertEmb = kb.dimensions ? this.prepare(`insert into rag_emb_${key} (chunk_id, embedding) values (?, ?)`) : undefined;
      for (const chunk of chunks) {
        const { lastInsertRowid } = insertChunk.run(kb.id, document.id, chunk.position, chunk.text, chunk.content_hash, chunk.start, chunk.end, JSON.stringify(chunk.metadata));
        const id = BigInt(lastInsertRowid);
        insertFts.run(id, chunk.text);
        if (insertVec && insertEmb && chunk.vector) {
          const blob = vectorBlob(chunk.vector);
          insertVec.run(id, blob);
          insertEmb.run(id, blob);
        }
      }
    });
  }

  async deleteDocument(kb: KnowledgeBaseRecord, documentId: string): Promise<void> {
    await this.transaction(() => {
      this.bumpVersion(kb);
      this.removeChunks(kb, documentId);
      this.prepare('delete from kb_documents where id = ?').run(documentId);
    });
  }

  private filterSql(filter: MetadataFilter | undefined): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const [key, values] of filterEntries(filter)) {
      const path = `$."${key}"`;
      parts.push(`json_extract(c.metadata, ?) in (${values.map(() => '?').join(', ')})`);
      params.push(path, ...values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
    }
    return { sql: parts.length ? ` and ${parts.join(' and ')}` : '', params };
  }

  async vectorSearch(kb: KnowledgeBaseRecord, vector: Float32Array, k: number, filter?: MetadataFilter): Promise<RankedChunk[]> {
    if (!kb.dimensions) return [];
    if (vector.length !== kb.dimensions) throw dimensionMismatch(kb, vector.length);
    const key = tableKey(kb);
    const blob = vectorBlob(vector);
    return this.locked(() => {
      const where = this.filterSql(filter);
      const wanted = Math.max(MIN_CANDIDATES, k * CANDIDATE_FACTOR);
      let candidates: number[];
      if (where.sql) {
        const matching = this.prepare(`select c.id from kb_chunks c where c.kb_id = ?${where.sql}`)
          .pluck()
          .all(kb.id, ...where.params) as number[];
        if (matching.length <= EXACT_FILTER_LIMIT) candidates = matching;
        else {
          const allowed = new Set(matching);
          candidates = this.candidates(kb, key, blob, wanted, (id) => allowed.has(id));
        }
      } else {
        candidates = this.candidates(kb, key, blob, wanted);
      }
      const lookup = this.prepare(`select embedding from rag_emb_${key} where chunk_id = ?`).pluck();
      const scored: RankedChunk[] = [];
      for (const id of candidates) {
        const stored = lookup.get(id) as Buffer | undefined;
        if (stored) scored.push({ chunk_id: id, score: cosineSimilarity(vector, blobVector(stored)) });
      }
      scored.sort((a, b) => b.score - a.score || a.chunk_id - b.chunk_id);
      return scored.slice(0, k);
    });
  }

  /** Chunk ids to re-rank exactly: the nearest by sign bits, or by vec0's exact float KNN for small models. */
  private candidates(kb: KnowledgeBaseRecord, key: string, blob: Buffer, wanted: number, allowed?: (id: number) => boolean): number[] {
    if (!usesSignBits(kb.dimensions!)) {
      const ids = (this.prepare(`select chunk_id from rag_vec_${key} where embedding match ? and k = ?`).pluck().all(blob, allowed ? MAX_KNN : Math.min(MAX_KNN, wanted)) as Array<number | bigint>).map(Number);
      return allowed ? ids.filter(allowed) : ids;
    }
    const index = this.signIndex(kb, key);
    const query = this.prepare('select vec_quantize_binary(?)').pluck().get(blob) as Buffer;
    return index.nearest(signWords(query), wanted, allowed);
  }

  /** The in-memory copy of a base's sign bits, reloaded when another write changed the base. */
  private signIndex(kb: KnowledgeBaseRecord, key: string): SignBitIndex {
    const version = this.prepare('select index_version from knowledge_bases where id = ?').pluck().get(kb.id) as number;
    const cached = this.signIndexes.get(kb.id);
    if (cached && cached.version === version) return cached;
    const rows = this.prepare(`select chunk_id, embedding from rag_vec_${key}`).raw().all() as Array<[number | bigint, Buffer]>;
    const index = new SignBitIndex(version, kb.dimensions! / 32, rows);
    this.signIndexes.set(kb.id, index);
    return index;
  }

  async keywordSearch(kb: KnowledgeBaseRecord, query: string, k: number, filter?: MetadataFilter): Promise<RankedChunk[]> {
    const terms = queryTerms(query);
    if (!terms.length) return [];
    const key = tableKey(kb);
    return this.locked(() => {
      const kept = this.pruneCommonTerms(kb, key, terms);
      const match = kept.map((t) => `"${t.replace(/"/g, '""')}"`).join(' OR ');
      const where = this.filterSql(filter);
      const rows = where.sql
        ? (this.prepare(`select f.rowid as id, bm25(rag_fts_${key}) as rank from rag_fts_${key} f join kb_chunks c on c.id = f.rowid where rag_fts_${key} match ?${where.sql} order by rank limit ?`).all(
            match,
            ...where.params,
            k,
          ) as Array<{ id: number; rank: number }>)
        : (this.prepare(`select rowid as id, bm25(rag_fts_${key}) as rank from rag_fts_${key} where rag_fts_${key} match ? order by rank limit ?`).all(match, k) as Array<{
            id: number;
            rank: number;
          }>);
      return rows.map((r) => ({ chunk_id: Number(r.id), score: -r.rank }));
    });
  }

  /**
   * Drops terms found in more than COMMON_TERM_SHARE of the chunks when rarer terms are present:
   * BM25 gives them almost no weight, and ranking every chunk that has them is what makes a
   * keyword query slow. The vocabulary holds porter stems, so a word is looked up by its longest
   * prefix that is a stem; a word not found is kept.
   */
  private pruneCommonTerms(kb: KnowledgeBaseRecord, key: string, terms: string[]): string[] {
    if (terms.length < 2) return terms;
    const total = (this.prepare('select coalesce(sum(chunk_count), 0) from kb_documents where kb_id = ?').pluck().get(kb.id) as number) || 0;
    if (total < 1000) return terms;
    const vocab = this.prepare(`select doc from rag_ftsv_${key} where term = ?`).pluck();
    const frequency = (word: string): number => {
      const folded = word.normalize('NFD').replace(/\p{M}/gu, '');
      for (let length = folded.length; length >= Math.min(3, folded.length); length--) {
        const found = vocab.get(folded.slice(0, length)) as number | undefined;
        if (found !== undefined) return found;
      }
      return 0;
    };
    const kept = terms.filter((t) => frequency(t) <= total * COMMON_TERM_SHARE);
    return kept.length ? kept : terms;
  }

  async vectorsByHash(kb: KnowledgeBaseRecord, hashes: string[]): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    if (!kb.dimensions || !hashes.length) return found;
    const key = tableKey(kb);
    return this.locked(() => {
      const statement = this.prepare(`select e.embedding from kb_chunks c join rag_emb_${key} e on e.chunk_id = c.id where c.kb_id = ? and c.content_hash = ? limit 1`).pluck();
      for (const hash of new Set(hashes)) {
        const blob = statement.get(kb.id, hash) as Buffer | undefined;
        if (blob && blob.byteLength === kb.dimensions! * 4) found.set(hash, blobVector(blob));
      }
      return found;
    });
  }

  async indexCounts(kb: KnowledgeBaseRecord): Promise<IndexCounts> {
    const key = tableKey(kb);
    return this.locked(() => {
      const chunks = this.prepare('select count(*) from kb_chunks where kb_id = ?').pluck().get(kb.id) as number;
      const vectors = kb.dimensions ? (this.prepare(`select count(*) from rag_vec_${key}`).pluck().get() as number) : 0;
      return { chunks, vectors, keyword: this.countKeywordRows(key) };
    });
  }

  /** A contentless FTS5 table has no rows to count; its docsize shadow table has one per indexed chunk. */
  private countKeywordRows(key: string): number {
    return this.prepare(`select count(*) from rag_fts_${key}_docsize`).pluck().get() as number;
  }
}

export function dimensionMismatch(kb: KnowledgeBaseRecord, got: number | undefined): SkynetteError {
  return new SkynetteError(
    'EMBEDDING_DIMENSION_MISMATCH',
    `the embedding model ${kb.embedding_model} now gives ${got ?? 'no'}-dimensional vectors, but knowledge base "${kb.name}" was created with ${kb.dimensions}; ` +
      `the model files changed — restore the original model, or create a new knowledge base for this model and add the documents again`,
    { details: { expected: kb.dimensions, got } },
  );
}

/** The sign bits of a vec0 bit vector as 32-bit words. */
function signWords(blob: Buffer): Uint32Array {
  const words = new Uint32Array(blob.byteLength / 4);
  new Uint8Array(words.buffer).set(blob);
  return words;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * All sign-bit vectors of one base in one typed array: a Hamming scan of 100k x 384 bits takes a
 * few milliseconds, and a histogram of distances picks the nearest without sorting them all.
 */
export class SignBitIndex {
  private readonly ids: Float64Array;
  private readonly bits: Uint32Array;

  constructor(
    readonly version: number,
    private readonly words: number,
    rows: Array<[number | bigint, Buffer]>,
  ) {
    this.ids = new Float64Array(rows.length);
    this.bits = new Uint32Array(rows.length * words);
    rows.forEach(([id, blob], i) => {
      this.ids[i] = Number(id);
      this.bits.set(signWords(blob), i * words);
    });
  }

  get size(): number {
    return this.ids.length;
  }

  nearest(query: Uint32Array, wanted: number, allowed?: (id: number) => boolean): number[] {
    const n = this.ids.length;
    const words = this.words;
    const distances = new Uint16Array(n);
    const histogram = new Uint32Array(words * 32 + 2);
    for (let i = 0, offset = 0; i < n; i++, offset += words) {
      if (allowed && !allowed(this.ids[i])) {
        distances[i] = words * 32 + 1;
        continue;
      }
      let d = 0;
      for (let w = 0; w < words; w++) d += popcount(this.bits[offset + w] ^ query[w]);
      distances[i] = d;
      histogram[d]++;
    }
    let threshold = 0;
    for (let seen = 0; threshold <= words * 32; threshold++) {
      seen += histogram[threshold];
      if (seen >= wanted) break;
    }
    const picked: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) if (distances[i] <= threshold) picked.push([distances[i], this.ids[i]]);
    picked.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return picked.slice(0, Math.max(wanted, 1)).map((p) => p[1]);
  }
}
