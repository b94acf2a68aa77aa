/** What the knowledge-base nodes share: the service, and reading their list and object fields. */
import type { KnowledgeBaseService } from '../../rag/service.js';
import { SkynetteError } from '../../util/errors.js';
import type { NodeContext } from '../sdk.js';

export async function knowledgeBasesOf(_ctx: NodeContext<any>): Promise<KnowledgeBaseService> {
  // Loaded on first use, like the AI gateway: loaders, embedders and vector stores are heavy to import.
  const { sharedKnowledgeBases } = await import('../../rag/index.js');
  return sharedKnowledgeBases();
}

/** A list field that also takes one string (a single path) or nothing. */
export function stringList(value: unknown, path: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new SkynetteError('INVALID_CONFIG', `${path}: expected a list of strings (or one string)`, { path });
}

export function objectField(value: unknown, path: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new SkynetteError('INVALID_CONFIG', `${path}: expected an object`, { path });
}
