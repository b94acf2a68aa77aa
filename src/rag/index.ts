/**
 * Knowledge bases (RAG): the public surface. `openKnowledgeBases()` opens Skynette's database and
 * returns the service; inside a running server, `useKnowledgeBaseDatabase(database)` makes nodes
 * share its open database instead of opening their own.
 */
import { openDatabase, type Database, type OpenDatabaseOptions } from '../store/database.js';
import { KnowledgeBaseService, type KnowledgeBaseServiceOptions } from './service.js';
import type { RagDatabase } from './stores/types.js';

export * from './service.js';
export * from './types.js';
export type { RagDatabase, KnowledgeBaseRecord, DocumentRecord } from './stores/types.js';
export { chunkDocument, validateChunking, approximateTokenCount } from './chunker.js';
export { reciprocalRankFusion, DEFAULT_RRF_K } from './fusion.js';
export { parseModelSpec, normalizeModelSpec, listOnnxModelNames, defaultModelSpec, createEmbedder } from './embedders/resolve.js';
export type { Embedder } from './embedders/types.js';
export type { EmbeddingGateway } from './embedders/gateway.js';

/** The RAG view of an open Skynette database. */
export function ragDatabase(database: Database): RagDatabase {
  return { db: database.db, dialect: database.dialect, sqlite: database.sqlite?.sqlite ?? null, location: database.location };
}

export interface OpenKnowledgeBasesOptions extends OpenDatabaseOptions, Omit<KnowledgeBaseServiceOptions, 'database'> {}

/** Opens the database and the service over it; call close() when done. */
export async function openKnowledgeBases(options: OpenKnowledgeBasesOptions = {}): Promise<{ service: KnowledgeBaseService; database: Database; close(): Promise<void> }> {
  const database = await openDatabase(options);
  const service = new KnowledgeBaseService({ ...options, database: ragDatabase(database) });
  return { service, database, close: () => database.close() };
}

let shared: { service: Promise<KnowledgeBaseService>; owned?: Promise<Database> } | undefined;

/** Nodes use one service per process: over the server's database when given, else one opened on first use. */
export function sharedKnowledgeBases(): Promise<KnowledgeBaseService> {
  if (!shared) {
    const owned = openDatabase();
    shared = { owned, service: owned.then((database) => new KnowledgeBaseService({ database: ragDatabase(database) })) };
    shared.service.catch(() => (shared = undefined));
  }
  return shared.service;
}

/** Hands the process's open database (the server's, a test's) to the knowledge-base nodes. */
export function useKnowledgeBaseDatabase(database: Database | RagDatabase, options: Omit<KnowledgeBaseServiceOptions, 'database'> = {}): KnowledgeBaseService {
  const rag = 'translateError' in database ? ragDatabase(database) : database;
  const service = new KnowledgeBaseService({ ...options, database: rag });
  shared = { service: Promise.resolve(service) };
  return service;
}

/** Closes a database the nodes opened for themselves (process shutdown, tests). */
export async function closeSharedKnowledgeBases(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current?.owned) await (await current.owned.catch(() => undefined))?.close();
}
