/**
 * Knowledge-base benchmark on SQLite (sqlite-vec + FTS5), one line per figure:
 *   - ingest throughput in chunks/s: embedding excluded (precomputed 384-d vectors) and included
 *     (the tiny ONNX model generated at 384 dimensions, run by transformers.js)
 *   - query latency p50 and p99 for vector, keyword and hybrid search at 10,000 and 100,000 chunks
 *   - vector recall@10 of the two-stage search against exact search
 *   - as a reference, LanceDB flat (exhaustive, no index) vector search p50 and p99 on the same
 *     vectors and queries, in the same run. LanceDB is not a project dependency: it is installed on
 *     first use into a scratch folder outside the project (bench/rag/lancedb-peer.ts).
 * Target: hybrid p50 under 20 ms at 100,000 chunks.   Run: npx tsx bench/rag.bench.ts
 * (BENCH_QUERIES=n for more or fewer queries per figure; BENCH_LANCEDB=off skips the reference.)
 * The corpus is synthetic: Zipf-distributed words (with English stop words as the most frequent),
 * and clustered unit vectors, so both indexes see realistic skew.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/database.js';
import { KnowledgeBaseService, ragDatabase, type Embedder } from '../src/rag/index.js';
import { cosineSimilarity } from '../src/rag/stores/sqlite.js';
import { writeTinyOnnxModel } from '../test/fixtures/tiny-onnx.js';
import { loadLanceDb, type LanceConnection, type LanceTable } from './rag/lancedb-peer.js';

const DIMENSIONS = 384;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const CHUNKS_PER_DOCUMENT = 100;
const CLUSTERS = 1000;

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashText(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const random = rng(7);
const centers = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: DIMENSIONS }, () => random() - 0.5));

/** A unit vector near one of the cluster centres, chosen by the text's hash: same text, same vector. */
function syntheticVector(text: string): Float32Array {
  const h = hashText(text);
  const r = rng(h);
  const center = centers[h % CLUSTERS];
  const v = new Float32Array(DIMENSIONS);
  let norm = 0;
  for (let i = 0; i < DIMENSIONS; i++) {
    v[i] = center[i] + (r() - 0.5) * 0.8;
    norm += v[i] * v[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < DIMENSIONS; i++) v[i] /= norm;
  return v;
}

const STOP_WORDS = ['the', 'of', 'and', 'to', 'a', 'in', 'is', 'it', 'that', 'for', 'on', 'with', 'as', 'was', 'be', 'by', 'at', 'this', 'are', 'from'];
const vocabulary = [...STOP_WORDS, ...Array.from({ length: 30_000 }, (_, i) => `w${i.toString(36)}${'abcdefghij'[i % 10]}`)];
function zipfWord(r: () => number): string {
  return vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(r() * Math.log(vocabulary.length + 1))) - 1)];
}

function chunkText(r: () => number): string {
  const words: string[] = [];
  for (let i = 0; i < 55; i++) words.push(zipfWord(r));
  return `${words.join(' ')}.`;
}

/** One document: paragraphs of ~400 characters; with chunk size 500 each paragraph is one chunk. */
function documentText(r: () => number): { text: string; chunks: string[] } {
  const chunks = Array.from({ length: CHUNKS_PER_DOCUMENT }, () => chunkText(r));
  return { text: chunks.join('\n\n'), chunks };
}

