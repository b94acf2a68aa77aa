/**
 * A Hugging Face compatible model server on 127.0.0.1 for pull tests: the model-info API with file
 * sizes and checksums (sha256 for LFS files, git blob ids for the others) and /resolve/ downloads
 * that honour Range requests, as the real hub does.
 */
import { createHash } from 'node:crypto';
import { gitBlobSha1 } from '../../src/models/pull.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

export interface HubFile {
  path: string;
  content: Buffer;
  /** Stored with LFS (large binaries): published with a sha256. */
  lfs?: boolean;
  /** Publish this checksum instead of the right one (a damaged or altered file). */
  wrongChecksum?: boolean;
}

export async function startHubServer(repo: string, files: HubFile[], options: { ignoreRange?: boolean } = {}): Promise<{ server: TestServer; rangeRequests: () => number }> {
  const server = await startTestServer();
  let ranges = 0;
  server.on('GET', `/api/models/${repo}/revision/main`, (req) => {
    if (req.query.blobs !== 'true') return { status: 400, json: { error: 'expected blobs=true' } };
    return {
      json: {
        id: repo,
        sha: 'a'.repeat(40),
        siblings: files.map((f) => {
          const sha256 = createHash('sha256').update(f.content).digest('hex');
          const blob = gitBlobSha1(f.content);
          const wrong = (hex: string) => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
          return f.lfs
            ? { rfilename: f.path, size: f.content.length, blobId: 'b'.repeat(40), lfs: { sha256: f.wrongChecksum ? wrong(sha256) : sha256, size: f.content.length, pointerSize: 134 } }
            : { rfilename: f.path, size: f.content.length, blobId: f.wrongChecksum ? wrong(blob) : blob };
        }),
      },
    };
  });
  server.on('GET', new RegExp(`^/${repo}/resolve/main/`), (req, res) => {
    const path = decodeURIComponent(req.path.slice(`/${repo}/resolve/main/`.length));
    const file = files.find((f) => f.path === path);
    if (!file) return { status: 404, json: { error: 'Entry not found' } };
    const range = /bytes=(\d+)-(\d*)/.exec(String(req.headers.range ?? ''));
    if (!range || options.ignoreRange) return { headers: { 'content-type': 'application/octet-stream' }, body: file.content };
    ranges++;
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : file.content.length - 1, file.content.length - 1);
    const slice = file.content.subarray(start, end + 1);
    res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-range': `bytes ${start}-${end}/${file.content.length}`, 'content-length': slice.length });
    res.end(slice);
  });
  return { server, rangeRequests: () => ranges };
}
