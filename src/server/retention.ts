/**
 * While the server runs, old executions are pruned by the retention settings: first a minute after
 * start (not in the way of the first requests), then every hour.
 */
import { errorMessage } from '../util/errors.js';
import { pruneExecutions } from '../executions/prune.js';
import type { ServerContext } from './context.js';

const FIRST_RUN_MS = 60_000;
const EVERY_MS = 3_600_000;

export interface RetentionTimer {
  stop(): void;
}

export function startRetention(ctx: ServerContext, firstRunMs = FIRST_RUN_MS, everyMs = EVERY_MS): RetentionTimer {
  let running = false;
  const prune = async () => {
    if (running) return;
    running = true;
    try {
      const result = await pruneExecutions(ctx.data.store, ctx.data.dataDir);
      if (result.deleted > 0) ctx.log.info({ deleted: result.deleted, file_size_after: result.fileSizeAfter }, 'pruned old executions');
    } catch (error) {
      ctx.log.warn({ error: errorMessage(error) }, 'pruning old executions failed; will try again');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(prune, firstRunMs);
  const every = setInterval(prune, everyMs);
  first.unref();
  every.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
