/**
 * From a model spec to an embedder. Specs:
 *   NAME or onnx:NAME           an ONNX model folder in the models folder (or an absolute path)
 *   ollama:MODEL, openai:MODEL, lmstudio:MODEL
 *                               through the AI gateway
 *   gguf:NAME (llamacpp:NAME)   a GGUF embedding model in the models folder, through llama.cpp
 *   none                        no embedding model: keyword search only
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { SkynetteError } from '../../util/errors.js';
import { CachedEmbedder } from './cache.js';
import { GatewayEmbedder, type EmbeddingGateway } from './gateway.js';
import { clearOnnxPipelines, isOnnxModelDir, OnnxEmbedder } from './onnx.js';
import type { Embedder } from './types.js';

export type ModelSpec = { kind: 'none' } | { kind: 'onnx'; name: string } | { kind: 'gateway'; provider: string; model: string };

export interface EmbedderEnvironment {
  modelsDir: string;
  /** The AI gateway, for provider models (loaded only when such a model is used). */
  gateway?: () => Promise<EmbeddingGateway>;
}

const GATEWAY_PROVIDERS = new Set(['ollama', 'openai', 'lmstudio', 'llamacpp']);

export function parseModelSpec(spec: string | null | undefined): ModelSpec {
  const text = (spec ?? '').trim();
  if (!text || text.toLowerCase() === 'none') return { kind: 'none' };
  const colon = text.indexOf(':');
  if (colon > 0 && !isAbsolute(text)) {
    const prefix = text.slice(0, colon).toLowerCase();
    const rest = text.slice(colon + 1).trim();
    if (!rest) throw new SkynetteError('MODEL_SPEC_INVALID', `"${text}" names no model after "${prefix}:"`, { path: 'model' });
    if (prefix === 'onnx' || prefix === 'local') return { kind: 'onnx', name: rest };
    if (prefix === 'gguf') return { kind: 'gateway', provider: 'llamacpp', model: rest.replace(/\.gguf$/i, '') };
    if (GATEWAY_PROVIDERS.has(prefix)) return { kind: 'gateway', provider: prefix, model: rest };
    throw new SkynetteError(
      'MODEL_SPEC_INVALID',
      `unknown model provider "${prefix}" in "${text}"; use a model folder name from \`skynette models list\`, or ollama:, openai:, lmstudio:, gguf:`,
      { path: 'model' },
    );
  }
  return { kind: 'onnx', name: text };
}

/** The spec as stored with a knowledge base (bare GGUF names resolved to gguf:). */
export function normalizeModelSpec(spec: string | null | undefined, modelsDir: string): string | null {
  const parsed = parseModelSpec(spec);
  if (parsed.kind === 'none') return null;
  if (parsed.kind === 'gateway') return parsed.provider === 'llamacpp' ? `gguf:${parsed.model}` : `${parsed.provider}:${parsed.model}`;
  const dir = onnxDir(parsed.name, modelsDir);
  if (!isOnnxModelDir(dir)) {
    const gguf = join(modelsDir, parsed.name.endsWith('.gguf') ? parsed.name : `${parsed.name}.gguf`);
    if (!isAbsolute(parsed.name) && existsSync(gguf)) return `gguf:${parsed.name.replace(/\.gguf$/i, '')}`;
    throw modelNotFound(parsed.name, modelsDir);
  }
  return parsed.name;
}

function onnxDir(name: string, modelsDir: string): string {
  return isAbsolute(name) ? name : join(modelsDir, name);
}

function modelNotFound(name: string, modelsDir: string): SkynetteError {
  const available = listOnnxModelNames(modelsDir);
  const hint = available.length ? `; models there: ${available.join(', ')}` : '; it has no models yet';
  return new SkynetteError(
    'MODEL_NOT_FOUND',
    `no embedding model "${name}" in ${modelsDir}${hint}. Install one with \`skynette models add PATH\` or \`skynette models pull NAME\`, or name a provider model (ollama:nomic-embed-text)`,
    { path: 'model' },
  );
}

/** ONNX sentence-embedding model folders in the models folder, by name. */
export function listOnnxModelNames(modelsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(modelsDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => !name.startsWith('.'))
    .filter((name) => {
      try {
        return statSync(join(modelsDir, name)).isDirectory() && isOnnxModelDir(join(modelsDir, name));
      } catch {
        return false;
      }
    })
    .sort();
}

/** The model a new knowledge base gets when none is named: all-MiniLM-L6-v2 if present, else the only/first local one. */
export function defaultModelSpec(modelsDir: string): string | undefined {
  const names = listOnnxModelNames(modelsDir);
  return names.find((n) => n.toLowerCase() === 'all-minilm-l6-v2') ?? names[0];
}

const embedders = new Map<string, Embedder>();

/** One cached embedder per spec and models folder, so pipelines and caches are shared. */
export function createEmbedder(spec: string, environment: EmbedderEnvironment): Embedder {
  const key = `${environment.modelsDir}\u0000${spec}`;
  const existing = embedders.get(key);
  if (existing) return existing;
  const parsed = parseModelSpec(spec);
  let embedder: Embedder;
  if (parsed.kind === 'none') throw new SkynetteError('MODEL_SPEC_INVALID', 'no embedding model given', { path: 'model' });
  if (parsed.kind === 'onnx') {
    const dir = onnxDir(parsed.name, environment.modelsDir);
    if (!isOnnxModelDir(dir)) throw modelNotFound(parsed.name, environment.modelsDir);
    embedder = new OnnxEmbedder(spec, dir);
  } else {
    const gateway = environment.gateway ?? defaultGateway;
    embedder = new GatewayEmbedder(spec, parsed.provider, parsed.model, gateway);
  }
  const cached = new CachedEmbedder(embedder);
  embedders.set(key, cached);
  return cached;
}

/** Forgets loaded embedders (tests that rewrite a model folder). */
export function clearEmbedderCache(): void {
  embedders.clear();
  clearOnnxPipelines();
}

// The AI gateway is loaded only when a provider model is used, so a local-only setup never loads it.
async function defaultGateway(): Promise<EmbeddingGateway> {
  const { getGateway } = await import('../../ai/gateway.js');
  return getGateway();
}
