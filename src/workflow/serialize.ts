/**
 * A Workflow back to the plain object of its file (unknown keys put back where they were found),
 * and to YAML text in the key order the original Skynette wrote.
 */
import { stringify } from 'yaml';
import type { Workflow } from './model.js';

export function workflowToObject(workflow: Workflow): Record<string, unknown> {
  const { extra, ...known } = workflow;
  const out: Record<string, unknown> = {
    id: known.id,
    name: known.name,
    description: known.description,
    version: known.version,
    nodes: known.nodes.map((n) => {
      const { id, type, name, position, config, enabled, ...rest } = n;
      return { id, type, name, position, config, enabled, ...rest };
    }),
    connections: known.connections,
    variables: known.variables,
    settings: known.settings,
    tags: known.tags,
    created_at: known.created_at,
    updated_at: known.updated_at,
  };
  return extra ? { ...out, ...extra } : out;
}

export function workflowToYaml(workflow: Workflow): string {
  return stringify(workflowToObject(workflow), { lineWidth: 0, aliasDuplicateObjects: false });
}

export function workflowToJson(workflow: Workflow): string {
  return JSON.stringify(workflowToObject(workflow), null, 2) + '\n';
}

/** The file-name form of a workflow name: "Order routing (EU)" -> "order-routing-eu"; "" when nothing is left. */
export function slugifyName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

/** A workflow's file name without extension. */
export function workflowSlug(name: string): string {
  return slugifyName(name) || 'workflow';
}
