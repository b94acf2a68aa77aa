import type { Command } from 'commander';
import { describeNode, nodeCatalog, commonSettingsDescription, type FieldDescription } from '../../nodes/catalog.js';
import { closestNodeType, findNode } from '../../nodes/registry.js';
import { color, fail, printJson } from '../output.js';

function fieldLine(f: FieldDescription): string {
  const choices = f.options ? ` (${f.options.map((o) => o.value).join(' | ')})` : '';
  const flags = [f.required ? 'required' : '', f.default !== undefined ? `default ${JSON.stringify(f.default)}` : ''].filter(Boolean).join(', ');
  return `  ${f.name.padEnd(22)} ${color.cyan(f.type + choices)}${flags ? color.gray('  ' + flags) : ''}${f.description ? `\n  ${' '.repeat(22)} ${color.gray(f.description)}` : ''}`;
}

export function registerNodesCommand(program: Command): void {
  const nodes = program.command('nodes').description('the node types you can use in workflows');
  nodes
    .command('list')
    .description('list every node type')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const catalog = nodeCatalog();
      if (options.json) return printJson(catalog);
      const width = Math.max(...catalog.map((n) => n.type.length)) + 2;
      for (const n of catalog) process.stdout.write(`${n.type.padEnd(width)} ${color.gray(n.category.padEnd(10))} ${n.description}\n`);
    });
  nodes
    .command('describe')
    .description('show a node type: its ports and fields')
    .argument('<type>', 'node type id, e.g. http_request')
    .option('--json', 'print as JSON')
    .action((type: string, options: { json?: boolean }) => {
      const node = findNode(type);
      if (!node) {
        const hint = closestNodeType(type);
        fail(`unknown node type "${type}"${hint ? `; did you mean "${hint}"?` : ''} (see \`skynette nodes list\`)`);
      }
      const d = describeNode(node);
      if (options.json) return printJson(d);
      const out = [
        `${color.bold(d.type)} — ${d.name} ${color.gray(`(${d.category})`)}`,
        d.description,
        '',
        `inputs:  ${d.inputs.join(', ') || 'none (starts a workflow)'}`,
        `outputs: ${d.outputs.join(', ')}${d.dynamic_outputs ? ' (plus one port per case)' : ''}`,
        '',
        'fields:',
        ...(d.fields.length ? d.fields.map(fieldLine) : ['  (none)']),
        '',
        color.gray('settings every node accepts:'),
        ...commonSettingsDescription.map(fieldLine),
      ];
      process.stdout.write(out.join('\n') + '\n');
    });
}
