/**
 * LM Studio's OpenAI-compatible server (default http://localhost:1234/v1, or LMSTUDIO_BASE_URL)
 * through the same `openai` SDK with a placeholder key: chat, embeddings, code generation. With no
 * model set, the first model the server lists is used.
 */
import { OpenAiCompatibleProvider } from './openai-compatible.js';
import type { ProviderSettings } from '../settings.js';

export const LMSTUDIO_DEFAULT_BASE_URL = 'http://localhost:1234/v1';

export interface LmStudioProviderConfig extends ProviderSettings {
  api_key?: string;
  fetch?: typeof fetch;
}

export function createLmStudioProvider(config: LmStudioProviderConfig): OpenAiCompatibleProvider {
  return new OpenAiCompatibleProvider({
    name: 'lmstudio',
    baseURL: config.base_url || LMSTUDIO_DEFAULT_BASE_URL,
    apiKey: config.api_key,
    requireKey: false,
    placeholderKey: 'lm-studio',
    capabilities: ['TEXT_GENERATION', 'CHAT', 'EMBEDDINGS', 'CODE_GENERATION'],
    local: true,
    models: { chat: config.model, embeddings: config.embedding_model },
    maxTokensParameter: 'max_tokens',
    floatEmbeddings: true,
    configureHint: 'start LM Studio\'s server, or set LMSTUDIO_BASE_URL',
    fetch: config.fetch,
  });
}
