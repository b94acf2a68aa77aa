import { spawn, execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { writeFileNode } from '../../../src/nodes/core/files/write-file.js';
import { readFileNode } from '../../../src/nodes/core/files/read-file.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skynette-write-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(config: Record<string, unknown>, input: unknown = {}) {
  return (await writeFileNode.run(nodeContext(writeFileNode, config, input))) as { path: string; size: number };
}

async function failure(config: Record<string, unknown>): Promise<SkynetteError> {
  try {
    await run(config);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, String(error));
    return error;
  }
  assert.fail('expected write_file to fail');
}

describe('write_file node', () => {
  it('writes text as is and outputs path and size', async () => {
    const file = join(dir, 'a.txt');
    const output = await run({ path: file, content: 'héllo' });
    assert.deepEqual(output, { path: file, size: Buffer.byteLength('héllo') });
    assert.equal(readFileSync(file, 'utf8'), 'héllo');
  });

  it('writes other values as pretty JSON', async () => {
    const file = join(dir, 'data.json');
    await run({ path: file, content: { a: 1, b: [true] } });
    assert.equal(readFileSync(file, 'utf8'), '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n');
  });

  it("writes the previous node's output when content is left out", async () => {
    const file = join(dir, 'prev.json');
    await run({ path: file }, { from: 'prev' });
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { from: 'prev' });
  });

  it('writes an empty file when content is empty text', async () => {
    const file = join(dir, 'empty.txt');
    writeFileSync(file, 'old');
    const output = await run({ path: file, content: '' }, { not: 'this' });
    assert.equal(output.size, 0);
  });

  it('decodes base64 content, and writes {data_base64} file objects as bytes', async () => {
    const file = join(dir, 'b.bin');
    await run({ path: file, content: Buffer.from([0, 1, 255]).toString('base64'), encoding: 'base64' });
    assert.deepEqual([...readFileSync(file)], [0, 1, 255]);
    const copy = join(dir, 'copy.bin');
    const read = (await readFileNode.run(nodeContext(readFileNode, { path: file, encoding: 'binary' }))) as { content: unknown };
    await run({ path: copy, content: read.content });
    assert.deepEqual([...readFileSync(copy)], [0, 1, 255]);
  });

  it('refuses base64 encoding with content that is not base64', async () => {
    assert.equal((await failure({ path: join(dir, 'x.bin'), content: 'not base64!', encoding: 'base64' })).code, 'INVALID_CONFIG');
  });

  it('appends', async () => {
    const file = join(dir, 'log.txt');
    await run({ path: file, content: 'one\n', mode: 'append' });
    const output = await run({ path: file, content: 'two\n', mode: 'append' });
    assert.equal(readFileSync(file, 'utf8'), 'one\ntwo\n');
    assert.equal(output.size, 8);
  });

  it('creates missing folders by default, and refuses when create_dirs is off', async () => {
    const nested = join(dir, 'x', 'y', 'z.txt');
    await run({ path: nested, content: 'deep' });
    assert.equal(readFileSync(nested, 'utf8'), 'deep');
    const error = await failure({ path: join(dir, 'missing', 'f.txt'), content: 'x', create_dirs: false });
    assert.equal(error.code, 'FILE_DIR_NOT_FOUND');
    assert.match(error.message, /create_dirs/);
  });

  it('resolves a relative path against the working directory', async () => {
    const file = join(dir, 'rel.txt');
    const output = await run({ path: relative(process.cwd(), file), content: 'r' });
    assert.equal(output.path, file);
    assert.equal(readFileSync(file, 'utf8'), 'r');
  });

  it('refuses to overwrite a folder', async () => {
    const sub = join(dir, 'a-folder');
    mkdirSync(sub);
    assert.equal((await failure({ path: sub, content: 'x' })).code, 'FILE_IS_DIRECTORY');
    assert.equal((await failure({ path: sub, content: 'x', mode: 'append' })).code, 'FILE_IS_DIRECTORY');
  });

  it('overwrites atomically: a new inode via rename, no temporary file left, mode kept', async () => {
    const sub = join(dir, 'atomic');
    mkdirSync(sub);
    const file = join(sub, 'config.json');
    writeFileSync(file, 'old content that is longer than the new one');
    chmodSync(file, 0o640);
    const before = statSync(file);
    await run({ path: file, content: 'new' });
    const after = statSync(file);
    assert.equal(readFileSync(file, 'utf8'), 'new');
    assert.notEqual(after.ino, before.ino, 'the file was replaced by rename, not rewritten in place');
    assert.equal(after.mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(sub), ['config.json']);
  });

  it('leaves the old file whole when the write fails part-way (file size limit hit mid-write)', async () => {
    // A child process writes 200 KB over a file while the kernel caps its file size at 4 KB
    // (prlimit --fsize), so the write fails part-way as on a full disk; root cannot bypass it.
    const sub = join(dir, 'limited');
    mkdirSync(sub);
    const file = join(sub, 'keep.txt');
    writeFileSync(file, 'original');
    const script = join(sub, 'writer.ts');
    writeFileSync(
      script,
      [
        `import { writeFileNode } from ${JSON.stringify(new URL('../../../src/nodes/core/files/write-file.ts', import.meta.url).pathname)};`,
        `import { nodeContext } from ${JSON.stringify(new URL('../../helpers/node-context.ts', import.meta.url).pathname)};`,
        `process.on('SIGXFSZ', () => {});`,
        `process.stdout.write('ready\\n');`,
        `process.stdin.once('data', async () => {`,
        `  try { await writeFileNode.run(nodeContext(writeFileNode, { path: ${JSON.stringify(file)}, content: 'x'.repeat(200_000) })); console.log('wrote'); }`,
        `  catch (error) { console.log('failed:' + error.code); }`,
        `  process.exit(0);`,
        `});`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); }));
    execFileSync('prlimit', [`--pid=${child.pid}`, '--fsize=4096']);
    child.stdin.write('go\n');
    await new Promise((resolve) => child.on('close', resolve));
    assert.match(out, /failed:/, out);
    assert.equal(readFileSync(file, 'utf8'), 'original');
    assert.deepEqual(readdirSync(sub).sort(), ['keep.txt', 'writer.ts']);
  });
});
