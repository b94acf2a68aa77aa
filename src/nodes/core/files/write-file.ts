/**
 * write_file: writes text, base64 or a binary file object to disk. Overwrite goes through a
 * temporary file and a rename, so a crash leaves either the old file or the new one, never half.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { defineNode, field } from '../../sdk.js';
import { SkynetteError } from '../../../util/errors.js';
import { fileSystemError, resolveFilePath } from './file-paths.js';

interface WriteFileConfig {
  path: string;
  content?: unknown;
  encoding: 'utf8' | 'base64';
  mode: 'overwrite' | 'append';
  create_dirs: boolean;
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(text.replace(/\s+/g, ''));
}

function contentBytes(content: unknown, encoding: WriteFileConfig['encoding']): Buffer {
  if (content === undefined) return Buffer.alloc(0);
  if (content !== null && typeof content === 'object' && !Array.isArray(content) && typeof (content as { data_base64?: unknown }).data_base64 === 'string') {
    // a binary file object from read_file or an http_request binary response
    return Buffer.from((content as { data_base64: string }).data_base64, 'base64');
  }
  if (typeof content === 'string') {
    if (encoding === 'base64') {
      if (!isBase64(content)) throw new SkynetteError('INVALID_CONFIG', 'config.content: encoding is base64 but the content is not base64 text', { path: 'config.content' });
      return Buffer.from(content, 'base64');
    }
    return Buffer.from(content, 'utf8');
  }
  return Buffer.from(`${JSON.stringify(content, null, 2)}\n`, 'utf8');
}

/** Writes through the link to its target, so a symlinked file stays a symlink. */
async function writeTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return file;
  }
}

async function replaceAtomically(file: string, data: Buffer): Promise<void> {
  const target = await writeTarget(file);
  let mode = 0o666;
  try {
    const existing = await stat(target);
    if (existing.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    mode = existing.mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export const writeFileNode = defineNode<WriteFileConfig>({
  type: 'write_file',
  name: 'Write file',
  description: 'Writes text, JSON, base64 or binary content to a file, replacing it atomically or appending.',
  category: 'files',
  fields: {
    path: field.string({ required: true, placeholder: './out/result.json', description: 'relative paths start from the working directory; ~ is the home folder' }),
    content: field.json({
      description:
        "text is written as is; other values as pretty JSON; a {data_base64} file object as its bytes. When the field is left out, the previous node's output is written",
    }),
    encoding: field.select(['utf8', 'base64'], { default: 'utf8', description: 'base64: text content is decoded to bytes first' }),
    mode: field.select(['overwrite', 'append'], { default: 'overwrite' }),
    create_dirs: field.boolean({ default: true, description: 'create missing parent folders' }),
  },
  async run(ctx) {
    const config = ctx.config;
    const file = resolveFilePath(config.path);
    const content = 'content' in ctx.rawConfig ? config.content ?? '' : ctx.input;
    const data = contentBytes(content, config.encoding);
    try {
      if (config.create_dirs) await mkdir(dirname(file), { recursive: true });
      if (config.mode === 'append') await appendFile(file, data);
      else await replaceAtomically(file, data);
      const written = await stat(file);
      ctx.log.debug(`${config.mode === 'append' ? 'appended' : 'wrote'} ${data.length} bytes to ${file}`);
      return { path: file, size: written.size };
    } catch (error) {
      throw fileSystemError(error, file, 'write');
    }
  },
});
