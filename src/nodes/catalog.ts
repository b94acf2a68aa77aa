/**
 * The node catalog as data: what `skynette nodes describe`, docs/nodes.md, the REST API and the
 * editor's forms show. Built from the declarations, so it cannot drift from them.
 */
import type { FieldSpec } from './fields.js';
import type { RegisteredNode } from './sdk.js';
import { allNodes } from './registry.js';
import { commonSettingFields } from './common-settings.js';

export interface FieldDescription extends FieldSpec {
  name: string;
}

export interface NodeDescription {
  type: string;
  name: string;
  description: string;
  category: string;
  kind: 'trigger' | 'loop' | 'action';
  inputs: string[];
  outputs: string[];
  dynamic_outputs: boolean;
  aliases: string[];
  credential_types: string[];
  fields: FieldDescription[];
}

function listFields(fields: Record<string, FieldSpec>): FieldDescription[] {
  return Object.entries(fields).map(([name, spec]) => ({ name, ...spec }));
}

export function describeNode(node: RegisteredNode): NodeDescription {
  return {
    type: node.type,
    name: node.name,
    description: node.description,
    category: node.category,
    kind: node.kind ?? 'action',
    inputs: node.inputs,
    outputs: node.outputs,
    dynamic_outputs: Boolean(node.outputsFor),
    aliases: node.aliases ?? [],
    credential_types: node.credential_types ?? [],
    fields: listFields(node.fields),
  };
}

export function nodeCatalog(): NodeDescription[] {
  return allNodes.map(describeNode);
}

export const commonSettingsDescription: FieldDescription[] = listFields(commonSettingFields);
