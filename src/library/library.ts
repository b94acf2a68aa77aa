/**
 * The workflow library: the store's versioned workflows mirrored as YAML files. Saving through the
 * library writes both; `sync` reads back what people changed in the files.
 */
import type { Workflow } from '../workflow/model.js';
import type { SaveWorkflowResult, StoredWorkflow, WorkflowStore } from '../store/index.js';
import { syncWorkflowFiles, type SyncReport } from './sync.js';
import { removeWorkflowFile, workflowsDir, writeWorkflowFile } from './workflow-files.js';

export class WorkflowLibrary {
  readonly dir: string;

  constructor(
    readonly store: WorkflowStore,
    dataDir: string,
  ) {
    this.dir = workflowsDir(dataDir);
  }

  sync(): Promise<SyncReport> {
    return syncWorkflowFiles(this.store, this.dir);
  }

  /** Saves a new version (when the content changed) and rewrites the workflow's file. */
  async save(workflow: Workflow, source: string): Promise<SaveWorkflowResult & { file: string }> {
    const saved = await this.store.save(workflow, source);
    const file = writeWorkflowFile(this.dir, saved.workflow);
    return { ...saved, file };
  }

  /** Deletes the workflow, its versions and its file; its executions stay. */
  async delete(ref: string): Promise<StoredWorkflow | null> {
    const stored = await this.store.get(ref);
    if (!stored) return null;
    await this.store.delete(stored.id);
    removeWorkflowFile(this.dir, stored.id);
    return stored;
  }
}
