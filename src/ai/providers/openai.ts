/**
 * OpenAI through the official SDK: chat, streaming, embeddings, DALL-E images, image input, tools.
 * Key: provider settings / vault credential, else OPENAI_API_KEY. Base URL: settings, else
 * OPENAI_BASE_URL, else https://api.openai.com/v1.
 */
import { OpenAiCompatibleProvider } from './openai-compatible.js';
import type { ProviderSettings } from '../settings.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiProviderConfig extends ProviderSettings {
  api_key?: string;
  organization?: string;
  fetch?: typeof fetch;
}

export function createOpenAiProvider(config: OpenAiProviderConfig): OpenAiCompatibleProvider {
  return new OpenAiCompatibleProvider({
    name: 'openai',
    baseURL: config.base_url || OPENAI_DEFAULT_BASE_URL,
    apiKey: config.api_key,
    requireKey: true,
    capabilities: ['TEXT_GENERATION', 'CHAT', 'EMBEDDINGS', 'IMAGE_GENERATION', 'IMAGE_ANALYSIS', 'CODE_GENERATION', 'FUNCTION_CALLING'],
    local: false,
    models: { chat: config.model || 'gpt-4o-mini', embeddings: config.embedding_model || 'text-embedding-3-small', image: config.image_model || 'dall-e-3' },
    maxTokensParameter: 'max_completion_tokens',
    organization: config.organization,
    configureHint: 'set OPENAI_API_KEY, or store a key with `skynette credentials add openai NAME --stdin api_key` and `skynette ai providers set openai credential=NAME`',
    fetch: config.fetch,
  });
}
