import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { runWorkflow } from '../../engine/runner.js';
import { formatProblem, fail } from '../output.js';
import { parseInputData } from '../input-data.js';
import { validateWorkflowFile } from '../workflow-file.js';
import { executionSummary, finishRun, printingHooks } from '../print-execution.js';
import { runWithCtrlC } from '../cancel.js';
import { openContext, type SkynetteContext } from '../../executions/context.js';

interface RunOptions {
  data?: string;
  json?: boolean;
  output?: string;
  verbose?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a workflow file once and show what each node did')
    .argument('<file>', 'workflow file (.yaml or .json)')
    .option('-d, --data <json>', 'trigger data as JSON, or @file.json')
    .option('--json', 'print the result as JSON')
    .option('-o, --output <file>', 'also write the JSON result to a file')
    .option('--verbose', 'also show debug log lines of nodes')
    .action(async (file: string, options: RunOptions) => {
      const report = validateWorkflowFile(file);
      if (!report.valid || !report.workflow) {
        fail(`${file} is not a valid workflow:\n${report.errors.map((e) => '  ' + formatProblem(e)).join('\n')}`);
      }
      const trigger = parseInputData(options.data);
      // The data folder (and its credential vault) is opened only if a node asks for a credential.
      let context: Promise<SkynetteContext> | undefined;
      const getCredential = async (reference: string) => {
        context ??= openContext();
        return (await context).vault.resolveCredential(reference);
      };
      const record = await runWithCtrlC((signal) =>
        runWorkflow(report.workflow!, {
          mode: 'cli',
          trigger,
          signal,
          getCredential,
          hooks: printingHooks(options.json, options.verbose),
        }),
      );
      if (context) await (await context).close();
      if (options.output) writeFileSync(options.output, JSON.stringify(executionSummary(record), null, 2) + '\n');
      finishRun(record, options.json);
    });
}
