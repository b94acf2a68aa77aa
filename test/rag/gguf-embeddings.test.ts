/**
 * Knowledge bases on a GGUF embedding model, end to end: the tiny generated llama GGUF in a
 * temporary models folder (SKYNETTE_MODELS_DIR), the real AI gateway, its llamacpp provider and
 * the llama.cpp child process. No fake gateway here (embedders.test.ts has those).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiGateway, setGateway } from '../../src/ai/gateway.js';
import { silentLogger } from '../../src/ai/logger.js';
import { KnowledgeBaseService, ragDatabase, type Embedder } from '../../src/rag/index.js';
import { textHash } from '../../src/rag/embedders/cache.js';
import { cosineSimilarity } from '../../src/rag/stores/sqlite.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { SkynetteError } from '../../src/util/errors.js';
import { writeTinyGguf } from '../fixtures/tiny-gguf.js';

const DIMENSIONS = 64;

let dir: string;
let modelsDir: string;
let database: Database;
let gateway: AiGateway;
let service: KnowledgeBaseService;
let modelPid: number | undefined;

/** The llamacpp provider's model process (private to the provider; looked at, not touched). */
function hostChild(): ChildProcess | undefined {
  const provider = gateway.provider('llamacpp') as unknown as { host: { child?: ChildProcess } };
  return provider.host.child;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
const savedModelsDir = process.env.SKYNETTE_MODELS_DIR;

const documents = [
  { source: 'counting', text: 'one two three four five six seven eight nine ten' },
  { source: 'greeting', text: 'hello world, the summary says yes' },
  { source: 'answers', text: 'true or false, yes or no: ok' },
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skynette-rag-gguf-'));
  modelsDir = join(dir, 'models');
  mkdirSync(modelsDir, { recursive: true });
  writeTinyGguf(join(modelsDir, 'tiny-embed.gguf'));
  // The service finds the models folder the way a user's setup does.
  process.env.SKYNETTE_MODELS_DIR = modelsDir;
  database = await openDatabase({ dataDir: join(dir, 'data'), env: {} });
  // The real gateway, isolated from this machine's settings: only the llamacpp provider can answer
  // (one thread, CPU only, as the tiny-model recipe advises).
  gateway = await AiGateway.create({
    logger: silentLogger,
    env: { SKYNETTE_MODELS_DIR: modelsDir, SKYNETTE_LLAMA_GPU: 'false', SKYNETTE_LLAMA_THREADS: '1', OLLAMA_HOST: 'http://127.0.0.1:9', LMSTUDIO_BASE_URL: 'http://127.0.0.1:9/v1' },
  });
  // The knowledge bases reach it the way they do in the product: through getGateway(), loaded on first use.
  setGateway(gateway);
  service = new KnowledgeBaseService({ database: ragDatabase(database) });
});

after(async () => {
  // Ends the llama.cpp child process; a leftover would keep the test process alive.
  await gateway?.close();
  setGateway(undefined);
  await database?.close();
  if (savedModelsDir === undefined) delete process.env.SKYNETTE_MODELS_DIR;
  else process.env.SKYNETTE_MODELS_DIR = savedModelsDir;
  rmSync(dir, { recursive: true, force: true });
});

