/**
 * Retention: deletes finished executions older than `executions.retention_days` and beyond
 * `executions.max_count` (both settings, or given), with the files they kept beside the database
 * (webhook uploads, generated images). The CLI runs it on demand, the server at start and hourly.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PruneResult, Store } from '../store/index.js';

export interface PruneChoice {
  maxAgeDays?: number;
  maxCount?: number;
}

/** Where an execution's files live: `<data dir>/executions/<kind>/<execution id>/`. */
const EXECUTION_FILE_FOLDERS = ['webhook-files', 'ai-images'];

export async function pruneExecutions(store: Store, dataDir: string, choice: PruneChoice = {}): Promise<PruneResult> {
  const maxAgeDays = choice.maxAgeDays ?? (await store.settingsStore.get('executions.retention_days'));
  const maxCount = choice.maxCount ?? (await store.settingsStore.get('executions.max_count'));
  const result = await store.executionStore.prune({ maxAgeDays, maxCount });
  for (const id of result.deletedIds) {
    for (const folder of EXECUTION_FILE_FOLDERS) await rm(join(dataDir, 'executions', folder, id), { recursive: true, force: true });
  }
  return result;
}
