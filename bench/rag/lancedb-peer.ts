/**
 * LanceDB as a benchmark reference, without making it a dependency of Skynette (its native
 * package is ~190 MB): installed on first use into a scratch folder outside the project, then
 * imported from there by absolute path. Only the few calls the benchmark makes are typed here.
 *
 * Folder: SKYNETTE_BENCH_PEERS (default /tmp/skynette-bench-peers) + /lancedb.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const LANCEDB_VERSION = '0.31.0';

/** The part of a LanceDB vector query the benchmark uses. */
export interface LanceVectorQuery {
  distanceType(type: 'cosine' | 'l2' | 'dot'): LanceVectorQuery;
  limit(n: number): LanceVectorQuery;
  bypassVectorIndex(): LanceVectorQuery;
  select(columns: string[]): LanceVectorQuery;
  toArray(): Promise<Array<Record<string, unknown>>>;
}

export interface LanceTable {
  add(data: Array<Record<string, unknown>>): Promise<unknown>;
  countRows(): Promise<number>;
  optimize(): Promise<unknown>;
  listIndices(): Promise<unknown[]>;
  vectorSearch(vector: Float32Array | number[]): LanceVectorQuery;
  close(): void;
}

export interface LanceConnection {
  createTable(name: string, data: Array<Record<string, unknown>>, options?: { mode?: 'create' | 'overwrite' }): Promise<LanceTable>;
  close(): void;
}

export interface LanceModule {
  connect(uri: string): Promise<LanceConnection>;
}

export function peersDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.SKYNETTE_BENCH_PEERS || '/tmp/skynette-bench-peers', 'lancedb');
}

function installedVersion(dir: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', '@lancedb', 'lancedb', 'package.json'), 'utf8')) as { version?: string };
    return manifest.version;
  } catch {
    return undefined;
  }
}

/**
 * Installs @lancedb/lancedb (exact version) into `dir` unless it is already there, and loads it.
 * Throws with npm's own message when the install or the native module fails.
 */
export async function loadLanceDb(dir = peersDir(), log: (line: string) => void = (line) => console.error(line)): Promise<{ lancedb: LanceModule; version: string; installed: boolean }> {
  let installed = false;
  if (installedVersion(dir) !== LANCEDB_VERSION) {
    mkdirSync(dir, { recursive: true });
    log(`rag: installing @lancedb/lancedb@${LANCEDB_VERSION} into ${dir} (benchmark reference only, not a project dependency)...`);
    try {
      // The scratch folder gets its own package.json so npm does not walk up into another project.
      if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{ "name": "skynette-bench-peers-lancedb", "private": true }\n');
      execFileSync('npm', ['install', '--prefix', dir, '-E', '--no-audit', '--no-fund', '--loglevel=error', `@lancedb/lancedb@${LANCEDB_VERSION}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      });
    } catch (error) {
      // npm's first lines say what went wrong (code, request); the last ones only point at its log.
      const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').filter((line) => !/complete log|proxy/i.test(line)).slice(0, 3).join(' | ');
      throw new Error(`npm install @lancedb/lancedb@${LANCEDB_VERSION} failed${stderr ? `: ${stderr}` : ''}`);
    }
    installed = true;
  }
  const entry = createRequire(join(dir, 'package.json')).resolve('@lancedb/lancedb');
  const loaded = (await import(pathToFileURL(entry).href)) as LanceModule & { default?: LanceModule };
  const lancedb = typeof loaded.connect === 'function' ? loaded : loaded.default!;
  if (typeof lancedb?.connect !== 'function') throw new Error(`${entry} does not export connect()`);
  return { lancedb, version: installedVersion(dir) ?? LANCEDB_VERSION, installed };
}