function syntheticEmbedder(): Embedder {
  return {
    spec: 'synthetic-384',
    dimensions: DIMENSIONS,
    async embed(texts) {
      return texts.map(syntheticVector);
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const dir = mkdtempSync(join(tmpdir(), 'skynette-rag-bench-'));
const database = await openDatabase({ dataDir: join(dir, 'data'), env: {} });
try {
  const precomputed = new Map<string, Float32Array>();
  const service = new KnowledgeBaseService({
    database: ragDatabase(database),
    modelsDir: join(dir, 'models'),
    embedderFor: () => ({
      spec: 'synthetic-384',
      dimensions: DIMENSIONS,
      async embed(texts) {
        return texts.map((t) => precomputed.get(t) ?? syntheticVector(t));
      },
    }),
  });
  const corpusRandom = rng(11);
  const allChunks: string[] = [];

  async function grow(name: string, documents: number): Promise<{ chunks: number; seconds: number }> {
    const docs = Array.from({ length: documents }, () => documentText(corpusRandom));
    for (const d of docs) for (const c of d.chunks) precomputed.set(c, syntheticVector(c));
    const started = performance.now();
    let chunks = 0;
    for (let i = 0; i < docs.length; i += 20) {
      const report = await service.addTexts(
        name,
        docs.slice(i, i + 20).map((d, j) => ({ source: `doc-${allChunks.length + (i + j) * CHUNKS_PER_DOCUMENT}`, text: d.text })),
      );
      if (report.failed) throw new Error(JSON.stringify(report.documents.find((x) => x.status === 'failed')));
      chunks += report.chunks;
    }
    const seconds = (performance.now() - started) / 1000;
    for (const d of docs) allChunks.push(...d.chunks);
    return { chunks, seconds };
  }

  await service.create({ name: 'bench', model: 'synthetic-384', chunking: { size: 500, overlap: 0 } });
  const first = await grow('bench', 10_000 / CHUNKS_PER_DOCUMENT);
  console.log(`rag: ingest chunks/s (SQLite, embedding excluded, 384-d vectors, first 10,000 chunks): ${fmt(first.chunks / first.seconds, 0)}`);

  // The LanceDB reference: the same vectors (row i is allChunks[i]), loaded as they grow.
  let lance: { connection: LanceConnection; table: LanceTable; version: string; rows: number } | undefined;
  let lanceProblem: string | undefined;
  const lanceRows = (from: number, to: number) => allChunks.slice(from, to).map((c, i) => ({ id: from + i, vector: precomputed.get(c)! }));
  if (['off', '0', 'false', 'no'].includes((process.env.BENCH_LANCEDB ?? '').toLowerCase())) {
    lanceProblem = 'skipped (BENCH_LANCEDB=off)';
  } else {
    try {
      const { lancedb, version } = await loadLanceDb();
      const connection = await lancedb.connect(join(dir, 'lancedb'));
      const table = await connection.createTable('bench', lanceRows(0, allChunks.length), { mode: 'overwrite' });
      lance = { connection, table, version, rows: allChunks.length };
    } catch (error) {
      lanceProblem = `failed: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  async function growLance(): Promise<void> {
    if (!lance || lance.rows === allChunks.length) return;
    try {
      await lance.table.add(lanceRows(lance.rows, allChunks.length));
      // One compacted fragment, as a long-lived table would be: the best case for a full scan.
      await lance.table.optimize();
      lance.rows = allChunks.length;
    } catch (error) {
      lanceProblem = `failed while adding rows: ${(error as Error).message.split('\n')[0]}`;
      lance = undefined;
    }
  }
  /** Flat (exhaustive) cosine search, top k, ids and distances only: no index exists, and bypassVectorIndex() makes sure. */
  const lanceSearch = (table: LanceTable, vector: Float32Array, k: number) =>
    table.vectorSearch(vector).distanceType('cosine').bypassVectorIndex().select(['id', '_distance']).limit(k).toArray();

  async function measure(label: string): Promise<void> {
    const queryRandom = rng(99);
    const queries = Array.from({ length: QUERIES + 20 }, () => {
      const source = allChunks[Math.floor(queryRandom() * allChunks.length)].split(' ');
      const pick = () => source[Math.floor(queryRandom() * (source.length - 1))];
      return `${STOP_WORDS[Math.floor(queryRandom() * 5)]} ${pick()} ${pick()} ${pick()}`;
    });
    for (const mode of ['vector', 'keyword', 'hybrid'] as const) {
      const times: number[] = [];
      for (const [i, query] of queries.entries()) {
        const started = performance.now();
        await service.search('bench', query, { mode, k: 10 });
        if (i >= 20) times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      console.log(`rag: ${mode} search p50 ms (SQLite, ${label}, k=10): ${fmt(percentile(times, 50), 2)}`);
      console.log(`rag: ${mode} search p99 ms (SQLite, ${label}, k=10): ${fmt(percentile(times, 99), 2)}`);
    }
    // The reference, on the same queries: the query vector is made the same way (synthetic, from the text).
    if (!lance) return;
    try {
      const rows = await lance.table.countRows();
      if (rows !== allChunks.length) throw new Error(`LanceDB holds ${rows} rows, expected ${allChunks.length}`);
      if ((await lance.table.listIndices()).length) throw new Error('the LanceDB table has an index; flat search wanted');
      const times: number[] = [];
      for (const [i, query] of queries.entries()) {
        const started = performance.now();
        const found = await lanceSearch(lance.table, syntheticVector(query), 10);
        if (i >= 20) times.push(performance.now() - started);
        if (found.length !== 10) throw new Error(`LanceDB returned ${found.length} rows for top 10`);
      }
      times.sort((a, b) => a - b);
      console.log(`rag: LanceDB flat vector search p50 ms (LanceDB ${lance.version}, ${label}, k=10, cosine, no index): ${fmt(percentile(times, 50), 2)}`);
      console.log(`rag: LanceDB flat vector search p99 ms (LanceDB ${lance.version}, ${label}, k=10, cosine, no index): ${fmt(percentile(times, 99), 2)}`);
    } catch (error) {
      lanceProblem = `failed while searching: ${(error as Error).message.split('\n')[0]}`;
      lance = undefined;
    }
  }

  await measure('10,000 chunks x 384');
  const rest = await grow('bench', 90_000 / CHUNKS_PER_DOCUMENT);
  console.log(`rag: ingest chunks/s (SQLite, embedding excluded, 384-d vectors, 10,000 -> 100,000 chunks): ${fmt(rest.chunks / rest.seconds, 0)}`);
  await growLance();
  await measure('100,000 chunks x 384');

  // Recall of the two-stage vector search (sign-bit candidates, exact re-ranking) against exact search.
  const recallQueries = 30;
  const vectors = allChunks.map((c) => precomputed.get(c)!);
  let overlap = 0;
  let lanceOverlap = 0;
  const recallRandom = rng(5);
  for (let q = 0; q < recallQueries; q++) {
    const text = `query ${q} ${allChunks[Math.floor(recallRandom() * allChunks.length)].slice(0, 40)}`;
    const query = syntheticVector(text);
    const best = vectors
      .map((v, i) => ({ i, s: cosineSimilarity(query, v) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 10);
    const exact = best.map((e) => e.s.toFixed(6));
    const found = await service.search('bench', text, { mode: 'vector', k: 10 });
    const got = new Set(found.hits.map((h) => h.score.toFixed(6)));
    overlap += exact.filter((s) => got.has(s)).length;
    if (lance) {
      const ids = new Set((await lanceSearch(lance.table, query, 10)).map((row) => Number(row.id)));
      lanceOverlap += best.filter((e) => ids.has(e.i)).length;
    }
  }
  console.log(`rag: vector recall@10 vs exact search (SQLite, 100,000 chunks x 384): ${fmt(overlap / (recallQueries * 10), 3)}`);
  // A check that the reference really is exact: flat search should find the exact top 10.
  if (lance) console.log(`rag: LanceDB flat vector recall@10 vs exact search (LanceDB ${lance.version}, 100,000 chunks x 384): ${fmt(lanceOverlap / (recallQueries * 10), 3)}`);

  // Embedding included: the tiny ONNX model at 384 dimensions through transformers.js.
  const modelsDir = join(dir, 'models');
  writeTinyOnnxModel({ modelsDir, name: 'tiny-384', hidden: DIMENSIONS, words: vocabulary.slice(0, 2000) });
  const real = new KnowledgeBaseService({ database: ragDatabase(database), modelsDir });
  await real.create({ name: 'with-model', model: 'tiny-384', chunking: { size: 500, overlap: 0 } });
  const modelDocs = Array.from({ length: 20 }, (_, i) => ({ source: `m-${i}`, text: documentText(rng(1000 + i)).text }));
  const started = performance.now();
  const report = await real.addTexts('with-model', modelDocs);
  const seconds = (performance.now() - started) / 1000;
  console.log(`rag: ingest chunks/s (SQLite, embedding included, tiny ONNX model 384-d, ${report.chunks.toLocaleString('en-US')} chunks): ${fmt(report.chunks / seconds, 0)}`);
  if (lanceProblem) console.log(`rag: LanceDB flat search reference: not measured (${lanceProblem})`);
  lance?.table.close();
  lance?.connection.close();
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
