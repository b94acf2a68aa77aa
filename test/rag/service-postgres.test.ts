import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { KnowledgeBaseService, ragDatabase } from '../../src/rag/index.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { writeTinyOnnxModel } from '../fixtures/tiny-onnx.js';
import { openPglite } from './pglite.js';

const CORPUS: Record<string, string> = {
  'cats.md': '# Pets\n\nA kitten sleeps on the sofa every afternoon.',
  'dogs.txt': 'A puppy plays fetch in the park.',
  'cars.txt': 'The automobile needs new tires.',
  'backup.txt': 'Run the database backup tool every night.',
  'paris.txt': 'Paris is the capital of France.',
};
const WORDS = ['sleeps', 'sofa', 'afternoon', 'plays', 'fetch', 'park', 'needs', 'new', 'tires', 'run', 'night', 'tool'];

describe('knowledge bases on Postgres (pgvector + full-text search, on PGlite)', () => {
  let dir: string;
  let modelsDir: string;
  let docs: string;
  let pg: Awaited<ReturnType<typeof openPglite>>;
  let service: KnowledgeBaseService;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-rag-pg-'));
    modelsDir = join(dir, 'models');
    docs = join(dir, 'docs');
    mkdirSync(docs);
    for (const [name, text] of Object.entries(CORPUS)) writeFileSync(join(docs, name), text);
    writeTinyOnnxModel({ modelsDir, words: WORDS });
    pg = await openPglite();
    service = new KnowledgeBaseService({ database: pg.database, modelsDir });
    await service.create({ name: 'corpus', model: 'tiny-bert' });
    const report = await service.add('corpus', [docs]);
    assert.equal(report.added, 5, JSON.stringify(report.documents));
  });
  after(async () => {
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps vectors in a pgvector table with an HNSW cosine index', async () => {
    const kb = await service.get('corpus');
    const indexes = await sql<{ indexdef: string }>`select indexdef from pg_indexes where tablename = ${`rag_vec_${kb.id.slice(3)}`}`.execute(pg.database.db);
    assert.ok(indexes.rows.some((r) => /hnsw \(embedding vector_cosine_ops\)/.test(r.indexdef)), JSON.stringify(indexes.rows));
    const stats = await service.stats('corpus');
    assert.deepEqual(stats.indexes, { vector: 5, keyword: 5, storage: 'pgvector + Postgres full-text search' });
  });

  it('ranks vector, keyword and hybrid results like the SQLite store', async () => {
    const vector = await service.search('corpus', 'feline', { mode: 'vector' });
    assert.ok(vector.hits[0].document.source.endsWith('cats.md'));
    assert.deepEqual(vector.hits[0].found_by, ['vector']);
    assert.equal(vector.hits[0].metadata.heading_path, 'Pets');
    const keyword = await service.search('corpus', 'database backups', { mode: 'keyword' });
    assert.equal(keyword.hits.length, 1, 'English stemming: backups finds backup');
    assert.ok(keyword.hits[0].document.source.endsWith('backup.txt'));
    assert.deepEqual((await service.search('corpus', 'feline', { mode: 'keyword' })).hits, []);
    const hybrid = await service.search('corpus', 'database backup', { k: 3 });
    assert.ok(hybrid.hits[0].document.source.endsWith('backup.txt'));
    assert.deepEqual(hybrid.hits[0].found_by, ['vector', 'keyword']);
    assert.ok(Math.abs(hybrid.hits[0].score - (1 / (60 + hybrid.hits[0].vector!.rank) + 1 / (60 + hybrid.hits[0].keyword!.rank))) < 1e-12);
    const filtered = await service.search('corpus', 'feline', { mode: 'vector', filter: { type: ['text'] }, k: 10 });
    assert.equal(filtered.hits.length, 4);
    assert.ok(filtered.hits.every((h) => h.document.type === 'text'));
  });

  it('replaces, skips unchanged and deletes documents consistently in both indexes', async () => {
    await service.create({ name: 'changes', model: 'tiny-bert', chunking: { size: 40, overlap: 0 } });
    const file = join(dir, 'changing.txt');
    writeFileSync(file, 'Paris is the capital of France.\n\nThe kitten sleeps on the sofa.');
    assert.equal((await service.add('changes', [file])).added, 1);
    const kb = await service.get('changes');
    assert.deepEqual(await service.store.indexCounts(kb), { chunks: 2, vectors: 2, keyword: 2 });
    assert.equal((await service.add('changes', [file])).unchanged, 1);
    writeFileSync(file, 'Paris is the capital of France.\n\nThe puppy plays in the park.\n\nRun the backup every night.');
    assert.equal((await service.add('changes', [file])).updated, 1);
    assert.deepEqual(await service.store.indexCounts(kb), { chunks: 3, vectors: 3, keyword: 3 });
    assert.deepEqual((await service.search('changes', 'kitten', { mode: 'keyword' })).hits, []);
    await service.removeDocument('changes', file);
    assert.deepEqual(await service.store.indexCounts(kb), { chunks: 0, vectors: 0, keyword: 0 });
    await service.delete('changes');
    const left = await sql<{ n: number }>`select count(*)::int as n from pg_tables where tablename = ${`rag_vec_${kb.id.slice(3)}`}`.execute(pg.database.db);
    assert.equal(left.rows[0].n, 0);
  });

  it('works without a model, keyword only', async () => {
    const created = await service.create({ name: 'plain', model: 'none' });
    assert.match(created.notice!, /keyword search only/);
    await service.add('plain', [docs]);
    const result = await service.search('plain', 'capital of France');
    assert.deepEqual(result.used, ['keyword']);
    assert.ok(result.notice);
    assert.ok(result.hits[0].document.source.endsWith('paris.txt'));
  });
});

describe('knowledge bases on a real Postgres server without pgvector', () => {
  const url = process.env.SKYNETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `skynette_rag_${randomBytes(4).toString('hex')}`;
  let database: Database;
  let service: KnowledgeBaseService;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-rag-realpg-'));
    writeTinyOnnxModel({ modelsDir: join(dir, 'models') });
    database = await openDatabase({ url, schema, env: {} });
    service = new KnowledgeBaseService({ database: ragDatabase(database), modelsDir: join(dir, 'models') });
  });
  after(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says pgvector is missing and how to install it, and keyword-only bases still work', async (t) => {
    const available = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'vector'`.execute(database.db);
    if (available.rows[0].n > 0) {
      // This server has pgvector: the model base is created instead (the message is tested by the check above on servers without it).
      await service.create({ name: 'with-vectors', model: 'tiny-bert' });
      t.diagnostic('this Postgres server has pgvector; the missing-extension message was not exercised here');
    } else {
      await assert.rejects(service.create({ name: 'with-vectors', model: 'tiny-bert' }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'PGVECTOR_MISSING');
        assert.match(error.message, /does not have the pgvector extension/);
        assert.match(error.message, /apt install postgresql-<version>-pgvector/);
        assert.match(error.message, /CREATE EXTENSION vector/);
        assert.match(error.message, /--model none/);
        return true;
      });
      await assert.rejects(service.get('with-vectors'), /no knowledge base/, 'nothing half-created');
    }
    await service.create({ name: 'keywords', model: 'none' });
    await service.addTexts('keywords', [
      { source: 'a', text: 'The backup runs every night.' },
      { source: 'b', text: 'Paris is the capital of France.' },
    ]);
    const result = await service.search('keywords', 'nightly backups');
    assert.equal(result.hits[0].document.source, 'a');
    assert.deepEqual(result.hits[0].found_by, ['keyword']);
  });
});
