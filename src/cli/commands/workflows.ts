import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { workflowToJson, workflowToYaml } from '../../workflow/serialize.js';
import { color, fail, formatProblem, printJson } from '../output.js';
import { withContext } from '../with-context.js';
import { validateWorkflowFile } from '../workflow-file.js';

export function registerWorkflowsCommand(program: Command): void {
  const workflows = program.command('workflows').description('the workflow library: stored, versioned workflows (mirrored as YAML files in the data folder)');

  workflows
    .command('list')
    .description('list stored workflows')
    .option('--search <text>', 'only workflows whose name holds this text')
    .option('--tag <tag>', 'only workflows with this tag')
    .option('--json', 'print as JSON')
    .action((options: { search?: string; tag?: string; json?: boolean }) =>
      withContext(async (ctx) => {
        const { items } = await ctx.store.workflowStore.list({ search: options.search, tag: options.tag, limit: 1000 });
        if (options.json) return printJson(items);
        if (items.length === 0) return void process.stdout.write('no workflows yet; add one with `skynette workflows import FILE`\n');
        const width = Math.max(...items.map((w) => w.name.length), 4) + 2;
        process.stdout.write(color.gray(`${'NAME'.padEnd(width)}${'ID'.padEnd(24)}VERSION  ACTIVE  UPDATED\n`));
        for (const w of items) {
          process.stdout.write(`${w.name.padEnd(width)}${w.id.padEnd(24)}${String(w.current_version).padEnd(9)}${(w.active ? 'yes' : 'no').padEnd(8)}${w.updated_at}\n`);
        }
      }),
    );

  workflows
    .command('show')
    .description('print a stored workflow (its current version) as YAML')
    .argument('<workflow>', 'id or name')
    .option('--json', 'print as JSON')
    .option('--version <n>', 'an older version')
    .action((ref: string, options: { json?: boolean; version?: string }) =>
      withContext(async (ctx) => {
        let workflow = (await ctx.store.workflowStore.require(ref)).workflow;
        if (options.version !== undefined) {
          const v = await ctx.store.workflowStore.getVersion(ref, Number(options.version));
          if (!v) fail(`workflow "${ref}" has no version ${options.version}; see \`skynette workflows history ${ref}\``);
          workflow = v.workflow;
        }
        process.stdout.write(options.json ? workflowToJson(workflow) : workflowToYaml(workflow));
      }),
    );

  workflows
    .command('import')
    .description('validate workflow files and store them (a changed workflow gets a new version)')
    .argument('<files...>', 'workflow files (.yaml or .json)')
    .action((files: string[]) =>
      withContext(async (ctx) => {
        let failed = 0;
        for (const file of files) {
          const report = validateWorkflowFile(file);
          if (!report.valid || !report.workflow) {
            failed++;
            process.stderr.write(`${color.red('✗')} ${file} is not a valid workflow:\n${report.errors.map((e) => '  ' + formatProblem(e)).join('\n')}\n`);
            continue;
          }
          const existing = (await ctx.store.workflowStore.get(report.workflow.id)) ?? (await ctx.store.workflowStore.get(report.workflow.name));
          if (existing) report.workflow.id = existing.id;
          const saved = await ctx.library.save(report.workflow, 'cli');
          const what = !existing ? 'imported' : saved.changed ? `updated to version ${saved.version}` : 'unchanged';
          process.stdout.write(`${color.green('✓')} ${file}: "${saved.workflow.name}" (${saved.workflow.id}) ${what}\n`);
        }
        if (failed) process.exitCode = 1;
      }),
    );

  workflows
    .command('export')
    .description('write a stored workflow to a file (or print it)')
    .argument('<workflow>', 'id or name')
    .option('-o, --output <file>', 'file to write (.json for JSON, else YAML)')
    .action((ref: string, options: { output?: string }) =>
      withContext(async (ctx) => {
        const { workflow } = await ctx.store.workflowStore.require(ref);
        const text = options.output?.toLowerCase().endsWith('.json') ? workflowToJson(workflow) : workflowToYaml(workflow);
        if (!options.output) return void process.stdout.write(text);
        writeFileSync(options.output, text);
        process.stdout.write(`wrote ${options.output}\n`);
      }),
    );

  workflows
    .command('delete')
    .description('delete a stored workflow, its versions and its file (its executions stay)')
    .argument('<workflow>', 'id or name')
    .action((ref: string) =>
      withContext(async (ctx) => {
        const deleted = await ctx.library.delete(ref);
        if (!deleted) fail(`no workflow "${ref}"; see \`skynette workflows list\``);
        process.stdout.write(`deleted "${deleted.name}" (${deleted.id})\n`);
      }),
    );

  workflows
    .command('history')
    .description('list the versions of a stored workflow')
    .argument('<workflow>', 'id or name')
    .option('--json', 'print as JSON')
    .action((ref: string, options: { json?: boolean }) =>
      withContext(async (ctx) => {
        const versions = await ctx.store.workflowStore.history(ref);
        if (options.json) return printJson(versions);
        process.stdout.write(color.gray('VERSION  SOURCE  SAVED                     CHECKSUM\n'));
        for (const v of versions) process.stdout.write(`${String(v.version).padEnd(9)}${v.source.padEnd(8)}${v.created_at.padEnd(26)}${v.checksum.slice(0, 12)}\n`);
      }),
    );
}
