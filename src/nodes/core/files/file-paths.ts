/** Path resolution and error wording shared by the file nodes. */
import { homedir } from 'node:os';
import { extname, isAbsolute, resolve } from 'node:path';
import { SkynetteError } from '../../../util/errors.js';

/** `~/x` means the home folder; other relative paths resolve against the process's working directory. */
export function resolveFilePath(path: string): string {
  const trimmed = path.trim();
  if (trimmed === '~') return homedir();
  if (trimmed.startsWith('~/') || trimmed.startsWith('~\\')) return resolve(homedir(), trimmed.slice(2));
  return isAbsolute(trimmed) ? resolve(trimmed) : resolve(process.cwd(), trimmed);
}

/** A SkynetteError for a failed file system call, naming the file and what to do. */
export function fileSystemError(error: unknown, file: string, action: 'read' | 'write'): SkynetteError {
  const code = (error as NodeJS.ErrnoException)?.code;
  const details = { file, code };
  const path = 'config.path';
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return action === 'read'
        ? new SkynetteError('FILE_NOT_FOUND', `no file at ${file}; check the path (relative paths start from ${process.cwd()})`, { path, details })
        : new SkynetteError('FILE_DIR_NOT_FOUND', `the folder for ${file} does not exist; create it or turn on create_dirs`, { path, details });
    case 'EISDIR':
      return new SkynetteError('FILE_IS_DIRECTORY', `${file} is a folder, not a file`, { path, details });
    case 'EACCES':
    case 'EPERM':
      return new SkynetteError('FILE_PERMISSION', `no permission to ${action} ${file}`, { path, details });
    case 'ENOSPC':
      return new SkynetteError('FILE_DISK_FULL', `the disk is full: could not write ${file}`, { path, details });
    case 'EROFS':
      return new SkynetteError('FILE_PERMISSION', `${file} is on a read-only file system`, { path, details });
  }
  if (error instanceof SkynetteError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SkynetteError(action === 'read' ? 'FILE_READ' : 'FILE_WRITE', `could not ${action} ${file}: ${reason}`, { path, details });
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.mp4': 'video/mp4',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}
