import type { Command } from 'commander';
import type { ExecutionRecord } from '../../engine/execution.js';
import type { ExecutionHooks } from '../../engine/execution.js';
import { runStoredWorkflow } from '../../executions/run-stored.js';
import { parseInputData } from '../input-data.js';
import { printJson } from '../output.js';
import { executionSummary, formatNodeLine, printExecutionEnd } from '../print-execution.js';
import { runWithCtrlC } from '../cancel.js';
import { withContext } from '../with-context.js';

/** Prints each node as it finishes, unless the output is JSON. */
export function printingHooks(json: boolean | undefined, verbose?: boolean): ExecutionHooks | undefined {
  if (json) return undefined;
  return { onNodeFinish: (_e, result) => void process.stdout.write(formatNodeLine(result, verbose) + '\n') };
}

/** Prints the end of a run and sets the exit code: 0 only for completed. */
export function finishRun(record: ExecutionRecord, json: boolean | undefined): void {
  if (json) printJson(executionSummary(record));
  else printExecutionEnd(record);
  process.exitCode = record.status === 'completed' ? 0 : record.status === 'cancelled' ? 130 : 1;
}

export function registerExecCommand(program: Command): void {
  program
    .command('exec')
    .description('run a stored workflow and save its execution (see `skynette executions`)')
    .argument('<workflow>', 'id or name')
    .option('-d, --data <json>', 'trigger data as JSON, or @file.json')
    .option('--json', 'print the result as JSON')
    .option('--verbose', 'also show debug log lines of nodes')
    .action((ref: string, options: { data?: string; json?: boolean; verbose?: boolean }) =>
      withContext(async (ctx) => {
        const { workflow } = await ctx.store.workflowStore.require(ref);
        const trigger = parseInputData(options.data);
        const record = await runWithCtrlC((signal) =>
          runStoredWorkflow(ctx, workflow, { trigger, mode: 'cli', signal, hooks: printingHooks(options.json, options.verbose) }),
        );
        finishRun(record, options.json);
      }),
    );
}
