import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KnowledgeBaseService, ragDatabase, type Embedder } from '../../src/rag/index.js';
import { clearEmbedderCache, createEmbedder } from '../../src/rag/embedders/resolve.js';
import { cosineSimilarity } from '../../src/rag/stores/sqlite.js';
import { writeTinyOnnxModel } from '../fixtures/tiny-onnx.js';
import { makePdf } from './fixtures.js';
import { ragTestEnv, type RagTestEnv } from './helpers.js';

export const CORPUS_WORDS = ['sleeps', 'sofa', 'afternoon', 'plays', 'fetch', 'park', 'needs', 'new', 'tires', 'run', 'night', 'tool', 'team', 'ops', 'sales'];

export const CORPUS: Record<string, string> = {
  'cats.txt': 'A kitten sleeps on the sofa every afternoon.',
  'dogs.txt': 'A puppy plays fetch in the park.',
  'cars.txt': 'The automobile needs new tires.',
  'backup.txt': 'Run the database backup tool every night.',
  'paris.txt': 'Paris is the capital of France.',
};

function writeCorpus(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(CORPUS)) writeFileSync(join(dir, name), text);
}

function countingEmbedder(env: RagTestEnv): { embedderFor: (spec: string) => Embedder; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    embedderFor(spec) {
      const inner = createEmbedder(spec, { modelsDir: env.modelsDir });
      return {
        spec,
        get dimensions() {
          return inner.dimensions;
        },
        maxTokens: inner.maxTokens,
        countTokens: (t: string) => inner.countTokens!(t),
        ready: () => inner.ready!(),
        async embed(texts, options) {
          calls.push(texts);
          return inner.embed(texts, options);
        },
      };
    },
  };
}

