/** read_file: a file's content as text, base64 or a binary file object, optionally parsed. */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { defineNode, field } from '../../sdk.js';
import { SkynetteError } from '../../../util/errors.js';
import { contentTypeFor, fileSystemError, resolveFilePath } from './file-paths.js';

interface ReadFileConfig {
  path: string;
  encoding: 'utf8' | 'base64' | 'binary';
  parse: 'none' | 'json' | 'lines';
  max_size_mb: number;
}

function formatMb(bytes: number): string {
  return `${+(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** "at position 12" becomes "line 2, column 5": people find lines in editors, not offsets. */
function jsonErrorWhere(message: string, text: string): string {
  if (/line \d+/i.test(message)) return message;
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const before = text.slice(0, Number(match[1]));
  const line = before.split('\n').length;
  const column = Number(match[1]) - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function parseContent(text: string, mode: ReadFileConfig['parse'], file: string): unknown {
  if (mode === 'json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new SkynetteError('FILE_BAD_JSON', `${file} is not valid JSON: ${jsonErrorWhere((error as Error).message, text)}`, {
        path: 'config.path',
        details: { file },
      });
    }
  }
  if (mode === 'lines') {
    const lines = text.split(/\r?\n/);
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
  return text;
}

export const readFileNode = defineNode<ReadFileConfig>({
  type: 'read_file',
  name: 'Read file',
  description: 'Reads a file from disk as text, base64 or binary, optionally parsing JSON or splitting lines.',
  category: 'files',
  fields: {
    path: field.string({ required: true, placeholder: './data/input.json', description: 'relative paths start from the working directory; ~ is the home folder' }),
    encoding: field.select(['utf8', 'base64', 'binary'], {
      default: 'utf8',
      description: 'utf8: text. base64: a base64 string. binary: {filename, content_type, data_base64, size}, ready for a multipart upload',
    }),
    parse: field.select(['none', 'json', 'lines'], { default: 'none', description: 'json: parse the text; lines: a list of lines (utf8 only)' }),
    max_size_mb: field.number({ default: 16, min: 0.000001, max: 4096, description: 'a larger file fails the node' }),
  },
  async run(ctx) {
    const config = ctx.config;
    const file = resolveFilePath(config.path);
    if (config.parse !== 'none' && config.encoding !== 'utf8') {
      throw new SkynetteError('INVALID_CONFIG', `config.parse: ${config.parse} needs encoding utf8, not ${config.encoding}`, { path: 'config.parse' });
    }
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw fileSystemError(error, file, 'read');
    }
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw new SkynetteError('FILE_IS_DIRECTORY', `${file} is a folder, not a file`, { path: 'config.path', details: { file } });
      if (!stats.isFile()) throw new SkynetteError('FILE_READ', `${file} is not a regular file`, { path: 'config.path', details: { file } });
      const limit = config.max_size_mb * 1024 * 1024;
      if (stats.size > limit) {
        throw new SkynetteError('FILE_TOO_LARGE', `${file} is ${formatMb(stats.size)}, over the ${config.max_size_mb} MB limit; raise max_size_mb to read it`, {
          path: 'config.max_size_mb',
          details: { file, size: stats.size, limit_bytes: limit },
        });
      }
      const bytes = await handle.readFile();
      ctx.log.debug(`read ${bytes.length} bytes from ${file}`);
      let content: unknown;
      if (config.encoding === 'base64') content = bytes.toString('base64');
      else if (config.encoding === 'binary') {
        content = { filename: basename(file), content_type: contentTypeFor(file), data_base64: bytes.toString('base64'), size: bytes.length };
      } else {
        // A byte-order mark is invisible in editors but breaks JSON.parse.
        content = parseContent(bytes.toString('utf8').replace(/^\uFEFF/, ''), config.parse, file);
      }
      return { path: file, content, size: bytes.length, modified_at: stats.mtime.toISOString() };
    } catch (error) {
      throw fileSystemError(error, file, 'read');
    } finally {
      await handle.close();
    }
  },
});
