/**
 * Renders docs/nodes.md from the registry. `npm run docs:nodes` writes it; a test fails when the
 * committed file differs, so the reference always matches the code.
 */
import { commonSettingsDescription, nodeCatalog, type FieldDescription } from './catalog.js';

function fieldRow(f: FieldDescription): string {
  const type = f.type === 'select' || f.type === 'multi_select' ? `${f.type}: ${(f.options ?? []).map((o) => o.value).join(' \\| ')}` : f.type;
  const limits = [f.min !== undefined ? `min ${f.min}` : '', f.max !== undefined ? `max ${f.max}` : ''].filter(Boolean).join(', ');
  const def = f.default === undefined ? '' : `\`${JSON.stringify(f.default)}\``;
  const description = [f.description ?? '', limits, f.raw ? 'kept as written (no `{{ }}` resolution)' : ''].filter(Boolean).join('; ');
  return `| \`${f.name}\` | ${type} | ${f.required ? 'yes' : ''} | ${def} | ${description.replace(/\|/g, '\\|')} |`;
}

function fieldTable(fields: FieldDescription[]): string[] {
  if (fields.length === 0) return ['No fields.', ''];
  return ['| field | type | required | default | notes |', '|---|---|---|---|---|', ...fields.map(fieldRow), ''];
}

export function renderNodeDocs(): string {
  const nodes = nodeCatalog();
  const lines: string[] = [
    '# Node reference',
    '',
    'Generated from the node registry by `npm run docs:nodes`; do not edit by hand.',
    'Every field accepts `{{ }}` expressions unless it says otherwise (see docs/expressions.md).',
    '',
    '## Settings every node accepts',
    '',
    'These sit in a node\'s `config` next to its own fields.',
    '',
    ...fieldTable(commonSettingsDescription),
  ];
  const categories = [...new Set(nodes.map((n) => n.category))];
  for (const category of categories) {
    lines.push(`## ${category[0].toUpperCase()}${category.slice(1)}`, '');
    for (const n of nodes.filter((x) => x.category === category)) {
      lines.push(`### \`${n.type}\` — ${n.name}`, '', n.description, '');
      const ports = [
        n.inputs.length ? `inputs: ${n.inputs.map((p) => `\`${p}\``).join(', ')}` : 'no inputs (starts a workflow)',
        `outputs: ${n.outputs.map((p) => `\`${p}\``).join(', ')}${n.dynamic_outputs ? ' plus one per case' : ''}`,
      ];
      lines.push(`Ports: ${ports.join('; ')}.`, '');
      if (n.aliases.length) lines.push(`Also loads as: ${n.aliases.map((a) => `\`${a}\``).join(', ')}.`, '');
      lines.push(...fieldTable(n.fields));
    }
  }
  return lines.join('\n');
}
