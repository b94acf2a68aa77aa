/**
 * The API token: made at first start, kept in `<data dir>/api-token` (owner-only, 0600), replaced
 * by `skynette token rotate`. A running server notices a rotation on the next API request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/data-dir.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { SkynetteError, errorMessage } from '../util/errors.js';

export const API_TOKEN_FILE = 'api-token';
const TOKEN_PREFIX = 'skn_';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,200}$/;

export function apiTokenPath(dataDir: string): string {
  return join(dataDir, API_TOKEN_FILE);
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored token, or null when there is none yet. */
export function readApiToken(dataDir: string): string | null {
  const path = apiTokenPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SkynetteError('API_TOKEN_UNREADABLE', `cannot read the API token file ${path}: ${errorMessage(error)}`, { cause: error });
  }
  const token = text.trim();
  if (!TOKEN_SHAPE.test(token)) {
    throw new SkynetteError('API_TOKEN_INVALID', `the API token file ${path} does not hold a token; replace it with: skynette token rotate`);
  }
  return token;
}

function writeToken(dataDir: string, token: string): void {
  ensurePrivateDir(dataDir);
  const path = apiTokenPath(dataDir);
  writeFileAtomic(path, token + '\n', 0o600);
  // The umask may have loosened the mode the file was created with.
  chmodSync(path, 0o600);
}

/** The token, created on first use. */
export function ensureApiToken(dataDir: string): { token: string; created: boolean } {
  const existing = readApiToken(dataDir);
  if (existing) return { token: existing, created: false };
  const token = newToken();
  writeToken(dataDir, token);
  return { token, created: true };
}

/** Replaces the token; the old one stops working at once (also on a running server). */
export function rotateApiToken(dataDir: string): string {
  const token = newToken();
  writeToken(dataDir, token);
  return token;
}

/** Equal strings, compared in time that does not depend on where they differ. */
export function constantTimeEqual(given: string, expected: string): boolean {
  // Hashing first gives both sides one length, so the length of the secret does not leak either.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** The current token of a data dir, re-read when the file changes (a rotation by the CLI). */
export class ApiTokenSource {
  private token: string;
  private mtimeMs: number;
  /** true when this start made the token (the first start of a data dir). */
  readonly createdNow: boolean;

  constructor(private readonly dataDir: string) {
    const { token, created } = ensureApiToken(dataDir);
    this.token = token;
    this.createdNow = created;
    this.mtimeMs = this.stat();
  }

  private stat(): number {
    try {
      return statSync(apiTokenPath(this.dataDir)).mtimeMs;
    } catch {
      return 0;
    }
  }

  current(): string {
    // A stat per API request (microseconds) makes a rotation by the CLI take effect at once.
    const mtime = this.stat();
    if (mtime !== this.mtimeMs) {
      this.mtimeMs = mtime;
      try {
        this.token = readApiToken(this.dataDir) ?? this.token;
      } catch {
        // A damaged file keeps the last good token in force.
      }
    }
    return this.token;
  }

  matches(given: string): boolean {
    return constantTimeEqual(given, this.current());
  }
}
