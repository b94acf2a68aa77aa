/**
 * Commands that work on stored data open the data directory, pick up workflow files changed since
 * the last command (reporting files that do not validate), do their work, and close it again.
 */
import { openContext, type SkynetteContext } from '../executions/context.js';
import type { SyncReport } from '../library/sync.js';
import { color, formatProblem } from './output.js';

export function reportSync(report: SyncReport): void {
  for (const c of report.created) process.stderr.write(`${color.gray('picked up')} ${c.file} ${color.gray(`as new workflow "${c.name}"`)}\n`);
  for (const u of report.updated) process.stderr.write(`${color.gray('picked up')} ${u.file} ${color.gray(`as version ${u.version} of "${u.name}"`)}\n`);
  for (const bad of report.invalid) {
    process.stderr.write(`${color.yellow('warning')} ${bad.file} is not a valid workflow and was ignored (the stored workflow is unchanged):\n`);
    for (const e of bad.errors.slice(0, 10)) process.stderr.write(`  ${formatProblem(e)}\n`);
  }
}

export async function withContext<T>(work: (ctx: SkynetteContext) => Promise<T>, options: { sync?: boolean } = {}): Promise<T> {
  const ctx = await openContext();
  try {
    if (options.sync !== false) reportSync(await ctx.library.sync());
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}
