/**
 * Messages between the llamacpp provider and its model host process (IPC, JSON). The host loads
 * GGUF files with node-llama-cpp; a file that makes llama.cpp abort ends only the host.
 */

export interface HostMessageText {
  role: 'system' | 'user' | 'assistant' | 'tool';
  text: string;
}

export interface HostModelOptions {
  model_path: string;
  context_size: number;
  threads: number;
}

export type HostRequest =
  | ({ id: number; op: 'chat'; messages: HostMessageText[]; max_tokens?: number; temperature?: number; json_schema?: Record<string, unknown>; stream: boolean } & HostModelOptions)
  | ({ id: number; op: 'complete'; prompt: string; max_tokens?: number; temperature?: number; stream: boolean } & HostModelOptions)
  | ({ id: number; op: 'embed'; texts: string[] } & HostModelOptions)
  | { id: number; op: 'cancel'; target: number };

export type HostErrorKind = 'load' | 'context_length' | 'bad_request' | 'cancelled' | 'internal';

export type HostReply =
  | { type: 'ready' }
  | { id: number; type: 'chunk'; text: string }
  | { id: number; type: 'result'; text?: string; vectors?: number[][]; usage: { input_tokens: number; output_tokens: number }; finish_reason?: string }
  | { id: number; type: 'error'; kind: HostErrorKind; message: string };
