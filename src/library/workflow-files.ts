/**
 * The folder of workflow files, `<data dir>/workflows/`: one YAML file per stored workflow, named
 * by its slug, so workflows can be read, edited and kept in git as plain files.
 */
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Workflow } from '../workflow/model.js';
import { workflowSlug, workflowToYaml } from '../workflow/serialize.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export const WORKFLOW_FILE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export function workflowsDir(dataDir: string): string {
  return join(dataDir, 'workflows');
}

export function listWorkflowFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((n) => !n.startsWith('.') && WORKFLOW_FILE_EXTENSIONS.has(extname(n).toLowerCase()))
    .sort()
    .map((n) => join(dir, n));
}

/** The id written in a workflow file, read cheaply; undefined when the file has none or is broken. */
export function fileWorkflowId(path: string): string | undefined {
  try {
    const data: unknown = parseYaml(readFileSync(path, 'utf8'));
    if (data && typeof data === 'object' && 'id' in data && typeof (data as { id: unknown }).id === 'string') return (data as { id: string }).id;
  } catch {
    // A broken file has no id we can trust.
  }
  return undefined;
}

/** The file a workflow lives in: the one already holding its id, else `<slug>.yaml` (made unique). */
export function fileForWorkflow(dir: string, workflow: Workflow): string {
  const files = listWorkflowFiles(dir);
  const existing = files.find((f) => fileWorkflowId(f) === workflow.id);
  if (existing) return existing;
  const slug = workflowSlug(workflow.name);
  let candidate = join(dir, `${slug}.yaml`);
  for (let n = 2; files.includes(candidate); n++) candidate = join(dir, `${slug}-${n}.yaml`);
  return candidate;
}

/** Writes (or rewrites) a workflow's file; a rename moves it to the new slug. */
export function writeWorkflowFile(dir: string, workflow: Workflow): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let path = fileForWorkflow(dir, workflow);
  const wanted = join(dir, `${workflowSlug(workflow.name)}.yaml`);
  if (path !== wanted && !listWorkflowFiles(dir).includes(wanted)) {
    unlinkSafe(path);
    path = wanted;
  }
  writeFileAtomic(path, workflowToYaml(workflow));
  return path;
}

export function removeWorkflowFile(dir: string, workflowId: string): string | undefined {
  const path = listWorkflowFiles(dir).find((f) => fileWorkflowId(f) === workflowId);
  if (path) unlinkSafe(path);
  return path;
}

function unlinkSafe(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
