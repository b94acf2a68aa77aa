/**
 * The store: one database, a repository per table group. Open it once per process.
 */
import { openDatabase, type Database, type OpenDatabaseOptions } from './database.js';
import { createExecutionStore, type ExecutionStore, type ExecutionStoreOptions } from './execution-store.js';
import { createSettingsStore, type SettingsStore } from './settings-store.js';
import { createWorkflowStore, type WorkflowStore } from './workflow-store.js';

export interface Store {
  database: Database;
  workflowStore: WorkflowStore;
  executionStore: ExecutionStore;
  settingsStore: SettingsStore;
  close(): Promise<void>;
}

export function createStore(database: Database, options: ExecutionStoreOptions = {}): Store {
  return {
    database,
    workflowStore: createWorkflowStore(database),
    executionStore: createExecutionStore(database, options),
    settingsStore: createSettingsStore(database),
    close: () => database.close(),
  };
}

export async function openStore(options: OpenDatabaseOptions & ExecutionStoreOptions = {}): Promise<Store> {
  return createStore(await openDatabase(options), options);
}

export { openDatabase, databaseFileSize, shrinkSqliteFile, DATABASE_FILE_NAME, type Database, type OpenDatabaseOptions } from './database.js';
export { checkpointHooks } from './checkpoint-hooks.js';
export { createExecutionStore, LARGE_OUTPUT_CHARS, type ExecutionStore, type ExecutionSummary, type ExecutionPage, type ListExecutionsOptions, type PruneOptions, type PruneResult, type SaveNodesOptions } from './execution-store.js';
export { createWorkflowStore, slugify, workflowChecksum, type WorkflowStore, type StoredWorkflow, type WorkflowSummary, type WorkflowVersion, type WorkflowVersionInfo, type SaveWorkflowResult } from './workflow-store.js';
export { createSettingsStore, isSettingKey, type SettingsStore, type SettingEntry } from './settings-store.js';
export { settingDefinitions, type SettingKey, type SettingValue, type SettingValues } from './setting-definitions.js';
export { migrations, type StoreMigration } from './migrations/index.js';
export type { Schema } from './schema.js';