describe('knowledge bases on SQLite (sqlite-vec + FTS5)', () => {
  let env: RagTestEnv;
  before(async () => {
    env = await ragTestEnv({ words: CORPUS_WORDS });
    writeCorpus(env.docsDir);
    await env.service.create({ name: 'corpus', model: 'tiny-bert' });
    const report = await env.service.add('corpus', [env.docsDir]);
    assert.equal(report.added, 5);
    assert.equal(report.failed, 0);
  });
  after(() => env.close());

  it('records the model and its dimension at creation', async () => {
    const stats = await env.service.stats('corpus');
    assert.equal(stats.embedding_model, 'tiny-bert');
    assert.equal(stats.dimensions, 32);
    assert.equal(stats.max_tokens, 512);
    assert.deepEqual(stats.indexes, { vector: 5, keyword: 5, storage: 'sqlite-vec + FTS5' });
    assert.equal(stats.documents, 5);
    assert.deepEqual(stats.search_modes, ['hybrid', 'vector', 'keyword']);
  });

  it('vector search finds meaning without shared words, with exact cosine scores', async () => {
    for (const [query, file] of [
      ['feline', 'cats.txt'],
      ['canine', 'dogs.txt'],
      ['vehicle', 'cars.txt'],
    ]) {
      const result = await env.service.search('corpus', query, { mode: 'vector', k: 5 });
      assert.equal(result.hits.length, 5);
      assert.ok(result.hits[0].document.source.endsWith(file), `${query} -> ${result.hits[0].document.source}`);
      assert.deepEqual(result.hits[0].found_by, ['vector']);
      const scores = result.hits.map((h) => h.score);
      assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
      const embedder = createEmbedder('tiny-bert', { modelsDir: env.modelsDir });
      const [q, d] = await embedder.embed([query, result.hits[0].text]);
      assert.ok(Math.abs(cosineSimilarity(q, d) - result.hits[0].score) < 1e-5);
      assert.equal(result.hits[0].vector?.rank, 1);
    }
  });

  it('keyword search ranks by BM25 and finds nothing for words that are not there', async () => {
    const none = await env.service.search('corpus', 'feline', { mode: 'keyword' });
    assert.deepEqual(none.hits, []);
    const result = await env.service.search('corpus', 'database backups', { mode: 'keyword' });
    assert.equal(result.hits.length, 1, 'porter stemming: backups finds backup');
    assert.ok(result.hits[0].document.source.endsWith('backup.txt'));
    assert.deepEqual(result.hits[0].found_by, ['keyword']);
    assert.ok(result.hits[0].score > 0);
    const two = await env.service.search('corpus', 'the', { mode: 'keyword', k: 10 });
    assert.equal(two.hits.length, 5, 'every document has "the"');
  });

  it('hybrid search fuses both lists by reciprocal rank (k = 60) and says which index found each hit', async () => {
    const result = await env.service.search('corpus', 'database backup', { k: 5 });
    assert.equal(result.mode, 'hybrid');
    assert.deepEqual(result.used, ['vector', 'keyword']);
    const top = result.hits[0];
    assert.ok(top.document.source.endsWith('backup.txt'));
    assert.deepEqual(top.found_by, ['vector', 'keyword']);
    assert.ok(Math.abs(top.score - (1 / (60 + top.vector!.rank) + 1 / (60 + top.keyword!.rank))) < 1e-12);
    for (const hit of result.hits.slice(1)) assert.deepEqual(hit.found_by, ['vector']);
    const semantic = await env.service.search('corpus', 'feline', { k: 3 });
    assert.ok(semantic.hits[0].document.source.endsWith('cats.txt'));
    assert.deepEqual(semantic.hits[0].found_by, ['vector']);
    assert.equal(semantic.hits[0].position, 0);
    assert.equal(semantic.hits[0].text, CORPUS['cats.txt']);
    assert.equal(semantic.hits[0].document.type, 'text');
  });

  it('filters by metadata and limits to top-k', async () => {
    const onlyCars = await env.service.search('corpus', 'feline', { mode: 'vector', filter: { source: join(env.docsDir, 'cars.txt') } });
    assert.equal(onlyCars.hits.length, 1);
    assert.ok(onlyCars.hits[0].document.source.endsWith('cars.txt'));
    const two = await env.service.search('corpus', 'feline', { mode: 'vector', filter: { source: [join(env.docsDir, 'cars.txt'), join(env.docsDir, 'cats.txt')] }, k: 5 });
    assert.deepEqual(
      two.hits.map((h) => h.document.source.split('/').pop()),
      ['cats.txt', 'cars.txt'],
    );
    const keywordFiltered = await env.service.search('corpus', 'the', { mode: 'keyword', filter: { type: 'markdown' } });
    assert.deepEqual(keywordFiltered.hits, []);
    const k2 = await env.service.search('corpus', 'the', { k: 2 });
    assert.equal(k2.hits.length, 2);
    await assert.rejects(env.service.search('corpus', 'x', { filter: { 'bad key;': 1 } }), /filter key/);
    await assert.rejects(env.service.search('corpus', 'x', { k: 0 }), /k must be/);
    await assert.rejects(env.service.search('corpus', '  '), /query is empty/);
  });

  it('user metadata given when adding is searchable', async () => {
    await env.service.create({ name: 'teams', model: 'tiny-bert' });
    await env.service.addTexts('teams', [{ source: 'ops-notes', text: 'Run the database backup every night.' }], { metadata: { team: 'ops' } });
    await env.service.addTexts('teams', [{ source: 'sales-notes', text: 'Run the sales report every night.' }], { metadata: { team: 'sales' } });
    const ops = await env.service.search('teams', 'run every night', { filter: { team: 'ops' } });
    assert.deepEqual(
      ops.hits.map((h) => h.document.source),
      ['ops-notes'],
    );
    assert.equal(ops.hits[0].metadata.team, 'ops');
    await env.service.delete('teams');
  });

  it('re-adding a changed document replaces its chunks in both indexes; unchanged costs nothing; delete removes it', async () => {
    const counting = countingEmbedder(env);
    const service = new KnowledgeBaseService({ database: ragDatabase(env.database), modelsDir: env.modelsDir, embedderFor: counting.embedderFor });
    await service.create({ name: 'changes', model: 'tiny-bert', chunking: { size: 40, overlap: 0 } });
    const file = join(env.dir, 'changing.md');
    writeFileSync(file, 'Paris is the capital of France.\n\nThe kitten sleeps on the sofa.\n\nThe puppy plays in the park.');
    const first = await service.add('changes', [file]);
    assert.equal(first.added, 1);
    assert.equal(first.chunks, 3);
    assert.deepEqual(counting.calls.at(-1)?.length, 3);
    const kb = await service.get('changes');
    assert.deepEqual(await service.store.indexCounts(kb), { chunks: 3, vectors: 3, keyword: 3 });

    counting.calls.length = 0;
    const again = await service.add('changes', [file]);
    assert.equal(again.unchanged, 1);
    assert.equal(counting.calls.length, 0, 'an unchanged document is not embedded again');

    writeFileSync(file, 'Paris is the capital of France.\n\nThe automobile needs new tires.\n\nThe puppy plays in the park.\n\nRun the backup every night.');
    const changed = await service.add('changes', [file]);
    assert.equal(changed.updated, 1);
    assert.equal(changed.documents[0].document_id, first.documents[0].document_id, 'same document id');
    assert.deepEqual(
      counting.calls.flat(),
      ['The automobile needs new tires.', 'Run the backup every night.'],
      'chunks whose text is already stored reuse their vectors',
    );
    assert.deepEqual(await service.store.indexCounts(kb), { chunks: 4, vectors: 4, keyword: 4 });
    assert.deepEqual((await service.search('changes', 'kitten', { mode: 'keyword' })).hits, [], 'old text is gone from the keyword index');
    const vectorHits = await service.search('changes', 'kitten', { mode: 'vector', k: 10 });
    assert.equal(vectorHits.hits.length, 4, 'and from the vector index');
    assert.ok(vectorHits.hits.every((h) => !h.text.includes('kitten')));

    const removed = await service.removeDocument('changes', 'changing.md');
    assert.equal(removed.source, file);
    assert.deepEqual(await service.store.indexCounts(kb), { chunks: 0, vectors: 0, keyword: 0 });
    assert.deepEqual((await service.search('changes', 'Paris', {})).hits, []);
    await assert.rejects(service.removeDocument('changes', 'changing.md'), /has no document/);
    await service.delete('changes');
    await assert.rejects(service.get('changes'), /no knowledge base "changes"/);
    const leftovers = env.database.sqlite!.sqlite.prepare(`select name from sqlite_master where name like 'rag_%${kb.id.slice(3)}%'`).all();
    assert.deepEqual(leftovers, [], 'its index tables are dropped');
  });

  it('a batch with bad documents: a clear error for each, the rest still added', async () => {
    const dir = join(env.dir, 'batch');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'good.md'), '# Good\n\nThe capital of France is Paris.');
    writeFileSync(join(dir, 'photo.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    writeFileSync(join(dir, 'empty.txt'), '');
    writeFileSync(join(dir, 'locked.pdf'), makePdf([['secret plans']], { encrypted: true }));
    writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.7\n1 0 obj <<');
    writeFileSync(join(dir, 'fine.pdf'), makePdf([['The whale lives in the ocean.']]));
    const huge = join(dir, 'huge.txt');
    closeSync(openSync(huge, 'w'));
    truncateSync(huge, 200 * 1024 * 1024);
    await env.service.create({ name: 'batch', model: 'tiny-bert' });
    const progress: string[] = [];
    const report = await env.service.add('batch', [dir, join(dir, 'nowhere.md')], { onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.status}`) });
    const byName = Object.fromEntries(report.documents.map((d) => [d.source.split('/').pop(), d]));
    assert.equal(byName['good.md'].status, 'added');
    assert.equal(byName['fine.pdf'].status, 'added');
    assert.equal(byName['photo.txt'].error?.code, 'DOCUMENT_BINARY');
    assert.equal(byName['empty.txt'].error?.code, 'DOCUMENT_EMPTY');
    assert.equal(byName['locked.pdf'].error?.code, 'PDF_ENCRYPTED');
    assert.equal(byName['broken.pdf'].error?.code, 'PDF_CORRUPT');
    assert.equal(byName['huge.txt'].error?.code, 'DOCUMENT_TOO_LARGE');
    assert.equal(byName['nowhere.md'].error?.code, 'PATH_NOT_FOUND');
    for (const failed of report.documents.filter((d) => d.status === 'failed')) assert.ok(failed.error!.message.includes(failed.source.split('/').pop()!), failed.error!.message);
    assert.equal(report.added, 2);
    assert.equal(report.failed, 6);
    assert.equal(progress.length, 8);
    assert.match(progress.at(-1)!, /^8\/8 /);
    const hits = await env.service.search('batch', 'whale ocean');
    assert.ok(hits.hits[0].document.source.endsWith('fine.pdf'));
    assert.equal(hits.hits[0].metadata.page, 1);
  });

  it('a model of the wrong dimension: a clear error per document, and for queries', async () => {
    const modelsDir = join(env.dir, 'swap-models');
    writeTinyOnnxModel({ modelsDir, name: 'swappable', hidden: 32 });
    const service = new KnowledgeBaseService({ database: ragDatabase(env.database), modelsDir });
    await service.create({ name: 'swapped', model: 'swappable' });
    await service.addTexts('swapped', [{ source: 'before', text: 'Paris is the capital of France.' }]);
    // The model files are replaced by a model of another size.
    writeTinyOnnxModel({ modelsDir, name: 'swappable', hidden: 16 });
    clearEmbedderCache();
    const fresh = new KnowledgeBaseService({ database: ragDatabase(env.database), modelsDir });
    const report = await fresh.addTexts('swapped', [
      { source: 'one', text: 'The kitten sleeps.' },
      { source: 'two', text: 'The puppy plays.' },
    ]);
    assert.equal(report.failed, 2);
    for (const doc of report.documents) {
      assert.equal(doc.error?.code, 'EMBEDDING_DIMENSION_MISMATCH');
      assert.match(doc.error!.message, /now gives 16-dimensional vectors, but knowledge base "swapped" was created with 32/);
    }
    await assert.rejects(fresh.search('swapped', 'kitten', { mode: 'vector' }), /EMBEDDING_DIMENSION_MISMATCH|now gives 16-dimensional/);
    const keyword = await fresh.search('swapped', 'Paris', { mode: 'keyword' });
    assert.equal(keyword.hits.length, 1, 'keyword search still works');
    clearEmbedderCache();
  });

  it('one document whose vectors have the wrong size fails alone', async () => {
    const good = createEmbedder('tiny-bert', { modelsDir: env.modelsDir });
    const service = new KnowledgeBaseService({
      database: ragDatabase(env.database),
      modelsDir: env.modelsDir,
      embedderFor: () => ({
        spec: 'tiny-bert',
        maxTokens: 512,
        async embed(texts) {
          const vectors = await good.embed(texts);
          return texts.map((t, i) => (t.includes('poison') ? vectors[i].subarray(0, 8) : vectors[i]));
        },
      }),
    });
    await service.create({ name: 'poisoned', model: 'tiny-bert' });
    const report = await service.addTexts('poisoned', [
      { source: 'a', text: 'The kitten sleeps.' },
      { source: 'b', text: 'poison here' },
      { source: 'c', text: 'The puppy plays.' },
    ]);
    assert.deepEqual(
      report.documents.map((d) => [d.source, d.status, d.error?.code]),
      [
        ['a', 'added', undefined],
        ['b', 'failed', 'EMBEDDING_DIMENSION_MISMATCH'],
        ['c', 'added', undefined],
      ],
    );
  });

  it("a query longer than the model's window is refused with a clear error", async () => {
    const modelsDir = join(env.dir, 'short-models');
    writeTinyOnnxModel({ modelsDir, name: 'short-window', maxLength: 16 });
    const service = new KnowledgeBaseService({ database: ragDatabase(env.database), modelsDir });
    await service.create({ name: 'short', model: 'short-window', chunking: { size: 1000, overlap: 0 } });
    const long = Array.from({ length: 40 }, () => 'the cat').join(' ');
    const report = await service.addTexts('short', [{ source: 'long', text: long }]);
    assert.equal(report.added, 1);
    assert.ok(report.chunks > 1, 'a chunk longer than the window was split, not cut off');
    await assert.rejects(service.search('short', long), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'QUERY_TOO_LONG');
      assert.match(error.message, /the query is 82 tokens, longer than the 16-token window of short-window/);
      return true;
    });
    assert.ok((await service.search('short', long, { mode: 'keyword' })).hits.length > 0, 'keyword search takes any length');
    await assert.rejects(service.create({ name: 'short2', model: 'short-window', chunking: { unit: 'tokens', size: 100, overlap: 10 } }), /larger than the window/);
  });

  it('without an embedding model, keyword search still works and says so', async () => {
    const emptyModels = join(env.dir, 'no-models');
    const service = new KnowledgeBaseService({ database: ragDatabase(env.database), modelsDir: emptyModels });
    const created = await service.create({ name: 'plain' });
    assert.equal(created.knowledge_base.embedding_model, null);
    assert.match(created.notice!, /no embedding model in .*no-models, so "plain" uses keyword search only/);
    const report = await service.add('plain', [env.docsDir]);
    assert.equal(report.added, 5);
    assert.match(report.notice!, /keyword search only/);
    const result = await service.search('plain', 'database backup');
    assert.deepEqual(result.used, ['keyword']);
    assert.match(result.notice!, /has no embedding model, so this is keyword search only/);
    assert.ok(result.hits[0].document.source.endsWith('backup.txt'));
    await assert.rejects(service.search('plain', 'x', { mode: 'vector' }), /no embedding model, so it has no vector index/);
    assert.deepEqual((await service.stats('plain')).search_modes, ['keyword']);
    const explicit = await env.service.create({ name: 'plain2', model: 'none' });
    assert.match(explicit.notice!, /keyword search only/);
  });

  it('picks the local model by default, and refuses unknown models and names', async () => {
    const created = await env.service.create({ name: 'defaulted' });
    assert.equal(created.knowledge_base.embedding_model, 'tiny-bert');
    await assert.rejects(env.service.create({ name: 'defaulted' }), /already exists/);
    await assert.rejects(env.service.create({ name: 'bad name!' }), /not a valid knowledge base name/);
    await assert.rejects(env.service.create({ name: 'x1', model: 'missing-model' }), /no embedding model "missing-model" in .*; models there: tiny-bert/);
    await assert.rejects(env.service.create({ name: 'x2', model: 'acme:thing' }), /unknown model provider "acme"/);
  });

  it('vector search over more chunks than the candidate pool (sign-bit candidates, 384 dimensions) still finds the exact best', async () => {
    const modelsDir = join(env.dir, 'wide-models');
    writeTinyOnnxModel({ modelsDir, name: 'wide', hidden: 384 });
    const service = new KnowledgeBaseService({ database: ragDatabase(env.database), modelsDir });
    await service.create({ name: 'many', model: 'wide' });
    const words = ['cat', 'dog', 'car', 'sea', 'fish', 'tea', 'milk', 'bread', 'rain', 'snow', 'sun', 'river', 'city', 'paris', 'london', 'berlin', 'apple', 'pizza', 'coffee', 'whale'];
    const texts = Array.from({ length: 500 }, (_, i) => ({ source: `doc-${i}`, text: `${words[i % 20]} ${words[(i * 7) % 20]} ${words[(i * 13 + 5) % 20]} ${words[(i * 3 + 1) % 20]} ${i}` }));
    await service.addTexts('many', texts);
    const kb = await service.get('many');
    const tables = env.database.sqlite!.sqlite.prepare(`select sql from sqlite_master where name = 'rag_vec_${kb.id.slice(3)}'`).pluck().get() as string;
    assert.match(tables, /bit\[384\]/);
    const embedder = createEmbedder('wide', { modelsDir });
    const vectors = await embedder.embed(texts.map((t) => t.text));
    for (const query of ['kitten whale', 'coffee and milk', 'rain over berlin', 'paris 42']) {
      const [q] = await embedder.embed([query]);
      const exact = vectors.map((v, i) => ({ i, s: cosineSimilarity(q, v) })).sort((a, b) => b.s - a.s).slice(0, 3);
      const found = await service.search('many', query, { mode: 'vector', k: 3 });
      assert.deepEqual(
        found.hits.map((h) => h.score.toFixed(5)),
        exact.map((e) => e.s.toFixed(5)),
        query,
      );
    }
  });
});
