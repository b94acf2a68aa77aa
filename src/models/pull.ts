/**
 * `skynette models pull NAME`: downloads a model repository's files from a Hugging Face compatible
 * server (https://huggingface.co by default, HF_ENDPOINT or --from for a mirror or a local one),
 * through the shared HTTP client in ranged requests (bounded memory, a progress bar that moves,
 * retries per range), checks each file against the checksum the server publishes (sha256 of LFS
 * files, the git blob id of the others) and installs the folder only when every file matched.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { httpRequest } from '../http/index.js';
import { matchesAny } from '../rag/loaders/glob.js';
import { SkynetteError } from '../util/errors.js';
import { checkModelName, listInstalledModels, type InstalledModel } from './folder.js';

export const DEFAULT_HUB_URL = 'https://huggingface.co';
/** Bytes per ranged request. */
export const RANGE_BYTES = 8 * 1024 * 1024;
/** What a sentence-embedding repository needs (Xenova/all-MiniLM-L6-v2 has a dozen ONNX variants). */
export const DEFAULT_INCLUDE = ['*.json', '*.txt', 'onnx/model.onnx'];

export interface PullOptions {
  /** The server (default HF_ENDPOINT, else https://huggingface.co). */
  from?: string;
  revision?: string;
  /** The folder name under the models folder (default: the last part of NAME). */
  name?: string;
  /** Globs of repository files to fetch (default DEFAULT_INCLUDE; a GGUF repository needs one). */
  include?: string[];
  force?: boolean;
  token?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  onProgress?: (progress: PullProgress) => void;
  /** Per ranged request (default 120 s). */
  timeoutMs?: number;
}

export interface PullProgress {
  file: string;
  bytes: number;
  total: number;
}

export interface PulledFile {
  path: string;
  size_bytes: number;
  checksum: { algorithm: 'sha256' | 'git-sha1'; value: string } | null;
}

export interface PullResult {
  model: InstalledModel | { name: string; kind: 'files'; path: string };
  repository: string;
  revision: string;
  files: PulledFile[];
  /** Files the server published no checksum for (downloaded, but not verified). */
  unverified: string[];
}

interface Sibling {
  rfilename: string;
  size?: number;
  blobId?: string;
  lfs?: { sha256?: string; oid?: string; size?: number };
}

function repoPath(repo: string): string {
  return repo
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}

function checkRepoName(repo: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/.test(repo)) {
    throw new SkynetteError('MODEL_NAME_INVALID', `"${repo}" is not a model repository name like sentence-transformers/all-MiniLM-L6-v2`, { path: 'name' });
  }
}

