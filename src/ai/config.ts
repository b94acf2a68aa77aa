/**
 * Builds the providers from what the user configured, strongest first: the provider settings, the
 * vault credential, then the environment variables the tools themselves use (OPENAI_API_KEY,
 * OPENAI_BASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OLLAMA_HOST, LMSTUDIO_BASE_URL,
 * SKYNETTE_MODELS_DIR).
 */
import { errorMessage } from '../util/errors.js';
import { apiKeyOf } from './credentials.js';
import { createAnthropicProvider } from './providers/anthropic.js';
import { createLlamaCppProvider } from './providers/llamacpp.js';
import { createLmStudioProvider } from './providers/lmstudio.js';
import { createOllamaProvider } from './providers/ollama.js';
import { createOpenAiProvider } from './providers/openai.js';
import type { AiProvider } from './providers/provider.js';
import { PROVIDER_NAMES, type AiSettings, type ProviderName, type ProviderSettings } from './settings.js';

/** Cloud first when a key is set, then the local ones; `skynette ai providers priority` changes it. */
export const DEFAULT_PRIORITY: Record<ProviderName, number> = { openai: 10, anthropic: 20, ollama: 30, lmstudio: 40, llamacpp: 50 };

export type CredentialResolver = (reference: string) => Promise<Record<string, unknown>>;

export interface ProviderEntry {
  name: ProviderName;
  provider: AiProvider;
  enabled: boolean;
  priority: number;
  settings: ProviderSettings;
  /** A problem found while configuring it (an unreadable credential). */
  setupProblem?: string;
}

export interface BuildOptions {
  env: NodeJS.ProcessEnv;
  resolveCredential?: CredentialResolver;
  fetch?: typeof fetch;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

async function credentialFor(name: ProviderName, settings: ProviderSettings, options: BuildOptions): Promise<{ fields: Record<string, unknown>; problem?: string }> {
  if (!options.resolveCredential) {
    return settings.credential ? { fields: {}, problem: `its credential "${settings.credential}" cannot be read: no vault is open` } : { fields: {} };
  }
  const reference = settings.credential ?? name;
  try {
    return { fields: await options.resolveCredential(reference) };
  } catch (error) {
    // Only a credential the settings name must exist; one named after the provider is optional.
    if (!settings.credential) return { fields: {} };
    return { fields: {}, problem: `its credential "${reference}" cannot be read: ${errorMessage(error)}` };
  }
}

export async function buildProviders(settings: AiSettings, options: BuildOptions): Promise<ProviderEntry[]> {
  const env = options.env;
  const entries: ProviderEntry[] = [];
  for (const name of PROVIDER_NAMES) {
    const own = settings.providers[name] ?? {};
    const needsKey = name === 'openai' || name === 'anthropic' || name === 'lmstudio';
    const { fields, problem } = needsKey || own.credential ? await credentialFor(name, own, options) : { fields: {} as Record<string, unknown> };
    const baseUrl = own.base_url ?? text(fields.base_url);
    let provider: AiProvider;
    switch (name) {
      case 'openai':
        provider = createOpenAiProvider({
          ...own,
          base_url: baseUrl ?? text(env.OPENAI_BASE_URL),
          api_key: apiKeyOf(fields) ?? text(env.OPENAI_API_KEY),
          organization: text(fields.organization) ?? text(env.OPENAI_ORG_ID),
          fetch: options.fetch,
        });
        break;
      case 'anthropic':
        provider = createAnthropicProvider({ ...own, base_url: baseUrl ?? text(env.ANTHROPIC_BASE_URL), api_key: apiKeyOf(fields) ?? text(env.ANTHROPIC_API_KEY), fetch: options.fetch });
        break;
      case 'ollama':
        provider = createOllamaProvider({ ...own, base_url: baseUrl ?? text(env.OLLAMA_HOST), fetch: options.fetch });
        break;
      case 'lmstudio':
        provider = createLmStudioProvider({ ...own, base_url: baseUrl ?? text(env.LMSTUDIO_BASE_URL), api_key: apiKeyOf(fields), fetch: options.fetch });
        break;
      case 'llamacpp':
        provider = createLlamaCppProvider({ ...own, env });
        break;
    }
    entries.push({ name, provider, enabled: own.enabled ?? true, priority: own.priority ?? DEFAULT_PRIORITY[name], settings: own, ...(problem ? { setupProblem: problem } : {}) });
  }
  return entries;
}
