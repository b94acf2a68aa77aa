/**
 * Reading a workflow file for the CLI: a missing file, a directory, binary data and invalid content
 * each end the command with a message that names the file and what to fix.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { validateWorkflowText, type ValidationReport } from '../engine/validate.js';
import { MAX_WORKFLOW_FILE_BYTES } from '../workflow/parse.js';
import { fail } from './output.js';

export function readWorkflowFileText(file: string): string {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) fail(`${file} is a folder; give the path of a workflow file (.yaml or .json)`);
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') fail(`cannot read ${file}: no such file`);
    throw error;
  }
  if (size > MAX_WORKFLOW_FILE_BYTES) {
    fail(`${file}: the file is ${(size / 1048576).toFixed(1)} MB, larger than the ${MAX_WORKFLOW_FILE_BYTES / 1048576} MB a workflow file may be`);
  }
  return readFileSync(file, 'utf8');
}

export function formatOf(file: string): 'yaml' | 'json' | 'auto' {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return 'auto';
}

export function validateWorkflowFile(file: string): ValidationReport {
  return validateWorkflowText(readWorkflowFileText(file), formatOf(file));
}
