/**
 * While the server runs, workflow files changed on disk (an editor, `git pull`) are picked up
 * within a moment: changes are gathered for a short quiet period, then synced once.
 */
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { WorkflowLibrary } from './library.js';
import type { SyncReport } from './sync.js';

export interface WorkflowWatcher {
  close(): void;
}

export function watchWorkflowFiles(
  library: WorkflowLibrary,
  onSync: (report: SyncReport) => void,
  onError: (error: unknown) => void,
  quietMs = 250,
): WorkflowWatcher {
  mkdirSync(library.dir, { recursive: true, mode: 0o700 });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const sync = () => {
    if (running) {
      again = true;
      return;
    }
    running = library
      .sync()
      .then(onSync, onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          sync();
        }
      });
  };
  const watcher: FSWatcher = watch(library.dir, () => {
    clearTimeout(timer);
    timer = setTimeout(sync, quietMs);
  });
  watcher.on('error', onError);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
