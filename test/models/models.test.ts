import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addModel, listInstalledModels, removeModel } from '../../src/models/folder.js';
import { pullModel, RANGE_BYTES, type PullProgress } from '../../src/models/pull.js';
import { writeTinyOnnxModel } from '../fixtures/tiny-onnx.js';
import { runKbCli } from '../rag/cli.js';
import { startHubServer, type HubFile } from './hub-server.js';

function modelFiles(dir: string, name: string): HubFile[] {
  const model = writeTinyOnnxModel({ modelsDir: dir, name });
  const read = (p: string) => readFileSync(join(model.path, p));
  return [
    { path: 'config.json', content: read('config.json') },
    { path: 'tokenizer.json', content: read('tokenizer.json') },
    { path: 'tokenizer_config.json', content: read('tokenizer_config.json') },
    { path: 'onnx/model.onnx', content: read('onnx/model.onnx'), lfs: true },
    // Variants a sentence-embedding repository also has; not downloaded by default.
    { path: 'onnx/model_quantized.onnx', content: Buffer.from('quantized variant'), lfs: true },
    { path: 'README.md', content: Buffer.from('# tiny') },
  ];
}

describe('models folder', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-models-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds an ONNX model folder and a GGUF file, and lists them', () => {
    const source = join(dir, 'source');
    const models = join(dir, 'models-a');
    writeTinyOnnxModel({ modelsDir: source, name: 'my-embedder', hidden: 48 });
    const gguf = join(dir, 'chat.gguf');
    writeFileSync(gguf, Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(60)]));
    const onnx = addModel(models, join(source, 'my-embedder'));
    assert.equal(onnx.name, 'my-embedder');
    assert.equal(onnx.kind, 'onnx');
    assert.equal(onnx.dimensions, 48);
    assert.equal(onnx.max_tokens, 512);
    assert.equal(addModel(models, gguf).spec, 'gguf:chat');
    assert.deepEqual(
      listInstalledModels(models).map((m) => [m.name, m.kind, m.spec]),
      [
        ['chat', 'gguf', 'gguf:chat'],
        ['my-embedder', 'onnx', 'my-embedder'],
      ],
    );
    assert.throws(() => addModel(models, join(source, 'my-embedder')), /already installed; pass --force/);
    assert.equal(addModel(models, join(source, 'my-embedder'), { force: true }).name, 'my-embedder');
    assert.equal(addModel(models, join(source, 'my-embedder'), { name: 'copy' }).name, 'copy');
    assert.deepEqual(
      readdirSync(models).filter((n) => n.startsWith('.')),
      [],
      'no partial folders left',
    );
    removeModel(models, 'copy');
    assert.ok(!existsSync(join(models, 'copy')));
  });

  it('refuses folders and files that are not models', () => {
    const notModel = join(dir, 'random');
    mkdirSync(notModel, { recursive: true });
    writeFileSync(join(notModel, 'readme.txt'), 'hi');
    assert.throws(() => addModel(join(dir, 'models-b'), notModel), /needs config\.json, tokenizer\.json and onnx\/model\.onnx/);
    const fake = join(dir, 'fake.gguf');
    writeFileSync(fake, 'not gguf');
    assert.throws(() => addModel(join(dir, 'models-b'), fake), /neither a model folder/);
    assert.throws(() => addModel(join(dir, 'models-b'), join(dir, 'missing')), /does not exist/);
  });
});

