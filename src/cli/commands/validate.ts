import type { Command } from 'commander';
import { color, formatProblem, printJson } from '../output.js';
import { validateWorkflowFile } from '../workflow-file.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check a workflow file and report every problem with its path')
    .argument('<file>', 'workflow file (.yaml or .json)')
    .option('--json', 'print the report as JSON')
    .action((file: string, options: { json?: boolean }) => {
      const report = validateWorkflowFile(file);
      if (options.json) {
        printJson({ file, valid: report.valid, errors: report.errors, warnings: report.warnings });
      } else {
        for (const w of report.warnings) process.stdout.write(`${color.yellow('warning')} ${formatProblem(w)}\n`);
        for (const e of report.errors) process.stdout.write(`${color.red('error')}   ${formatProblem(e)}\n`);
        if (report.valid) {
          const wf = report.workflow!;
          process.stdout.write(`${color.green('✓')} ${file} is valid: "${wf.name}", ${wf.nodes.length} nodes, ${wf.connections.length} connections\n`);
        } else {
          process.stdout.write(`${color.red('✗')} ${file}: ${report.errors.length} problem${report.errors.length === 1 ? '' : 's'}\n`);
        }
      }
      process.exitCode = report.valid ? 0 : 1;
    });
}
