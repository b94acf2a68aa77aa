/**
 * Turns what a user names (files, folders, URLs) into a list of documents to read, walking folders
 * recursively with include and exclude globs. Problems (a missing path) are reported per name.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { SkynetteError, errorMessage } from '../../util/errors.js';
import { SUPPORTED_EXTENSIONS } from './detect.js';
import { matchesAny } from './glob.js';

export type DocumentSource =
  | { kind: 'file'; source: string; path: string; size: number }
  | { kind: 'url'; source: string; url: string }
  | { kind: 'text'; source: string; text: string; title?: string; type?: 'text' | 'markdown' | 'html' | 'csv' | 'json' };

export interface SourceProblem {
  source: string;
  error: SkynetteError;
}

export interface ExpandOptions {
  /** Globs a file inside a folder must match (default: every supported extension). */
  include?: readonly string[];
  /** Globs that leave a file out, besides hidden files and folders and node_modules (always left out of walks). */
  exclude?: readonly string[];
  cwd?: string;
}

export const DEFAULT_INCLUDE = SUPPORTED_EXTENSIONS.map((ext) => `*${ext}`);
export const DEFAULT_EXCLUDE = ['**/.*', '**/.*/**', '**/node_modules/**'];

export function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text.trim());
}

export async function expandSources(inputs: readonly string[], options: ExpandOptions = {}): Promise<{ sources: DocumentSource[]; problems: SourceProblem[] }> {
  const sources: DocumentSource[] = [];
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  const push = (source: DocumentSource) => {
    if (seen.has(source.source)) return;
    seen.add(source.source);
    sources.push(source);
  };
  for (const input of inputs) {
    if (isUrl(input)) {
      const url = input.trim();
      push({ kind: 'url', source: url, url });
      continue;
    }
    const path = resolve(options.cwd ?? process.cwd(), input.replace(/^~(?=$|\/)/, process.env.HOME ?? '~'));
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message = code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path}: ${errorMessage(error)}`;
      problems.push({ source: path, error: new SkynetteError(code === 'ENOENT' ? 'PATH_NOT_FOUND' : 'PATH_UNREADABLE', message, { path }) });
      continue;
    }
    if (info.isDirectory()) {
      await walk(path, path, options, push, problems);
    } else if (info.isFile()) {
      push({ kind: 'file', source: path, path, size: info.size });
    } else {
      problems.push({ source: path, error: new SkynetteError('PATH_UNREADABLE', `${path} is not a regular file or folder`, { path }) });
    }
  }
  return { sources, problems };
}

async function walk(root: string, dir: string, options: ExpandOptions, push: (s: DocumentSource) => void, problems: SourceProblem[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    problems.push({ source: dir, error: new SkynetteError('PATH_UNREADABLE', `cannot list ${dir}: ${errorMessage(error)}`, { path: dir }) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const include = options.include?.length ? options.include : DEFAULT_INCLUDE;
  const exclude = [...DEFAULT_EXCLUDE, ...(options.exclude ?? [])];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (entry.isDirectory()) {
      // A folder that is excluded as a whole is not walked at all.
      if (matchesAny(rel, exclude) || matchesAny(`${rel}/`, exclude)) continue;
      await walk(root, path, options, push, problems);
      continue;
    }
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    if (!matchesAny(rel, include) || matchesAny(rel, exclude)) continue;
    try {
      // Symbolic links to files are followed; links to folders are not (no loops).
      const info = entry.isSymbolicLink() ? await stat(path) : await lstat(path);
      if (info.isFile()) push({ kind: 'file', source: path, path, size: info.size });
    } catch (error) {
      problems.push({ source: path, error: new SkynetteError('PATH_UNREADABLE', `cannot read ${path}: ${errorMessage(error)}`, { path }) });
    }
  }
}
