/**
 * What running stored workflows needs: the store, the workflow library and the credential vault of
 * one data directory, opened together and closed together.
 */
import { resolveDataDir } from '../config/data-dir.js';
import { openStore, type Store } from '../store/index.js';
import { WorkflowLibrary } from '../library/library.js';
import { CredentialVault } from '../secrets/index.js';

export interface SkynetteContext {
  dataDir: string;
  store: Store;
  library: WorkflowLibrary;
  vault: CredentialVault;
  close(): Promise<void>;
}

export async function openContext(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SkynetteContext> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir ?? resolveDataDir(env);
  const store = await openStore({ dataDir, env });
  const library = new WorkflowLibrary(store.workflowStore, dataDir);
  const vault = new CredentialVault({ db: store.database.db, dataDir, env });
  return { dataDir, store, library, vault, close: () => store.close() };
}
