import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSources, parseDocument, readDocument, sha256 } from '../../src/rag/loaders/index.js';
import { globToRegExp } from '../../src/rag/loaders/glob.js';
import { parseCsv } from '../../src/rag/loaders/csv.js';
import { htmlToReadableText } from '../../src/rag/loaders/html.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { makeDocx, makePdf } from './fixtures.js';

function raw(name: string, bytes: Buffer | string) {
  const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  return { source: `/docs/${name}`, name, bytes: data, contentHash: sha256(data) };
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp) {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

describe('document loaders', () => {
  it('reads plain text and Markdown (title from the first heading)', async () => {
    const text = await parseDocument(raw('notes.txt', '\ufeffline one\r\nline two\n'));
    assert.equal(text.type, 'text');
    assert.equal(text.text, 'line one\nline two\n');
    assert.equal(text.title, 'notes');
    const md = await parseDocument(raw('guide.md', 'intro\n\n# The Guide\n\ntext'));
    assert.equal(md.type, 'markdown');
    assert.equal(md.format, 'markdown');
    assert.equal(md.title, 'The Guide');
  });

  it('turns HTML into readable text: main content, headings as #, no scripts or navigation', () => {
    const html = `<html><head><title>Shop &amp; Co</title><style>p{}</style></head><body>
      <nav><a href="/">Home</a> <a href="/about">About</a></nav>
      <main><h1>Returns</h1><p>You may return items within <b>30 days</b>.</p>
      <script>track()</script><ul><li>Keep the receipt</li><li>Use the box</li></ul>
      <h2>Refunds</h2><p>Refunds take 5&nbsp;days.</p></main><footer>© Shop</footer></body></html>`;
    const readable = htmlToReadableText(html);
    assert.equal(readable.title, 'Shop & Co');
    assert.equal(readable.text, '# Returns\n\nYou may return items within 30 days.\n\n- Keep the receipt\n- Use the box\n\n## Refunds\n\nRefunds take 5 days.');
    assert.doesNotMatch(readable.text, /track|Home|About|© Shop/);
  });

  it('reads PDF text page by page, with the page of each part', async () => {
    const pdf = makePdf([['Hello world', 'The capital of France is Paris.'], ['A second page about whales']], { title: 'Atlas' });
    const doc = await parseDocument(raw('atlas.pdf', pdf));
    assert.equal(doc.type, 'pdf');
    assert.equal(doc.title, 'Atlas');
    assert.equal(doc.text, 'Hello world\nThe capital of France is Paris.\n\nA second page about whales');
    assert.deepEqual(doc.metadata, { pages: 2 });
    assert.deepEqual(doc.segments, [
      { start: 0, metadata: { page: 1 } },
      { start: doc.text.indexOf('A second'), metadata: { page: 2 } },
    ]);
  });

  it('reads DOCX with Word headings as # headings', async () => {
    const docx = makeDocx([{ text: 'Handbook', heading: 1 }, { text: 'Welcome aboard.' }, { text: 'Holidays', heading: 2 }, { text: 'You get 25 days & public holidays.' }]);
    const doc = await parseDocument(raw('handbook.docx', docx));
    assert.equal(doc.type, 'docx');
    assert.equal(doc.format, 'markdown');
    assert.equal(doc.text, '# Handbook\n\nWelcome aboard.\n\n## Holidays\n\nYou get 25 days & public holidays.');
  });

  it('reads CSV rows as column: value lines, with quoted fields', async () => {
    assert.deepEqual(parseCsv('a,b\n"x, y","say ""hi""\nthere"\n'), [
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
    const doc = await parseDocument(raw('people.csv', 'name,email,city\nAlice,alice@example.com,Paris\nBob,,London\n'));
    assert.equal(doc.type, 'csv');
    assert.equal(doc.text, 'name: Alice; email: alice@example.com; city: Paris\nname: Bob; city: London');
    assert.deepEqual(doc.segments?.map((s) => s.metadata.row), [2, 3]);
    const tsv = await parseDocument(raw('t.tsv', 'k\tv\none\ttwo\n'));
    assert.equal(tsv.text, 'k: one; v: two');
  });

  it('flattens JSON and JSON Lines to path: value lines', async () => {
    const doc = await parseDocument(raw('orders.json', JSON.stringify([{ id: 1, customer: { name: 'Alice' }, items: ['pizza', 'tea'] }, { id: 2, customer: { name: 'Bob' } }])));
    assert.equal(doc.text, '[0].id: 1\n[0].customer.name: Alice\n[0].items[0]: pizza\n[0].items[1]: tea\n\n[1].id: 2\n[1].customer.name: Bob');
    assert.deepEqual(doc.segments?.map((s) => s.metadata), [{ record: 0 }, { record: 1 }]);
    const lines = await parseDocument(raw('log.jsonl', '{"level":"info","msg":"started"}\n{"level":"warn","msg":"slow"}\n'));
    assert.equal(lines.text, '[0].level: info\n[0].msg: started\n\n[1].level: warn\n[1].msg: slow');
    await rejectsWith(parseDocument(raw('bad.json', '{"a": ')), 'JSON_INVALID', /bad\.json is not valid JSON/);
  });

  it('detects types without an extension from the bytes', async () => {
    const pdf = await parseDocument(raw('download', makePdf([['sniffed']])));
    assert.equal(pdf.type, 'pdf');
    const html = await parseDocument(raw('page', '<!DOCTYPE html><html><body><p>hi there</p></body></html>'));
    assert.equal(html.type, 'html');
  });

  describe('bad input: a clear error naming the document', () => {
    it('a binary file named .txt', async () => {
      await rejectsWith(parseDocument(raw('photo.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 0x49, 0x48]))), 'DOCUMENT_BINARY', /photo\.txt looks like a binary file/);
      const noNul = Buffer.from(Buffer.alloc(400).map((_, i) => (i % 3 === 0 ? 0xff : i % 7 === 0 ? 0x01 : 0x02)));
      await rejectsWith(parseDocument(raw('data.txt', noNul)), 'DOCUMENT_BINARY', /not valid UTF-8/);
    });

    it('an empty file, and one with only whitespace', async () => {
      await rejectsWith(parseDocument(raw('empty.txt', '')), 'DOCUMENT_EMPTY', /empty\.txt is empty/);
      await rejectsWith(parseDocument(raw('blank.md', '\n\n   \n')), 'DOCUMENT_EMPTY', /no text/);
    });

    it('an encrypted PDF and a corrupt one', async () => {
      await rejectsWith(parseDocument(raw('secret.pdf', makePdf([['classified']], { encrypted: true }))), 'PDF_ENCRYPTED', /secret\.pdf is encrypted/);
      await rejectsWith(parseDocument(raw('broken.pdf', '%PDF-1.4\nthis is not really a pdf')), 'PDF_CORRUPT', /broken\.pdf is not a readable PDF/);
      const truncated = makePdf([['cut short']]).subarray(0, 200);
      await rejectsWith(parseDocument(raw('cut.pdf', truncated)), 'PDF_CORRUPT');
    });

    it('a PDF with no text layer', async () => {
      await rejectsWith(parseDocument(raw('scan.pdf', makePdf([[]]))), 'PDF_NO_TEXT', /scan\.pdf has no text layer/);
    });

    it('a corrupt DOCX', async () => {
      await rejectsWith(parseDocument(raw('report.docx', 'PK\u0003\u0004 not a zip at all')), 'DOCX_CORRUPT', /report\.docx is not a readable DOCX/);
    });
  });

  describe('files, folders and URLs', () => {
    let dir: string;
    let server: TestServer;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'skynette-loaders-'));
      mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
      mkdirSync(join(dir, '.git'));
      mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
      for (const name of ['a.md', 'b.txt', 'sub/c.html', 'sub/deeper/d.csv', 'sub/skip.log', 'image.png', '.hidden.md', '.git/config.txt', 'node_modules/x/readme.md', 'notes.draft.md']) {
        writeFileSync(join(dir, name), `content of ${name}`);
      }
      server = await startTestServer();
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    });

    it('walks folders recursively; skips hidden files, node_modules and unsupported types by default', async () => {
      const { sources, problems } = await expandSources([dir]);
      assert.deepEqual(problems, []);
      const rel = sources.map((s) => s.source.slice(dir.length + 1));
      assert.deepEqual(rel, ['a.md', 'b.txt', 'notes.draft.md', 'sub/c.html', 'sub/deeper/d.csv', 'sub/skip.log']);
    });

    it('applies include and exclude globs', async () => {
      const onlyMd = await expandSources([dir], { include: ['*.md'], exclude: ['*.draft.*'] });
      assert.deepEqual(
        onlyMd.sources.map((s) => s.source.slice(dir.length + 1)),
        ['a.md'],
      );
      const underSub = await expandSources([dir], { include: ['sub/**'], exclude: ['**/*.log'] });
      assert.deepEqual(
        underSub.sources.map((s) => s.source.slice(dir.length + 1)),
        ['sub/c.html', 'sub/deeper/d.csv'],
      );
      assert.ok(globToRegExp('docs/**/*.md').test('docs/a/b/c.md'));
      assert.ok(globToRegExp('docs/**/*.md').test('docs/c.md'));
      assert.ok(globToRegExp('*.{md,txt}').test('x/y.txt'));
      assert.ok(!globToRegExp('*.md').test('x/y.mdx'));
    });

    it('reports a missing path and keeps the rest', async () => {
      const { sources, problems } = await expandSources([join(dir, 'a.md'), join(dir, 'missing.md')]);
      assert.equal(sources.length, 1);
      assert.equal(problems[0].error.code, 'PATH_NOT_FOUND');
      assert.match(problems[0].error.message, /missing\.md does not exist/);
    });

    it('refuses a 200 MB file by its size, before reading it', async () => {
      const big = join(dir, 'huge.txt');
      closeSync(openSync(big, 'w'));
      truncateSync(big, 200 * 1024 * 1024);
      const { sources } = await expandSources([big]);
      const started = performance.now();
      await rejectsWith(readDocument(sources[0]), 'DOCUMENT_TOO_LARGE', /huge\.txt is 200 MB, more than the 64 MB limit/);
      assert.ok(performance.now() - started < 200, 'refused without reading');
      rmSync(big);
    });

    it('loads a URL through the shared HTTP client, typed by its content type', async () => {
      server.on('GET', '/faq', { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><head><title>FAQ</title></head><body><h1>FAQ</h1><p>Ask us.</p></body></html>' });
      server.on('GET', '/big', { headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(5000) });
      const { sources } = await expandSources([`${server.url}/faq`]);
      const rawDoc = await readDocument(sources[0]);
      const doc = await parseDocument(rawDoc);
      assert.equal(doc.type, 'html');
      assert.equal(doc.title, 'FAQ');
      assert.equal(doc.text, '# FAQ\n\nAsk us.');
      await rejectsWith(readDocument({ kind: 'url', source: `${server.url}/big`, url: `${server.url}/big` }, { maxBytes: 1000 }), 'DOCUMENT_TOO_LARGE');
      await rejectsWith(readDocument({ kind: 'url', source: `${server.url}/nope`, url: `${server.url}/nope` }), 'HTTP_STATUS', /404/);
    });
  });
});
