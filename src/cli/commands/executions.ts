import type { Command } from 'commander';
import type { ExecutionStatus } from '../../engine/execution.js';
import { resumeExecution, retryExecution } from '../../executions/run-stored.js';
import { pruneExecutions } from '../../executions/prune.js';
import { color, fail, formatDuration, printJson } from '../output.js';
import { finishRun, formatNodeLine, printExecutionEnd, printingHooks } from '../print-execution.js';
import { runWithCtrlC } from '../cancel.js';
import { withContext } from '../with-context.js';

const statuses: ExecutionStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

export function registerExecutionsCommand(program: Command): void {
  const executions = program.command('executions').description('saved runs of stored workflows: list, inspect, resume, retry, prune');

  executions
    .command('list')
    .description('list executions, newest first')
    .option('--workflow <workflow>', 'only this workflow (id or name)')
    .option('--status <status>', `only this status (${statuses.join(', ')})`)
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print as JSON')
    .action((options: { workflow?: string; status?: string; limit: string; json?: boolean }) =>
      withContext(async (ctx) => {
        if (options.status && !statuses.includes(options.status as ExecutionStatus)) fail(`--status: unknown status "${options.status}"; use one of ${statuses.join(', ')}`);
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) fail(`-n: expected a whole number above 0, got "${options.limit}"`);
        const page = await ctx.store.executionStore.list({ workflow: options.workflow, status: options.status as ExecutionStatus | undefined, limit });
        if (options.json) return printJson(page.items);
        if (page.items.length === 0) return void process.stdout.write('no executions\n');
        process.stdout.write(color.gray(`${'ID'.padEnd(38)}${'STATUS'.padEnd(11)}${'WORKFLOW'.padEnd(28)}${'MODE'.padEnd(9)}${'STARTED'.padEnd(26)}DURATION\n`));
        for (const e of page.items) {
          process.stdout.write(`${e.id.padEnd(38)}${e.status.padEnd(11)}${`${e.workflow_name} v${e.workflow_version}`.slice(0, 26).padEnd(28)}${e.mode.padEnd(9)}${e.started_at.padEnd(26)}${formatDuration(e.duration_ms)}\n`);
        }
      }),
    );

  executions
    .command('show')
    .description('show an execution with every node result')
    .argument('<id>', 'execution id')
    .option('--json', 'print the whole record as JSON')
    .action((id: string, options: { json?: boolean }) =>
      withContext(async (ctx) => {
        const record = await ctx.store.executionStore.require(id);
        if (options.json) return printJson(record);
        process.stdout.write(`${color.bold(record.workflow_name)} v${record.workflow_version}  ${color.gray(`${record.mode}, started ${record.started_at}`)}\n`);
        for (const r of record.node_results) process.stdout.write(formatNodeLine(r) + '\n');
        if (record.status === 'running' || record.status === 'queued') {
          process.stdout.write(`${color.yellow(record.status)} ${color.gray(`(interrupted? resume with \`skynette executions resume ${record.id}\`)`)}\n`);
        } else printExecutionEnd(record);
      }),
    );

  executions
    .command('delete')
    .description('delete an execution and its node results')
    .argument('<id>', 'execution id')
    .action((id: string) =>
      withContext(async (ctx) => {
        if (!(await ctx.store.executionStore.delete(id))) fail(`no execution "${id}"; see \`skynette executions list\``);
        process.stdout.write(`deleted execution ${id}\n`);
      }),
    );

  executions
    .command('prune')
    .description('delete old executions by age and count (settings executions.retention_days, executions.max_count)')
    .option('--days <n>', 'keep executions younger than this (default: the setting)')
    .option('--keep <n>', 'keep at most this many (default: the setting)')
    .action((options: { days?: string; keep?: string }) =>
      withContext(async (ctx) => {
        const number = (text: string | undefined, flag: string) => {
          if (text === undefined) return undefined;
          const n = Number(text);
          if (!Number.isInteger(n) || n < 0) fail(`${flag}: expected a whole number, got "${text}"`);
          return n;
        };
        const result = await pruneExecutions(ctx.store, ctx.dataDir, { maxAgeDays: number(options.days, '--days'), maxCount: number(options.keep, '--keep') });
        const size = result.fileSizeBefore !== null ? ` (database ${(result.fileSizeBefore / 1048576).toFixed(1)} MB -> ${((result.fileSizeAfter ?? 0) / 1048576).toFixed(1)} MB)` : '';
        process.stdout.write(`deleted ${result.deleted} execution(s)${size}\n`);
      }),
    );

  executions
    .command('resume')
    .description('continue executions a stopped process left unfinished, without re-running finished nodes')
    .argument('[id]', 'execution id')
    .option('--all', 'every interrupted execution')
    .option('--json', 'print results as JSON')
    .action((id: string | undefined, options: { all?: boolean; json?: boolean }) =>
      withContext(async (ctx) => {
        if (!id && !options.all) fail('give an execution id, or --all for every interrupted execution');
        const ids = id ? [id] : (await ctx.store.executionStore.findInterrupted()).map((r) => r.id);
        if (ids.length === 0) return void process.stdout.write('no interrupted executions\n');
        let worst = 0;
        for (const [i, executionId] of ids.entries()) {
          if (!options.json) process.stdout.write(color.gray(`[${i + 1}/${ids.length}] resuming ${executionId}\n`));
          const record = await runWithCtrlC((signal) => resumeExecution(ctx, executionId, { signal, hooks: printingHooks(options.json) }));
          finishRun(record, options.json);
          worst = Math.max(worst, Number(process.exitCode ?? 0));
        }
        process.exitCode = worst;
      }),
    );

  executions
    .command('retry')
    .description('run a finished execution again as a new one, reusing the stored outputs before a node')
    .argument('<id>', 'execution id')
    .option('--from <node>', 'rerun from this node (default: the node that failed)')
    .option('--latest', 'use the newest version of the workflow, not the one the execution ran')
    .option('--json', 'print the result as JSON')
    .action((id: string, options: { from?: string; latest?: boolean; json?: boolean }) =>
      withContext(async (ctx) => {
        const record = await runWithCtrlC((signal) =>
          retryExecution(ctx, id, { fromNode: options.from, latest: options.latest, signal, hooks: printingHooks(options.json) }),
        );
        finishRun(record, options.json);
      }),
    );
}
