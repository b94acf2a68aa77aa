/**
 * The shapes every part of the AI layer speaks: requests and results of the gateway, and the
 * provider-neutral messages, tool calls and image parts each provider maps to its own wire format.
 */

export type Capability =
  | 'TEXT_GENERATION'
  | 'CHAT'
  | 'EMBEDDINGS'
  | 'IMAGE_GENERATION'
  | 'IMAGE_ANALYSIS'
  | 'CODE_GENERATION'
  | 'FUNCTION_CALLING';

export const CAPABILITIES: readonly Capability[] = [
  'TEXT_GENERATION',
  'CHAT',
  'EMBEDDINGS',
  'IMAGE_GENERATION',
  'IMAGE_ANALYSIS',
  'CODE_GENERATION',
  'FUNCTION_CALLING',
];

/** Where a call came from, recorded with its usage row. */
export interface AiCallContext {
  workflow_id?: string;
  execution_id?: string;
  node_id?: string;
}

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image given inline (base64) or by URL; providers that only take inline data need `data_base64`. */
export interface ImagePart {
  type: 'image';
  data_base64?: string;
  url?: string;
  /** image/png, image/jpeg, image/gif, image/webp (default image/png). */
  media_type?: string;
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ContentPart[];
  /** assistant: the tools the model asked to call. */
  tool_calls?: ToolCall[];
  /** tool: the call this message answers. */
  tool_call_id?: string;
}

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** Default CHAT (FUNCTION_CALLING when tools are given, IMAGE_ANALYSIS when an image is sent). */
  capability?: Capability;
  /** A provider name; only that provider is used (unless `fallback: true`). */
  provider?: string;
  model?: string;
  max_tokens?: number;
  temperature?: number;
  /** Ask for JSON matching this schema; the parsed value is returned as `data`. */
  json_schema?: Record<string, unknown>;
  tools?: ToolDefinition[];
  signal?: AbortSignal;
  /** Per provider attempt (default: the gateway's timeout, 120 s). */
  timeout_ms?: number;
  context?: AiCallContext;
  /** Try other providers even though `provider` is named. */
  fallback?: boolean;
  /** Budget warnings (80%) for this call, for a node's log. */
  onWarning?: (message: string) => void;
}

export interface AttemptFailure {
  provider: string;
  model?: string;
  error: string;
  code: string;
}

export interface ChatResult {
  text: string;
  /** With json_schema: the parsed, validated reply. */
  data?: unknown;
  /** With json_schema: why the reply was not valid JSON for the schema (data is then absent). */
  json_error?: string;
  tool_calls?: ToolCall[];
  finish_reason?: string;
  provider: string;
  model: string;
  usage: TokenUsage;
  cost_usd: number;
  latency_ms: number;
  /** Providers tried before the one that answered, and why each failed. */
  tried: AttemptFailure[];
}

export type StreamEvent = { delta: string } | { done: ChatResult };

export interface EmbedRequest {
  texts: string[];
  provider?: string;
  model?: string;
  signal?: AbortSignal;
  timeout_ms?: number;
  context?: AiCallContext;
  fallback?: boolean;
  onWarning?: (message: string) => void;
}

export interface EmbedResult {
  vectors: number[][];
  dimensions: number;
  provider: string;
  model: string;
  usage: TokenUsage;
  cost_usd: number;
  latency_ms: number;
  tried: AttemptFailure[];
}

export interface ImageRequest {
  prompt: string;
  provider?: string;
  model?: string;
  /** 1024x1024 (default), 1792x1024, 1024x1792. */
  size?: string;
  quality?: 'standard' | 'hd';
  n?: number;
  signal?: AbortSignal;
  timeout_ms?: number;
  context?: AiCallContext;
  fallback?: boolean;
  onWarning?: (message: string) => void;
}

export interface GeneratedImage {
  data_base64: string;
  media_type: string;
  revised_prompt?: string;
}

export interface ImageResult {
  images: GeneratedImage[];
  provider: string;
  model: string;
  usage: TokenUsage;
  cost_usd: number;
  latency_ms: number;
  tried: AttemptFailure[];
}

export interface ModelInfo {
  provider: string;
  id: string;
  /** Local files: the path and size. */
  path?: string;
  size_bytes?: number;
  capabilities?: Capability[];
}
