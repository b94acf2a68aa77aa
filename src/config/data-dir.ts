/**
 * Where Skynette keeps its state: the database, workflow files and the vault key.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { SkynetteError, errorMessage } from '../util/errors.js';

/** SKYNETTE_DATA_DIR, else ~/.skynette; created (owner-only, 0700) when missing. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SKYNETTE_DATA_DIR?.trim();
  const home = env.HOME?.trim() || env.USERPROFILE?.trim() || homedir();
  const dir = configured ? resolve(configured) : join(home, '.skynette');
  ensurePrivateDir(dir);
  return dir;
}

/** Creates a directory only its owner can enter; an existing one is left as it is. */
export function ensurePrivateDir(dir: string): void {
  try {
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; the data dir holds secrets, so set it exactly.
    if (created !== undefined) chmodSync(dir, 0o700);
  } catch (error) {
    throw new SkynetteError('DATA_DIR_UNUSABLE', `cannot create the data directory ${dir}: ${errorMessage(error)}; set SKYNETTE_DATA_DIR to a writable directory`, {
      path: dir,
      cause: error,
    });
  }
  if (!statSync(dir).isDirectory()) {
    throw new SkynetteError('DATA_DIR_UNUSABLE', `${dir} exists but is not a directory; set SKYNETTE_DATA_DIR to a directory`, { path: dir });
  }
}