export async function pullModel(modelsDir: string, repo: string, options: PullOptions = {}): Promise<PullResult> {
  checkRepoName(repo);
  const env = options.env ?? process.env;
  const base = (options.from ?? env.HF_ENDPOINT ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const name = options.name ?? basename(repo);
  checkModelName(name);
  const token = options.token ?? env.HF_TOKEN;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const secrets = token ? [token] : [];
  const info = await httpRequest<{ siblings?: Sibling[] }>({
    url: `${base}/api/models/${repoPath(repo)}/revision/${encodeURIComponent(revision)}`,
    query: { blobs: 'true' },
    headers,
    secrets,
    responseType: 'json',
    signal: options.signal,
    retry: { retries: 3, onNetworkError: true },
  }).catch((error: unknown) => {
    if (error instanceof SkynetteError && (error.details as { status?: number })?.status === 404) {
      throw new SkynetteError('MODEL_NOT_FOUND', `${base} has no model repository "${repo}" (revision ${revision}); check the name`, { path: 'name', cause: error });
    }
    throw error;
  });
  const siblings = info.body?.siblings ?? [];
  const include = options.include?.length ? options.include : DEFAULT_INCLUDE;
  const wanted = siblings.filter((s) => matchesAny(s.rfilename, include) && safePath(s.rfilename));
  if (!wanted.length) {
    const ggufs = siblings.filter((s) => s.rfilename.toLowerCase().endsWith('.gguf')).map((s) => s.rfilename);
    const hint = ggufs.length ? `; it has GGUF files — pick one with --include ${ggufs[0]}` : `; its files: ${siblings.map((s) => s.rfilename).slice(0, 12).join(', ') || 'none'}`;
    throw new SkynetteError('MODEL_FILES_NOT_FOUND', `no file of ${repo} matches ${include.join(', ')}${hint}`, { path: 'include' });
  }
  const total = wanted.reduce((sum, s) => sum + (s.lfs?.size ?? s.size ?? 0), 0);
  const onlyGguf = wanted.every((s) => s.rfilename.toLowerCase().endsWith('.gguf'));
  const target = onlyGguf && wanted.length === 1 ? join(modelsDir, `${name}.gguf`) : join(modelsDir, name);
  mkdirSync(modelsDir, { recursive: true });
  const files: PulledFile[] = [];
  const unverified: string[] = [];
  let done = 0;
  await replaceIntoAsync(target, options.force, async (tmp) => {
    for (const sibling of wanted) {
      const file = onlyGguf && wanted.length === 1 ? tmp : join(tmp, sibling.rfilename);
      mkdirSync(dirname(file), { recursive: true });
      const url = `${base}/${repoPath(repo)}/resolve/${encodeURIComponent(revision)}/${sibling.rfilename.split('/').map(encodeURIComponent).join('/')}`;
      const result = await downloadFile(url, file, sibling, { ...options, headers, secrets }, (bytes) => options.onProgress?.({ file: sibling.rfilename, bytes: done + bytes, total }));
      done += result.size_bytes;
      files.push({ path: sibling.rfilename, size_bytes: result.size_bytes, checksum: result.checksum });
      if (!result.checksum) unverified.push(sibling.rfilename);
    }
  });
  const installed = listInstalledModels(modelsDir).find((m) => m.path === target);
  return { model: installed ?? { name, kind: 'files', path: target }, repository: repo, revision, files, unverified };
}

function safePath(path: string): boolean {
  return !path.split('/').some((part) => part === '..' || part === '') && !path.startsWith('/');
}

async function replaceIntoAsync(target: string, force: boolean | undefined, write: (tmp: string) => Promise<void>): Promise<void> {
  // replaceInto is synchronous; do the async download first into a temp path it then renames.
  const { existsSync, rmSync, renameSync } = await import('node:fs');
  const { randomBytes } = await import('node:crypto');
  if (existsSync(target) && !force) {
    throw new SkynetteError('MODEL_EXISTS', `${target} is already installed; pass --force to replace it, or --name to install under another name`, { path: 'name' });
  }
  const tmp = join(dirname(target), `.partial-${basename(target)}-${randomBytes(4).toString('hex')}`);
  try {
    await write(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

interface DownloadContext extends PullOptions {
  headers: Record<string, string>;
  secrets: string[];
}

async function downloadFile(
  url: string,
  file: string,
  sibling: Sibling,
  context: DownloadContext,
  onBytes: (bytes: number) => void,
): Promise<{ size_bytes: number; checksum: PulledFile['checksum'] }> {
  const expectedSize = sibling.lfs?.size ?? sibling.size;
  const sha256 = createHash('sha256');
  const chunks: Buffer[] = [];
  let gitSha1Parts: Buffer[] | undefined = sibling.lfs ? undefined : chunks;
  let received = 0;
  let total = expectedSize;
  let etag: string | undefined;
  const handle = openSync(file, 'w');
  try {
    for (;;) {
      const end = received + RANGE_BYTES - 1;
      const response = await httpRequest<Buffer>({
        url,
        headers: { ...context.headers, range: `bytes=${received}-${end}` },
        secrets: context.secrets,
        responseType: 'binary',
        // A server that ignores Range sends the whole file at once.
        maxResponseBytes: Math.max(RANGE_BYTES, total ?? 0) + 1024,
        timeoutMs: context.timeoutMs ?? 120_000,
        signal: context.signal,
        retry: { retries: 3, onNetworkError: true },
      });
      etag ??= (response.headers['x-linked-etag'] ?? response.headers.etag)?.replace(/^W\//, '').replace(/"/g, '');
      const body = response.body;
      if (response.status === 200) {
        // The server ignored Range and sent the whole file.
        if (received > 0) throw new SkynetteError('MODEL_DOWNLOAD_FAILED', `${url} stopped honouring ranged requests part-way; try again`);
        sha256.update(body);
        if (gitSha1Parts) gitSha1Parts.push(body);
        writeSync(handle, body, 0, body.length, 0);
        received = body.length;
        total = body.length;
        onBytes(received);
        break;
      }
      if (response.status !== 206) throw new SkynetteError('MODEL_DOWNLOAD_FAILED', `${url} answered HTTP ${response.status} to a ranged request`);
      const range = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/.exec(response.headers['content-range'] ?? '');
      if (range && Number(range[1]) !== received) {
        throw new SkynetteError('MODEL_DOWNLOAD_FAILED', `${url} sent bytes from ${range[1]} when ${received} were asked for`);
      }
      if (range && range[3] !== '*') total = Number(range[3]);
      sha256.update(body);
      if (gitSha1Parts) gitSha1Parts.push(body);
      writeSync(handle, body, 0, body.length, received);
      received += body.length;
      onBytes(received);
      if (!body.length || (total !== undefined && received >= total)) break;
    }
  } finally {
    closeSync(handle);
  }
  if (expectedSize !== undefined && received !== expectedSize) {
    throw new SkynetteError('MODEL_DOWNLOAD_FAILED', `${sibling.rfilename}: received ${received} bytes, the server lists ${expectedSize}; try again`);
  }
  const actualSha256 = sha256.digest('hex');
  let checksum: PulledFile['checksum'] = null;
  const lfsSha = sibling.lfs?.sha256 ?? sibling.lfs?.oid;
  if (lfsSha) checksum = { algorithm: 'sha256', value: lfsSha };
  else if (sibling.blobId && /^[0-9a-f]{40}$/i.test(sibling.blobId)) checksum = { algorithm: 'git-sha1', value: sibling.blobId };
  else if (etag && /^[0-9a-f]{64}$/i.test(etag)) checksum = { algorithm: 'sha256', value: etag };
  else if (etag && /^[0-9a-f]{40}$/i.test(etag)) checksum = { algorithm: 'git-sha1', value: etag };
  if (checksum) {
    const actual = checksum.algorithm === 'sha256' ? actualSha256 : gitBlobSha1(Buffer.concat(gitSha1Parts ?? []), received);
    if (actual.toLowerCase() !== checksum.value.toLowerCase()) {
      throw new SkynetteError(
        'CHECKSUM_MISMATCH',
        `${sibling.rfilename} failed its checksum check (${checksum.algorithm} expected ${checksum.value}, got ${actual}): the download is damaged or was altered; nothing was installed — try again, or check the server`,
        { details: { file: sibling.rfilename, expected: checksum.value, actual } },
      );
    }
  }
  gitSha1Parts = undefined;
  return { size_bytes: received, checksum };
}

/** Git's blob id: sha1 of "blob <size>\0" followed by the content. */
export function gitBlobSha1(content: Buffer, size = content.length): string {
  return createHash('sha1').update(`blob ${size}\0`).update(content).digest('hex');
}
