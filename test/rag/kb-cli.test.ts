import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyOnnxModel } from '../fixtures/tiny-onnx.js';
import { makePdf } from './fixtures.js';
import { runKbCli } from './cli.js';

describe('skynette kb (CLI)', () => {
  let dir: string;
  let env: Record<string, string>;
  let docs: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-kb-cli-'));
    env = { SKYNETTE_DATA_DIR: join(dir, 'data'), SKYNETTE_MODELS_DIR: join(dir, 'models') };
    writeTinyOnnxModel({ modelsDir: env.SKYNETTE_MODELS_DIR, words: ['sleeps', 'sofa', 'plays', 'park', 'run', 'night', 'tool'] });
    docs = join(dir, 'docs');
    mkdirSync(join(docs, 'more'), { recursive: true });
    writeFileSync(join(docs, 'cats.md'), '# Pets\n\n## Cats\n\nA kitten sleeps on the sofa.\n\n## Dogs\n\nA puppy plays in the park.');
    writeFileSync(join(docs, 'backup.txt'), 'Run the database backup tool every night.');
    writeFileSync(join(docs, 'more', 'atlas.pdf'), makePdf([['Paris is the capital of France.']]));
    writeFileSync(join(docs, 'more', 'photo.txt'), Buffer.from([0xff, 0xd8, 0xff, 0, 0, 0x10]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('create, add a folder with a progress bar, search, docs, stats, remove, delete', async () => {
    const created = await runKbCli(['kb', 'create', 'notes', '--chunk-size', '500', '--overlap', '50'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created knowledge base notes: model tiny-bert \(32 dimensions\), chunks of 500 characters with 50 overlap/);

    const added = await runKbCli(['kb', 'add', 'notes', docs], env);
    assert.equal(added.code, 2, 'some documents failed');
    assert.match(added.stderr, /adding to notes \[#+\] 100% 4\/4/);
    assert.match(added.stderr, /failed {2}.*photo\.txt: .*looks like a binary file.* \[DOCUMENT_BINARY\]/);
    assert.match(added.stdout, /notes: 3 added, 0 updated, 0 unchanged, 1 failed \(4 chunks/);

    const again = await runKbCli(['kb', 'add', 'notes', join(docs, 'cats.md'), join(docs, 'backup.txt')], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /0 added, 0 updated, 2 unchanged/);

    const search = await runKbCli(['kb', 'search', 'notes', 'feline'], env);
    assert.equal(search.code, 0, search.stderr);
    assert.match(search.stdout, /^1\. .*cats\.md #0 \(Pets > Cats\) {2}score 0\.\d+ · vector\n {3}## Cats A kitten sleeps on the sofa\./);

    const keyword = await runKbCli(['kb', 'search', 'notes', 'capital France', '--mode', 'keyword', '-k', '1', '--json'], env);
    const parsed = JSON.parse(keyword.stdout);
    assert.equal(parsed.hits.length, 1);
    assert.equal(parsed.hits[0].metadata.page, 1);
    assert.deepEqual(parsed.hits[0].found_by, ['keyword']);

    const filtered = await runKbCli(['kb', 'search', 'notes', 'the', '--filter', 'type=text', '--json'], env);
    assert.deepEqual(
      JSON.parse(filtered.stdout).hits.map((h: { document: { type: string } }) => h.document.type),
      ['text'],
    );

    const listed = await runKbCli(['kb', 'docs', 'notes'], env);
    assert.match(listed.stdout, /backup\.txt {2}text, 1 chunks/);
    assert.match(listed.stdout, /atlas\.pdf {2}pdf, 1 chunks/);

    const stats = await runKbCli(['kb', 'stats', 'notes'], env);
    assert.match(stats.stdout, /model: {6}tiny-bert \(32 dimensions, window 512 tokens\)/);
    assert.match(stats.stdout, /documents: {2}3 \(1 markdown, 1 pdf, 1 text\)/);
    assert.match(stats.stdout, /indexes: {4}sqlite-vec \+ FTS5: 4 vectors, 4 keyword entries/);

    const removed = await runKbCli(['kb', 'remove', 'notes', 'backup.txt'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed .*backup\.txt \(1 chunks\) from notes/);

    const list = await runKbCli(['kb', 'list'], env);
    assert.match(list.stdout, /notes\s+2 docs\s+3 chunks {2}tiny-bert/);

    const deleted = await runKbCli(['kb', 'delete', 'notes'], env);
    assert.equal(deleted.code, 0);
    const gone = await runKbCli(['kb', 'search', 'notes', 'x'], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /error \[KB_NOT_FOUND\]: no knowledge base "notes"/);
  });

  it('a knowledge base without a model says it searches by keyword only', async () => {
    const created = await runKbCli(['kb', 'create', 'plain', '--model', 'none'], env);
    assert.match(created.stdout, /model none \(keyword search only\)/);
    assert.match(created.stderr, /note: "plain" has no embedding model \(--model none\): keyword search only/);
    await runKbCli(['kb', 'add', 'plain', join(docs, 'backup.txt')], env);
    const search = await runKbCli(['kb', 'search', 'plain', 'backup'], env);
    assert.equal(search.code, 0);
    assert.match(search.stderr, /note: knowledge base "plain" has no embedding model, so this is keyword search only/);
    assert.match(search.stdout, /backup\.txt #0 {2}score \d+\.\d+ · keyword/);
    const vector = await runKbCli(['kb', 'search', 'plain', 'backup', '--mode', 'vector'], env);
    assert.equal(vector.code, 1);
    assert.match(vector.stderr, /\[KB_NO_MODEL\]/);
  });

  it('bad arguments get a clear message', async () => {
    const mode = await runKbCli(['kb', 'search', 'plain', 'x', '--mode', 'fuzzy'], env);
    assert.equal(mode.code, 1);
    assert.match(mode.stderr, /--mode must be hybrid, vector or keyword/);
    const size = await runKbCli(['kb', 'create', 'x', '--chunk-size', 'big'], env);
    assert.match(size.stderr, /--chunk-size must be a whole number/);
    const overlap = await runKbCli(['kb', 'create', 'x', '--chunk-size', '100', '--overlap', '100'], env);
    assert.match(overlap.stderr, /\[CHUNKING_INVALID\]: overlap must be/);
    const model = await runKbCli(['kb', 'create', 'x', '--model', 'nope'], env);
    assert.match(model.stderr, /\[MODEL_NOT_FOUND\]: no embedding model "nope" in .*models there: tiny-bert/);
  });
});
