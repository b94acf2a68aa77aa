/**
 * Moves SQLite's WAL checkpoints off the main thread. A checkpoint copies the WAL back into the
 * database file and fsyncs it; done inline (auto-checkpoint) it stalls whichever commit crosses
 * the threshold, and that was most of the cost of a checkpoint write. A worker thread with its own
 * connection runs PASSIVE checkpoints (which never block writers) a few times a second; the main
 * connection's auto-checkpoint stays on at a higher threshold as a backstop.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface Checkpointer {
  stop(): Promise<void>;
}

// Plain CommonJS for the worker: no TypeScript loader or module path needed there.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { timeout: 0 });
} catch {
  process.exit(0);
}
let stopped = false;
let timer;
function tick() {
  if (stopped) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  timer = setTimeout(tick, workerData.intervalMs);
}
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on('message', () => {
  stopped = true;
  clearTimeout(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export function startCheckpointer(file: string, intervalMs = 25): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // execArgv: [] keeps loaders of the parent (tsx in development) out of this plain-JS worker.
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { file, driver, intervalMs } });
  // A failing checkpointer only means checkpoints fall back to the main connection.
  worker.on('error', () => {});
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
