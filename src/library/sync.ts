/**
 * Picks up workflow files edited by hand or by `git pull`: a changed file becomes a new version of
 * its workflow; a file that does not validate is reported and ignored, leaving the stored
 * workflow as it was. Files are matched to workflows by the id inside them, else by name.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Problem } from '../util/errors.js';
import { errorMessage } from '../util/errors.js';
import { validateWorkflowText } from '../engine/validate.js';
import { parseWorkflowData } from '../workflow/parse.js';
import type { WorkflowStore } from '../store/index.js';
import { workflowChecksum } from '../store/index.js';
import { listWorkflowFiles } from './workflow-files.js';

export interface SyncReport {
  /** Files that became a new workflow. */
  created: Array<{ file: string; id: string; name: string }>;
  /** Files that became a new version of a stored workflow. */
  updated: Array<{ file: string; id: string; name: string; version: number }>;
  /** Files that do not validate: ignored, stored workflows untouched. */
  invalid: Array<{ file: string; errors: Problem[] }>;
  unchanged: number;
}

function hasOwnId(text: string): boolean {
  const { data } = parseWorkflowData(text);
  return Boolean(data && typeof data === 'object' && typeof (data as { id?: unknown }).id === 'string' && (data as { id: string }).id);
}

export async function syncWorkflowFiles(store: WorkflowStore, dir: string): Promise<SyncReport> {
  const report: SyncReport = { created: [], updated: [], invalid: [], unchanged: 0 };
  for (const file of listWorkflowFiles(dir)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      report.invalid.push({ file, errors: [{ path: '(file)', message: `cannot read: ${errorMessage(error)}` }] });
      continue;
    }
    const checked = validateWorkflowText(text);
    if (!checked.valid || !checked.workflow) {
      report.invalid.push({ file, errors: checked.errors });
      continue;
    }
    const workflow = checked.workflow;
    const stored = hasOwnId(text) ? await store.get(workflow.id) : await store.get(workflow.name);
    if (stored) {
      workflow.id = stored.workflow.id;
      if (workflowChecksum(workflow) === workflowChecksum(stored.workflow)) {
        report.unchanged++;
        continue;
      }
    }
    try {
      const saved = await store.save(workflow, 'file');
      if (stored) report.updated.push({ file, id: saved.workflow.id, name: saved.workflow.name, version: saved.version });
      else report.created.push({ file, id: saved.workflow.id, name: saved.workflow.name });
    } catch (error) {
      report.invalid.push({ file, errors: [{ path: basename(file), message: errorMessage(error) }] });
    }
  }
  return report;
}
