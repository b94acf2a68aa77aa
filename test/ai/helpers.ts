/**
 * Gateways for tests: isolated from the machine (no process.env, an empty models folder, local
 * servers on closed ports unless a test points them at a fake), with a temporary SQLite database
 * when usage rows or conversations are checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiGateway, type GatewayOptions } from '../../src/ai/gateway.js';
import { createMemoryAiSettingsStore, createAiSettingsStore, type AiSettings } from '../../src/ai/settings.js';
import { silentLogger, type AiLogger } from '../../src/ai/logger.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { closedPort } from '../helpers/http-server.js';

export interface TestGatewayOptions {
  env?: Record<string, string>;
  settings?: Partial<AiSettings>;
  /** Keep usage and conversations in a temporary SQLite database. */
  database?: boolean | Database;
  logger?: AiLogger;
  resolveCredential?: GatewayOptions['resolveCredential'];
  now?: () => Date;
}

export interface TestGateway {
  gateway: AiGateway;
  database?: Database;
  dir: string;
  close(): Promise<void>;
}

/** A port nothing listens on: local providers fail fast with "connection refused". */
let closed: string | undefined;
export async function closedUrl(): Promise<string> {
  closed ??= `http://127.0.0.1:${await closedPort()}`;
  return closed;
}

export async function testGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'skynette-ai-'));
  const nothing = await closedUrl();
  const env: Record<string, string> = {
    SKYNETTE_MODELS_DIR: join(dir, 'models'),
    OLLAMA_HOST: nothing,
    LMSTUDIO_BASE_URL: `${nothing}/v1`,
    SKYNETTE_LLAMA_GPU: 'false',
    SKYNETTE_LLAMA_THREADS: '1',
    ...options.env,
  };
  let database: Database | undefined;
  if (options.database === true) database = await openDatabase({ dataDir: dir, env: {} });
  else if (options.database) database = options.database;
  let settings;
  if (database) {
    settings = createAiSettingsStore(database.db);
    const initial = options.settings ?? {};
    for (const [name, value] of Object.entries(initial.providers ?? {})) await settings.updateProvider(name as never, value as Record<string, unknown>);
    if (initial.general) await settings.updateGeneral(initial.general as Record<string, unknown>);
    if (initial.budgets) await settings.setBudgets(initial.budgets);
    if (initial.prices) await settings.setPrices(initial.prices);
  } else {
    settings = createMemoryAiSettingsStore(options.settings ?? {});
  }
  const gateway = await AiGateway.create({ env, database, settings, logger: options.logger ?? silentLogger, resolveCredential: options.resolveCredential, now: options.now });
  return {
    gateway,
    database,
    dir,
    async close() {
      await gateway.close();
      if (options.database === true) await database?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A logger that keeps its lines, for checking warnings. */
export function recordingLogger(): AiLogger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (message: string) => lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
