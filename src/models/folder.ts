/**
 * The models folder (shared with the AI gateway's llama.cpp provider): ONNX sentence-embedding
 * model folders and .gguf files. Listing and installing local models.
 */
import { cpSync, existsSync, mkdirSync, openSync, readSync, closeSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { resolveModelsDir } from '../ai/models-dir.js';
import { isOnnxModelDir, readOnnxModelInfo } from '../rag/embedders/onnx.js';
import { SkynetteError, errorMessage } from '../util/errors.js';

export { resolveModelsDir };

export interface InstalledModel {
  /** What a knowledge base's --model names: the folder name, or the file name without .gguf. */
  name: string;
  kind: 'onnx' | 'gguf';
  path: string;
  size_bytes: number;
  /** ONNX: the embedding size from config.json. */
  dimensions?: number;
  /** ONNX: the window in tokens. */
  max_tokens?: number;
  /** The spec to use with `kb create --model`. */
  spec: string;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function folderSize(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += folderSize(join(path, entry));
  return total;
}

export function listInstalledModels(modelsDir: string): InstalledModel[] {
  let names: string[];
  try {
    names = readdirSync(modelsDir).sort();
  } catch {
    return [];
  }
  const models: InstalledModel[] = [];
  for (const entry of names) {
    if (entry.startsWith('.')) continue;
    const path = join(modelsDir, entry);
    try {
      const info = statSync(path);
      if (info.isDirectory() && isOnnxModelDir(path)) {
        const meta = readOnnxModelInfo(path);
        models.push({ name: entry, kind: 'onnx', path, size_bytes: folderSize(path), dimensions: meta.dimensions, max_tokens: meta.maxTokens, spec: entry });
      } else if (info.isFile() && entry.toLowerCase().endsWith('.gguf')) {
        const name = entry.slice(0, -5);
        models.push({ name, kind: 'gguf', path, size_bytes: info.size, spec: `gguf:${name}` });
      }
    } catch {
      // vanished while listing
    }
  }
  return models;
}

export function checkModelName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new SkynetteError('MODEL_NAME_INVALID', `"${name}" is not a valid model name: use letters, digits, _ . and -, starting with a letter or digit`, { path: 'name' });
  }
}

function isGguf(path: string): boolean {
  const handle = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    readSync(handle, magic, 0, 4, 0);
    return magic.toString('latin1') === 'GGUF';
  } finally {
    closeSync(handle);
  }
}

export interface AddModelOptions {
  name?: string;
  /** Replace an installed model of the same name. */
  force?: boolean;
}

/** Copies a model folder (ONNX layout) or a .gguf file into the models folder. */
export function addModel(modelsDir: string, source: string, options: AddModelOptions = {}): InstalledModel {
  const from = resolve(source);
  let info;
  try {
    info = statSync(from);
  } catch {
    throw new SkynetteError('PATH_NOT_FOUND', `${from} does not exist`, { path: 'path' });
  }
  mkdirSync(modelsDir, { recursive: true });
  if (info.isDirectory()) {
    if (!isOnnxModelDir(from)) {
      throw new SkynetteError(
        'MODEL_LAYOUT_INVALID',
        `${from} is not an ONNX sentence-embedding model folder: it needs config.json, tokenizer.json and onnx/model.onnx (the layout of Xenova/all-MiniLM-L6-v2)`,
        { path: 'path' },
      );
    }
    const name = options.name ?? basename(from);
    checkModelName(name);
    const target = join(modelsDir, name);
    replaceInto(target, options.force, (tmp) => cpSync(from, tmp, { recursive: true, dereference: true }));
    return listInstalledModels(modelsDir).find((m) => m.name === name && m.kind === 'onnx')!;
  }
  if (!from.toLowerCase().endsWith('.gguf') || !isGguf(from)) {
    throw new SkynetteError('MODEL_LAYOUT_INVALID', `${from} is neither a model folder (ONNX layout) nor a GGUF file`, { path: 'path' });
  }
  const name = options.name ?? basename(from).slice(0, -5);
  checkModelName(name);
  replaceInto(join(modelsDir, `${name}.gguf`), options.force, (tmp) => cpSync(from, tmp));
  return listInstalledModels(modelsDir).find((m) => m.name === name && m.kind === 'gguf')!;
}

/** Writes into a temporary sibling, then renames into place: a model is installed whole or not at all. */
export function replaceInto(target: string, force: boolean | undefined, write: (tmp: string) => void): void {
  if (existsSync(target) && !force) {
    throw new SkynetteError('MODEL_EXISTS', `${target} is already installed; pass --force to replace it, or --name to install under another name`, { path: 'name' });
  }
  const tmp = join(resolve(target, '..'), `.partial-${basename(target)}-${randomBytes(4).toString('hex')}`);
  try {
    write(tmp);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (error instanceof SkynetteError) throw error;
    throw new SkynetteError('MODEL_INSTALL_FAILED', `could not install ${target}: ${errorMessage(error)}`, { cause: error });
  }
}

export function removeModel(modelsDir: string, name: string): InstalledModel {
  const model = listInstalledModels(modelsDir).find((m) => m.name === name);
  if (!model) throw new SkynetteError('MODEL_NOT_FOUND', `no model "${name}" in ${modelsDir}`, { path: 'name' });
  rmSync(model.path, { recursive: true, force: true });
  return model;
}
