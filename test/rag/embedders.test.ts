import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeBaseService, ragDatabase } from '../../src/rag/index.js';
import { CachedEmbedder } from '../../src/rag/embedders/cache.js';
import { GatewayEmbedder, type EmbeddingGateway } from '../../src/rag/embedders/gateway.js';
import { OnnxEmbedder } from '../../src/rag/embedders/onnx.js';
import { normalizeModelSpec, parseModelSpec } from '../../src/rag/embedders/resolve.js';
import { openDatabase } from '../../src/store/database.js';
import { writeTinyOnnxModel, type TinyOnnxModel } from '../fixtures/tiny-onnx.js';

describe('embedders', () => {
  let dir: string;
  let model: TinyOnnxModel;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-embed-'));
    model = writeTinyOnnxModel({ modelsDir: join(dir, 'models') });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a local ONNX model through transformers.js: unit vectors, batches equal single texts', async () => {
    const embedder = new OnnxEmbedder('tiny-bert', model.path, 2);
    const texts = ['the cat', 'a kitten on the sofa of the house', 'database', 'hello world'];
    const batch = await embedder.embed(texts);
    assert.equal(batch.length, 4);
    assert.equal(embedder.dimensions, 32);
    assert.equal(embedder.maxTokens, 512);
    for (const v of batch) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
    for (const [i, text] of texts.entries()) {
      const [single] = await embedder.embed([text]);
      assert.ok(single.every((x, j) => Math.abs(x - batch[i][j]) < 1e-5), 'padding does not change a vector');
    }
    assert.equal(embedder.countTokens('the cat'), 4, '[CLS] the cat [SEP]');
    assert.equal(embedder.countTokens('zq'), 4, 'unknown words split into pieces');
  });

  it('caches vectors by content hash', async () => {
    let calls = 0;
    const cached = new CachedEmbedder({
      spec: 'x',
      async embed(texts) {
        calls += texts.length;
        return texts.map((t) => Float32Array.from([t.length, 1]));
      },
    }, 2);
    const first = await cached.embed(['a', 'bb', 'a']);
    assert.deepEqual(first.map((v) => v[0]), [1, 2, 1]);
    assert.equal(calls, 2, 'the same text in one call is embedded once');
    await cached.embed(['bb']);
    assert.equal(calls, 2);
    assert.equal(cached.hits, 2);
    await cached.embed(['ccc', 'dddd']);
    await cached.embed(['a']);
    assert.equal(calls, 5, 'least recently used entries are dropped at capacity');
  });

  it('parses model specs', () => {
    assert.deepEqual(parseModelSpec('none'), { kind: 'none' });
    assert.deepEqual(parseModelSpec(undefined), { kind: 'none' });
    assert.deepEqual(parseModelSpec('all-MiniLM-L6-v2'), { kind: 'onnx', name: 'all-MiniLM-L6-v2' });
    assert.deepEqual(parseModelSpec('onnx:tiny'), { kind: 'onnx', name: 'tiny' });
    assert.deepEqual(parseModelSpec('ollama:nomic-embed-text'), { kind: 'gateway', provider: 'ollama', model: 'nomic-embed-text' });
    assert.deepEqual(parseModelSpec('openai:text-embedding-3-small'), { kind: 'gateway', provider: 'openai', model: 'text-embedding-3-small' });
    assert.deepEqual(parseModelSpec('gguf:bge-small.gguf'), { kind: 'gateway', provider: 'llamacpp', model: 'bge-small' });
    assert.throws(() => parseModelSpec('ollama:'), /names no model/);
    assert.equal(normalizeModelSpec('lmstudio:embed', join(dir, 'models')), 'lmstudio:embed');
    assert.equal(normalizeModelSpec('tiny-bert', join(dir, 'models')), 'tiny-bert');
  });

  it('embeds through the AI gateway in batches (Ollama, OpenAI, LM Studio, llama.cpp models)', async () => {
    const requests: Array<{ texts: string[]; provider?: string; model?: string }> = [];
    const gateway: EmbeddingGateway = {
      async embed(request) {
        requests.push(request);
        return { vectors: request.texts.map((t) => [t.length, 1, 0]), dimensions: 3, provider: request.provider!, model: request.model! };
      },
    };
    const embedder = new GatewayEmbedder('ollama:nomic-embed-text', 'ollama', 'nomic-embed-text', async () => gateway, 2);
    const vectors = await embedder.embed(['a', 'bb', 'ccc']);
    assert.deepEqual(vectors.map((v) => Array.from(v)), [
      [1, 1, 0],
      [2, 1, 0],
      [3, 1, 0],
    ]);
    assert.deepEqual(
      requests.map((r) => [r.provider, r.model, r.texts.length]),
      [
        ['ollama', 'nomic-embed-text', 2],
        ['ollama', 'nomic-embed-text', 1],
      ],
    );
    assert.equal(embedder.dimensions, 3);
  });

  it('a knowledge base on a gateway model fixes its dimension and checks it on every write and query', async () => {
    let dims = 4;
    const gateway: EmbeddingGateway = {
      async embed(request) {
        const vectors = request.texts.map((t) => Array.from({ length: dims }, (_, i) => (t.includes('cat') ? (i === 0 ? 1 : 0) : i === 1 ? 1 : 0.1)));
        return { vectors, dimensions: dims, provider: 'ollama', model: request.model! };
      },
    };
    const database = await openDatabase({ dataDir: join(dir, 'data'), env: {} });
    try {
      const service = new KnowledgeBaseService({ database: ragDatabase(database), modelsDir: join(dir, 'models'), gateway: async () => gateway });
      const created = await service.create({ name: 'remote', model: 'ollama:nomic-embed-text' });
      assert.equal(created.knowledge_base.embedding_model, 'ollama:nomic-embed-text');
      assert.equal(created.knowledge_base.dimensions, 4);
      await service.addTexts('remote', [
        { source: 'a', text: 'the cat sat' },
        { source: 'b', text: 'the dog ran' },
      ]);
      const hits = await service.search('remote', 'cat', { mode: 'vector' });
      assert.equal(hits.hits[0].document.source, 'a');
      dims = 6;
      const report = await service.addTexts('remote', [{ source: 'c', text: 'a new cat text' }]);
      assert.equal(report.documents[0].error?.code, 'EMBEDDING_DIMENSION_MISMATCH');
      await assert.rejects(service.search('remote', 'dog food', { mode: 'vector' }), /now gives 6-dimensional vectors/);
    } finally {
      await database.close();
    }
  });
});
