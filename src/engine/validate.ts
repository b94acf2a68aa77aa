/**
 * Everything `skynette validate` checks, reported all at once: node types, ids, connections and
 * ports, cycles, node config fields and expression syntax.
 */
import type { Problem } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { buildGraph } from '../workflow/graph.js';
import { parseWorkflowText } from '../workflow/parse.js';
import { closestNodeType, findNode } from '../nodes/registry.js';
import type { RegisteredNode } from '../nodes/sdk.js';
import { checkConfigStatic } from '../nodes/config-check.js';
import { commonSettingFields } from '../nodes/common-settings.js';
import { checkTemplateSyntax } from '../expressions/index.js';

export interface ValidationReport {
  valid: boolean;
  workflow?: Workflow;
  errors: Problem[];
  warnings: Problem[];
}

export function outputPorts(definition: RegisteredNode, config: Record<string, unknown>): string[] {
  return definition.outputsFor ? definition.outputsFor(config) : definition.outputs;
}

export function isLoopType(type: string): boolean {
  return findNode(type)?.kind === 'loop';
}

export function validateWorkflow(workflow: Workflow): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];

  const seen = new Map<string, number>();
  workflow.nodes.forEach((node, i) => {
    const path = `nodes[${i}]`;
    const first = seen.get(node.id);
    if (first !== undefined) errors.push({ path: `${path}.id`, message: `duplicate node id "${node.id}" (also used by nodes[${first}])` });
    else seen.set(node.id, i);

    const definition = findNode(node.type);
    if (!definition) {
      const hint = closestNodeType(node.type);
      errors.push({
        path: `${path}.type`,
        message: `unknown node type "${node.type}"${hint ? `; did you mean "${hint}"?` : ''} (see \`skynette nodes list\`)`,
      });
      return;
    }
    errors.push(...checkConfigStatic(definition.fields, node.config, `${path}.config`));
    errors.push(...checkConfigStatic(commonSettingFields, node.config, `${path}.config`));
    for (const key of Object.keys(node.config)) {
      if (!(key in definition.fields) && !(key in commonSettingFields)) {
        warnings.push({ path: `${path}.config.${key}`, message: `"${key}" is not a field of ${node.type}; it is ignored`, severity: 'warning' });
      }
    }
    collectExpressionProblems(node.config, `${path}.config`, errors, definition.fields);
  });

  const byId = new Map<string, (typeof workflow.nodes)[number]>();
  for (const n of workflow.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  workflow.connections.forEach((c, i) => {
    const path = `connections[${i}]`;
    const source = byId.get(c.source_node_id);
    const target = byId.get(c.target_node_id);
    if (!source) errors.push({ path: `${path}.source_node_id`, message: `no node has the id "${c.source_node_id}"` });
    if (!target) errors.push({ path: `${path}.target_node_id`, message: `no node has the id "${c.target_node_id}"` });
    const sourceDef = source && findNode(source.type);
    const targetDef = target && findNode(target.type);
    const sourcePorts = sourceDef ? outputPorts(sourceDef, source!.config) : [];
    if (sourceDef && !sourcePorts.includes(c.source_port)) {
      errors.push({
        path: `${path}.source_port`,
        message: `node "${c.source_node_id}" (${source!.type}) has no output port "${c.source_port}"; its outputs are ${sourcePorts.join(', ')}`,
      });
    }
    if (targetDef && !targetDef.inputs.includes(c.target_port)) {
      errors.push({
        path: `${path}.target_port`,
        message: targetDef.inputs.length
          ? `node "${c.target_node_id}" (${target!.type}) has no input port "${c.target_port}"; its inputs are ${targetDef.inputs.join(', ')}`
          : `node "${c.target_node_id}" (${target!.type}) is a trigger and takes no input`,
      });
    }
  });

  const graph = buildGraph(workflow, isLoopType);
  errors.push(...graph.problems);
  return { errors, warnings };
}

function collectExpressionProblems(value: unknown, path: string, errors: Problem[], fields?: Record<string, { raw?: boolean }>): void {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return;
    for (const p of checkTemplateSyntax(value)) errors.push({ path, column: p.column, message: `expression error at column ${p.column}: ${p.message}` });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectExpressionProblems(v, `${path}[${i}]`, errors));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (fields?.[k]?.raw) continue;
      collectExpressionProblems(v, `${path}.${k}`, errors);
    }
  }
}

/** Parse and validate workflow text in one step (what `skynette validate FILE` runs). */
export function validateWorkflowText(text: string, format: 'yaml' | 'json' | 'auto' = 'auto'): ValidationReport {
  const parsed = parseWorkflowText(text, format);
  if (!parsed.workflow) return { valid: false, errors: parsed.errors, warnings: parsed.warnings };
  const checked = validateWorkflow(parsed.workflow);
  const errors = [...parsed.errors, ...checked.errors];
  return { valid: errors.length === 0, workflow: parsed.workflow, errors, warnings: [...parsed.warnings, ...checked.warnings] };
}
