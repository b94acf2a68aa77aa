/**
 * The folder of local GGUF models: provider setting `models_dir`, else SKYNETTE_MODELS_DIR, else
 * ~/skynette/models (where the original Skynette kept them).
 */
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';

export function resolveModelsDir(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = configured?.trim() || env.SKYNETTE_MODELS_DIR?.trim();
  if (!value) return join(homedir(), 'skynette', 'models');
  return resolve(value.startsWith('~/') ? join(homedir(), value.slice(2)) : value);
}

export interface LocalModelFile {
  /** The file name without .gguf: what a request names. */
  id: string;
  path: string;
  size_bytes: number;
}

/** The .gguf files of the folder, by name; an absent folder has none. */
export function listModelFiles(dir: string): LocalModelFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: LocalModelFile[] = [];
  for (const name of names.sort()) {
    if (!name.toLowerCase().endsWith('.gguf')) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (stat.isFile()) out.push({ id: name.slice(0, -'.gguf'.length), path, size_bytes: stat.size });
    } catch {
      // vanished or unreadable: not offered
    }
  }
  return out;
}

/** A model named by id (file name with or without .gguf) or by path; undefined when no such file. */
export function findModelFile(dir: string, model: string): LocalModelFile | undefined {
  if (isAbsolute(model)) {
    try {
      const stat = statSync(model);
      return stat.isFile() ? { id: basename(model).replace(/\.gguf$/i, ''), path: model, size_bytes: stat.size } : undefined;
    } catch {
      return undefined;
    }
  }
  const wanted = model.replace(/\.gguf$/i, '');
  return listModelFiles(dir).find((file) => file.id === wanted);
}
