/** Shared setup for knowledge-base tests: a temp data dir, the tiny ONNX model, an open service. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/database.js';
import { KnowledgeBaseService, ragDatabase } from '../../src/rag/index.js';
import { writeTinyOnnxModel, type TinyOnnxModel, type TinyOnnxOptions } from '../fixtures/tiny-onnx.js';

export interface RagTestEnv {
  dir: string;
  modelsDir: string;
  docsDir: string;
  model: TinyOnnxModel;
  database: Database;
  service: KnowledgeBaseService;
  close(): Promise<void>;
}

export async function ragTestEnv(modelOptions: Partial<TinyOnnxOptions> = {}): Promise<RagTestEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'skynette-rag-'));
  const modelsDir = join(dir, 'models');
  const docsDir = join(dir, 'docs');
  const model = writeTinyOnnxModel({ modelsDir, ...modelOptions });
  const database = await openDatabase({ dataDir: join(dir, 'data'), env: {} });
  const service = new KnowledgeBaseService({ database: ragDatabase(database), modelsDir });
  return {
    dir,
    modelsDir,
    docsDir,
    model,
    database,
    service,
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
