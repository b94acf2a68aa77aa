import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readFileNode } from '../../../src/nodes/core/files/read-file.js';
import { fileNodes } from '../../../src/nodes/core/files/index.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skynette-read-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(config: Record<string, unknown>) {
  return (await readFileNode.run(nodeContext(readFileNode, config))) as Record<string, any>;
}

async function failure(config: Record<string, unknown>): Promise<SkynetteError> {
  try {
    await run(config);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, String(error));
    return error;
  }
  assert.fail('expected read_file to fail');
}

describe('read_file node', () => {
  it('is registered with its original type id', () => {
    assert.deepEqual(
      fileNodes.map((n) => n.type),
      ['read_file', 'write_file'],
    );
  });

  it('reads text with path, size and modified time', async () => {
    const file = join(dir, 'hello.txt');
    writeFileSync(file, 'héllo\n');
    const output = await run({ path: file });
    assert.equal(output.path, file);
    assert.equal(output.content, 'héllo\n');
    assert.equal(output.size, Buffer.byteLength('héllo\n'));
    assert.ok(!Number.isNaN(Date.parse(output.modified_at)));
  });

  it('resolves a relative path against the working directory', async () => {
    const file = join(dir, 'relative.txt');
    writeFileSync(file, 'rel');
    const output = await run({ path: relative(process.cwd(), file) });
    assert.equal(output.path, file);
    assert.equal(output.content, 'rel');
  });

  it('reads base64 and binary', async () => {
    const file = join(dir, 'pic.png');
    writeFileSync(file, Buffer.from([137, 80, 78, 71, 0]));
    assert.equal((await run({ path: file, encoding: 'base64' })).content, Buffer.from([137, 80, 78, 71, 0]).toString('base64'));
    assert.deepEqual((await run({ path: file, encoding: 'binary' })).content, {
      filename: 'pic.png',
      content_type: 'image/png',
      data_base64: Buffer.from([137, 80, 78, 71, 0]).toString('base64'),
      size: 5,
    });
  });

  it('parses JSON (ignoring a byte-order mark) and lines', async () => {
    const json = join(dir, 'data.json');
    writeFileSync(json, '\uFEFF{"a": [1, 2]}');
    assert.deepEqual((await run({ path: json, parse: 'json' })).content, { a: [1, 2] });
    const lines = join(dir, 'list.txt');
    writeFileSync(lines, 'one\r\ntwo\n\nfour\n');
    assert.deepEqual((await run({ path: lines, parse: 'lines' })).content, ['one', 'two', '', 'four']);
  });

  it('reports bad JSON with the file path and the line', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "a": 1,\n  oops\n}');
    const error = await failure({ path: file, parse: 'json' });
    assert.equal(error.code, 'FILE_BAD_JSON');
    assert.ok(error.message.startsWith(`${file} is not valid JSON`), error.message);
    assert.match(error.message, /line 3/);
  });

  it('reports a missing file', async () => {
    const error = await failure({ path: join(dir, 'nope.txt') });
    assert.equal(error.code, 'FILE_NOT_FOUND');
    assert.match(error.message, /no file at .*nope\.txt/);
  });

  it('reports a folder', async () => {
    const sub = join(dir, 'folder');
    mkdirSync(sub);
    const error = await failure({ path: sub });
    assert.equal(error.code, 'FILE_IS_DIRECTORY');
  });

  it('refuses a file over max_size_mb', async () => {
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(2 * 1024 * 1024));
    const error = await failure({ path: file, max_size_mb: 1 });
    assert.equal(error.code, 'FILE_TOO_LARGE');
    assert.match(error.message, /is 2 MB, over the 1 MB limit/);
  });

  it('refuses parse with a non-text encoding', async () => {
    const file = join(dir, 'x.json');
    writeFileSync(file, '{}');
    assert.equal((await failure({ path: file, parse: 'json', encoding: 'base64' })).code, 'INVALID_CONFIG');
  });
});
