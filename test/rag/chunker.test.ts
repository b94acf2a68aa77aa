import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { approximateTokenCount, chunkDocument, markdownSections, validateChunking } from '../../src/rag/chunker.js';
import type { ChunkingSettings } from '../../src/rag/types.js';

const settings = (over: Partial<ChunkingSettings>): ChunkingSettings => validateChunking(over);

function paragraphText(count: number, sentence = 'The quick brown fox jumps over the lazy dog.'): string {
  return Array.from({ length: count }, (_, i) => `Paragraph ${i}. ${sentence} ${sentence}`).join('\n\n');
}

describe('chunker', () => {
  it('keeps a short document as one chunk with its offsets', () => {
    const chunks = chunkDocument({ text: '  Hello world.  ', format: 'plain' });
    assert.deepEqual(chunks, [{ position: 0, text: 'Hello world.', start: 2, end: 14, metadata: {} }]);
  });

  it('splits at paragraphs first, within the size, with overlap from the previous chunk', () => {
    const text = paragraphText(30);
    const chunks = chunkDocument({ text, format: 'plain' }, settings({ size: 300, overlap: 60 }));
    assert.ok(chunks.length > 5);
    for (const [i, chunk] of chunks.entries()) {
      assert.equal(chunk.position, i);
      assert.ok(chunk.text.length <= 300, `chunk ${i} is ${chunk.text.length} characters`);
      assert.equal(text.slice(chunk.start, chunk.end), chunk.text, 'chunks are spans of the text');
    }
    for (let i = 1; i < chunks.length; i++) {
      assert.ok(chunks[i].start < chunks[i - 1].end, `chunk ${i} overlaps the previous one`);
      assert.ok(chunks[i - 1].end - chunks[i].start <= 60);
    }
    // Every character of the text is in some chunk.
    let covered = 0;
    for (const c of chunks) {
      assert.ok(c.start <= covered || /^\s*$/.test(text.slice(covered, c.start)), 'no gap between chunks');
      covered = Math.max(covered, c.end);
    }
    assert.equal(covered, text.trimEnd().length);
  });

  it('falls back to lines, sentences, words, then characters for long pieces', () => {
    const sentences = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const bySentence = chunkDocument({ text: sentences, format: 'plain' }, settings({ size: 100, overlap: 0 }));
    for (const c of bySentence) assert.match(c.text, /\.$/, 'ends at a sentence end');
    const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
    const byWord = chunkDocument({ text: words, format: 'plain' }, settings({ size: 50, overlap: 0 }));
    for (const c of byWord) assert.match(c.text, /^word\d+( word\d+)*$/);
    const blob = 'x'.repeat(250);
    const byChar = chunkDocument({ text: blob, format: 'plain' }, settings({ size: 100, overlap: 0 }));
    assert.deepEqual(
      byChar.map((c) => c.text.length),
      [100, 100, 50],
    );
  });

  it('defaults to 1000 characters with 200 overlap', () => {
    assert.deepEqual(validateChunking({}), { size: 1000, overlap: 200, unit: 'characters', markdown: 'auto' });
    const chunks = chunkDocument({ text: paragraphText(100), format: 'plain' });
    assert.ok(chunks.every((c) => c.text.length <= 1000));
    assert.ok(chunks.slice(1).some((c, i) => chunks[i].end - c.start > 50), 'overlap is used');
  });

  it('refuses bad settings', () => {
    assert.throws(() => validateChunking({ size: 100, overlap: 100 }), /overlap must be/);
    assert.throws(() => validateChunking({ size: 5 }), /chunk size must be/);
    assert.throws(() => validateChunking({ unit: 'pages' as never }), /chunk unit/);
  });

  it('keeps the Markdown heading path as metadata and never splits across sections', () => {
    const md = [
      'Preamble text.',
      '# Guide',
      '## Install',
      'Run the installer.',
      '```sh',
      '# not a heading inside code',
      'make install',
      '```',
      '### Linux',
      'Use the package.',
      '## Usage',
      'Start it.',
    ].join('\n');
    const chunks = chunkDocument({ text: md, format: 'markdown' }, settings({ size: 500, overlap: 0 }));
    assert.deepEqual(
      chunks.map((c) => [c.metadata.heading_path ?? null, c.text.split('\n')[0]]),
      [
        [null, 'Preamble text.'],
        ['Guide > Install', '## Install'],
        ['Guide > Install > Linux', '### Linux'],
        ['Guide > Usage', '## Usage'],
      ],
    );
    assert.deepEqual(chunks[2].metadata.headings, ['Guide', 'Install', 'Linux']);
    assert.match(chunks[1].text, /# not a heading inside code/);
    // Off: one plain chunk.
    assert.equal(chunkDocument({ text: md, format: 'markdown' }, settings({ size: 500, markdown: 'off' })).length, 1);
    assert.equal(markdownSections('no headings at all').length, 1);
  });

  it('measures in tokens in token mode (word-level count without a model tokenizer)', () => {
    assert.equal(approximateTokenCount("Hello, world! It's 2024."), 9);
    const text = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkDocument({ text, format: 'plain' }, settings({ size: 50, overlap: 10, unit: 'tokens' }));
    for (const c of chunks) assert.ok(approximateTokenCount(c.text) <= 50);
    assert.ok(chunks.length >= 6 && chunks.length <= 8, `got ${chunks.length} chunks`);
    // With a model tokenizer (here: one token per character).
    const perChar = chunkDocument({ text: 'abcdefghij'.repeat(10), format: 'plain' }, settings({ size: 30, overlap: 0, unit: 'tokens' }), { countTokens: (t) => t.length });
    assert.ok(perChar.every((c) => c.text.length <= 30));
  });

  it("splits chunks longer than the model's window further, so nothing is cut off", () => {
    const text = Array.from({ length: 200 }, (_, i) => `t${i}`).join(' ');
    const countTokens = (t: string) => approximateTokenCount(t) + 2;
    const chunks = chunkDocument({ text, format: 'plain' }, settings({ size: 2000, overlap: 0 }), { countTokens, maxTokens: 64 });
    assert.ok(chunks.length > 3);
    for (const c of chunks) assert.ok(countTokens(c.text) <= 64);
    assert.equal(chunks.map((c) => c.text).join(' '), text, 'all words kept, in order');
  });

  it('gives each chunk the metadata of the segment it starts in (PDF page, CSV row)', () => {
    const page1 = 'First page text. '.repeat(10).trim();
    const page2 = 'Second page text. '.repeat(10).trim();
    const text = `${page1}\n\n${page2}`;
    const chunks = chunkDocument(
      { text, format: 'plain', segments: [{ start: 0, metadata: { page: 1 } }, { start: page1.length + 2, metadata: { page: 2 } }] },
      settings({ size: 180, overlap: 0 }),
    );
    assert.deepEqual(
      chunks.map((c) => c.metadata.page),
      [1, 2],
    );
  });
});
