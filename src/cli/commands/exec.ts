import type { Command } from 'commander';
import { runStoredWorkflow } from '../../executions/run-stored.js';
import { parseInputData } from '../input-data.js';
import { finishRun, printingHooks } from '../print-execution.js';
import { runWithCtrlC } from '../cancel.js';
import { withContext } from '../with-context.js';

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