describe('knowledge bases on a GGUF embedding model through the AI gateway and llama.cpp', () => {
  it('creates a knowledge base with gguf:NAME and records the model and its dimension', async () => {
    assert.equal(service.modelsDir, modelsDir);
    const { knowledge_base: kb, notice } = await service.create({ name: 'gguf-kb', model: 'gguf:tiny-embed', chunking: { size: 200, overlap: 0 } });
    assert.equal(notice, undefined);
    assert.equal(kb.embedding_model, 'gguf:tiny-embed');
    assert.equal(kb.dimensions, DIMENSIONS);
    assert.equal((await service.get('gguf-kb')).dimensions, DIMENSIONS);
    // The model really ran in the llamacpp provider's child process.
    const child = hostChild();
    assert.ok(child?.pid, 'the llama.cpp host process is running');
    modelPid = child.pid;
  });

  it('a bare GGUF file name resolves to gguf:NAME', async () => {
    const { knowledge_base: kb } = await service.create({ name: 'gguf-bare', model: 'tiny-embed' });
    assert.equal(kb.embedding_model, 'gguf:tiny-embed');
    assert.equal(kb.dimensions, DIMENSIONS);
    await service.delete('gguf-bare');
  });

  it('embeds every chunk of the documents added', async () => {
    const report = await service.addTexts('gguf-kb', documents);
    assert.equal(report.failed, 0, JSON.stringify(report.documents));
    assert.equal(report.added, documents.length);
    assert.equal(report.chunks, documents.length);
    const stats = await service.stats('gguf-kb');
    assert.equal(stats.embedding_model, 'gguf:tiny-embed');
    assert.equal(stats.dimensions, DIMENSIONS);
    assert.equal(stats.chunks, documents.length);
    assert.equal(stats.indexes.vector, documents.length);
    assert.equal(stats.indexes.keyword, documents.length);
    // Each stored vector is the model's: 64 numbers, and the same as the gateway gives for that text.
    const kb = await service.get('gguf-kb');
    const texts: string[] = [];
    for (const document of await service.documents('gguf-kb')) texts.push(...(await service.repository.documentChunks(document.id)).map((c) => c.text));
    assert.deepEqual(texts.sort(), documents.map((d) => d.text).sort());
    const stored = await service.store.vectorsByHash(kb, texts.map(textHash));
    assert.equal(stored.size, documents.length);
    const direct = await gateway.embed({ texts, provider: 'llamacpp', model: 'tiny-embed' });
    texts.forEach((text, i) => {
      const vector = stored.get(textHash(text))!;
      assert.equal(vector.length, DIMENSIONS);
      assert.ok(Math.abs(cosineSimilarity(vector, Float32Array.from(direct.vectors[i])) - 1) < 1e-5);
    });
  });

  it('vector search runs the query through the model and finds the same text first', async () => {
    const result = await service.search('gguf-kb', documents[1].text, { mode: 'vector', k: 3 });
    assert.deepEqual(result.used, ['vector']);
    assert.equal(result.hits.length, documents.length);
    for (const hit of result.hits) assert.deepEqual(hit.found_by, ['vector']);
    assert.equal(result.hits[0].document.source, 'greeting');
    assert.ok(result.hits[0].score > 0.999, `the same text should have cosine 1, got ${result.hits[0].score}`);
    assert.ok(result.hits[0].score >= result.hits[1].score);
  });

  it('hybrid search fuses the vector and keyword lists', async () => {
    const result = await service.search('gguf-kb', 'hello world', { k: 3 });
    assert.equal(result.mode, 'hybrid');
    assert.deepEqual(result.used, ['vector', 'keyword']);
    assert.ok(result.hits.length > 0);
    assert.ok(result.hits.every((hit) => hit.found_by.includes('vector')), JSON.stringify(result.hits.map((h) => h.found_by)));
    const greeting = result.hits.find((hit) => hit.document.source === 'greeting');
    assert.ok(greeting, 'the document with both words is found');
    assert.deepEqual(greeting.found_by, ['vector', 'keyword']);
    assert.equal(result.hits[0].document.source, 'greeting');
  });

  it('a knowledge base recorded with another dimension refuses the model\'s vectors with a clear error', async () => {
    // "mixed" was created when tiny-embed.gguf was a 32-dimension model; the file is now the 64-dimension one.
    const older: Embedder = {
      spec: 'gguf:tiny-embed',
      dimensions: 32,
      async embed(texts) {
        return texts.map(() => Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)));
      },
    };
    const before = new KnowledgeBaseService({ database: ragDatabase(database), embedderFor: () => older });
    const { knowledge_base: kb } = await before.create({ name: 'mixed', model: 'gguf:tiny-embed' });
    assert.equal(kb.dimensions, 32);
    await before.addTexts('mixed', [{ source: 'old', text: 'one two three' }]);

    for (const mode of ['vector', 'hybrid'] as const) {
      await assert.rejects(service.search('mixed', 'one two', { mode }), (error: SkynetteError) => {
        assert.equal(error.code, 'EMBEDDING_DIMENSION_MISMATCH');
        assert.match(error.message, /mixed/);
        assert.match(error.message, /32/);
        assert.match(error.message, /64/);
        return true;
      });
    }
    // Writes are refused per document, the same way.
    const report = await service.addTexts('mixed', [{ source: 'new', text: 'four five six' }]);
    assert.equal(report.failed, 1);
    assert.equal(report.documents[0].error?.code, 'EMBEDDING_DIMENSION_MISMATCH');
    // Keyword search needs no model and still works.
    const keyword = await service.search('mixed', 'three', { mode: 'keyword' });
    assert.equal(keyword.hits[0].document.source, 'old');
  });

  it('closing the gateway ends the model process', async () => {
    assert.ok(modelPid && alive(modelPid));
    assert.equal(hostChild()?.pid, modelPid, 'one model process served every call');
    await gateway.close();
    assert.equal(hostChild(), undefined);
    const deadline = Date.now() + 5000;
    while (alive(modelPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(modelPid), false, `the llama.cpp process ${modelPid} is still running`);
  });
});