describe('models pull from a Hugging Face compatible server', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-pull-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('downloads the embedding files in ranged requests, verifies every checksum, installs the folder', async () => {
    const files = modelFiles(join(dir, 'src1'), 'tiny');
    // Make the ONNX file span several ranges.
    const big = Buffer.alloc(RANGE_BYTES * 2 + 12345, 7);
    files.push({ path: 'onnx/big.bin', content: big, lfs: true });
    const hub = await startHubServer('acme/tiny-embedder', files);
    try {
      const progress: PullProgress[] = [];
      const models = join(dir, 'models');
      const result = await pullModel(models, 'acme/tiny-embedder', { from: hub.server.url, include: ['*.json', 'onnx/model.onnx', 'onnx/big.bin'], onProgress: (p) => progress.push(p) });
      assert.equal(result.model.name, 'tiny-embedder');
      assert.equal(result.model.kind, 'onnx');
      assert.deepEqual(
        result.files.map((f) => [f.path, f.checksum?.algorithm]),
        [
          ['config.json', 'git-sha1'],
          ['tokenizer.json', 'git-sha1'],
          ['tokenizer_config.json', 'git-sha1'],
          ['onnx/model.onnx', 'sha256'],
          ['onnx/big.bin', 'sha256'],
        ],
      );
      assert.deepEqual(result.unverified, []);
      assert.ok(readFileSync(join(models, 'tiny-embedder', 'onnx', 'big.bin')).equals(big));
      assert.ok(hub.rangeRequests() >= 7, 'the big file came in several ranges');
      const total = files.filter((f) => f.path !== 'README.md' && !f.path.includes('quantized')).reduce((n, f) => n + f.content.length, 0);
      assert.equal(progress.at(-1)?.bytes, total);
      assert.ok(progress.every((p) => p.total === total));
      assert.ok(progress.some((p) => p.file === 'onnx/big.bin' && p.bytes < total), 'progress moves during a file');
      assert.deepEqual(
        listInstalledModels(models).map((m) => [m.name, m.dimensions]),
        [['tiny-embedder', 32]],
      );
    } finally {
      await hub.server.close();
    }
  });

  it('takes the whole file when the server ignores Range', async () => {
    const hub = await startHubServer('acme/plain', modelFiles(join(dir, 'src2'), 'plain'), { ignoreRange: true });
    try {
      const result = await pullModel(join(dir, 'models2'), 'acme/plain', { from: hub.server.url });
      assert.equal(result.files.length, 4, 'default: *.json, *.txt and onnx/model.onnx only');
    } finally {
      await hub.server.close();
    }
  });

  it('a checksum mismatch fails the pull and installs nothing', async () => {
    const files = modelFiles(join(dir, 'src3'), 'bad');
    files.find((f) => f.path === 'onnx/model.onnx')!.wrongChecksum = true;
    const hub = await startHubServer('acme/damaged', files);
    const models = join(dir, 'models3');
    try {
      await assert.rejects(pullModel(models, 'acme/damaged', { from: hub.server.url }), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CHECKSUM_MISMATCH');
        assert.match(error.message, /onnx\/model\.onnx failed its checksum check \(sha256 expected [0-9a-f]{64}, got [0-9a-f]{64}\).*nothing was installed/);
        return true;
      });
      assert.deepEqual(readdirSync(models), [], 'no model and no partial folder');
    } finally {
      await hub.server.close();
    }
  });

  it('an unknown repository, and a repository without matching files', async () => {
    const hub = await startHubServer('acme/gguf-only', [{ path: 'model-q4.gguf', content: Buffer.from('GGUF....'), lfs: true }]);
    try {
      await assert.rejects(pullModel(join(dir, 'm4'), 'acme/nothing', { from: hub.server.url }), /has no model repository "acme\/nothing"/);
      await assert.rejects(pullModel(join(dir, 'm4'), 'acme/gguf-only', { from: hub.server.url }), /it has GGUF files — pick one with --include model-q4\.gguf/);
      const gguf = await pullModel(join(dir, 'm4'), 'acme/gguf-only', { from: hub.server.url, include: ['model-q4.gguf'] });
      assert.equal(gguf.model.path, join(dir, 'm4', 'gguf-only.gguf'));
      assert.equal(listInstalledModels(join(dir, 'm4'))[0].spec, 'gguf:gguf-only');
    } finally {
      await hub.server.close();
    }
  });

  it('skynette models pull shows a progress bar on stderr; a checksum mismatch is an error exit', async () => {
    const files = modelFiles(join(dir, 'src5'), 'cli');
    const hub = await startHubServer('acme/cli-model', files);
    const bad = modelFiles(join(dir, 'src6'), 'cli-bad');
    bad[0].wrongChecksum = true;
    const badHub = await startHubServer('acme/cli-bad', bad);
    const env = { SKYNETTE_MODELS_DIR: join(dir, 'cli-models'), SKYNETTE_DATA_DIR: join(dir, 'cli-data') };
    try {
      const ok = await runKbCli(['models', 'pull', 'acme/cli-model', '--from', hub.server.url], env);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /pulling acme\/cli-model \[#+\] 100% /);
      assert.match(ok.stdout, /installed cli-model from acme\/cli-model \(4 files, .*4 checksums verified\)/);
      const list = await runKbCli(['models', 'list'], env);
      assert.match(list.stdout, /cli-model\s+onnx embedding, 32 dimensions, window 512/);
      const failed = await runKbCli(['models', 'pull', 'acme/cli-bad', '--from', badHub.server.url], env);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /error \[CHECKSUM_MISMATCH\]: config\.json failed its checksum check \(git-sha1/);
      const added = await runKbCli(['models', 'add', join(dir, 'src6', 'cli-bad'), '--name', 'local-copy'], env);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /installed local-copy \(onnx/);
    } finally {
      await hub.server.close();
      await badHub.server.close();
    }
  });
});
