/**
 * Turns a validated workflow into what the runner needs on every run: node definitions, the order
 * of each level (top level and each loop body), and config that holds no expression, checked once.
 * Compiled forms are cached per workflow object, so running a workflow again costs no set-up.
 */
import { SkynetteError } from '../util/errors.js';
import type { Workflow, WorkflowNode } from '../workflow/model.js';
import { buildGraph, type Edge, type WorkflowGraph } from '../workflow/graph.js';
import { findNode } from '../nodes/registry.js';
import type { RegisteredNode } from '../nodes/sdk.js';
import type { FieldMap } from '../nodes/fields.js';
import { applyConfigFields } from '../nodes/config-check.js';
import { commonSettingFields } from '../nodes/common-settings.js';
import { hasExpression } from '../expressions/index.js';
import { isLoopType, validateWorkflow } from './validate.js';

export interface CompiledNode {
  node: WorkflowNode;
  index: number;
  definition: RegisteredNode;
  fields: FieldMap;
  /** Incoming edges that gate this node (loop-back edges excluded), in declaration order. */
  gatingEdges: Edge[];
  outgoing: Edge[];
  /** Config fields whose value holds `{{ }}` and must be resolved per run. */
  expressionFields: string[];
  /** The checked config when no field holds an expression. */
  staticConfig?: Record<string, unknown>;
  configPath: string;
}

export interface CompiledWorkflow {
  workflow: Workflow;
  graph: WorkflowGraph;
  nodes: Map<string, CompiledNode>;
  /** '' for the top level, else a loop node id: the nodes that level runs, in order. */
  levels: Map<string, string[]>;
  /** Loop node id -> its loop-back edges, and the body nodes with no outgoing edge (its ends). */
  loops: Map<string, { backEdges: Edge[]; ends: string[] }>;
}

const cache = new WeakMap<Workflow, CompiledWorkflow>();

function holdsExpression(value: unknown): boolean {
  if (typeof value === 'string') return hasExpression(value);
  if (Array.isArray(value)) return value.some(holdsExpression);
  if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
  return false;
}

export function compileWorkflow(workflow: Workflow): CompiledWorkflow {
  const cached = cache.get(workflow);
  if (cached) return cached;

  const { errors } = validateWorkflow(workflow);
  if (errors.length) {
    const list = errors.map((e) => `${e.path}: ${e.message}`);
    throw new SkynetteError('INVALID_WORKFLOW', `workflow "${workflow.name}" is not valid:\n  ${list.join('\n  ')}`, { details: errors });
  }
  const graph = buildGraph(workflow, isLoopType);

  const nodes = new Map<string, CompiledNode>();
  workflow.nodes.forEach((node, index) => {
    const definition = findNode(node.type)!;
    const fields = { ...commonSettingFields, ...definition.fields };
    const expressionFields = Object.keys(fields).filter((f) => !fields[f].raw && holdsExpression(node.config[f]));
    const configPath = `nodes[${index}].config`;
    const compiled: CompiledNode = {
      node,
      index,
      definition,
      fields,
      gatingEdges: graph.incoming.get(node.id)!.filter((e) => !graph.loopBackEdges.has(e.id)),
      outgoing: graph.outgoing.get(node.id)!,
      expressionFields,
      configPath,
    };
    // Disabled nodes never read their config, so a config they cannot use yet does not block the run.
    if (expressionFields.length === 0 && node.enabled) compiled.staticConfig = applyConfigFields(fields, node.config, configPath);
    nodes.set(node.id, compiled);
  });

  const levels = new Map<string, string[]>([['', []]]);
  for (const loopId of graph.loopBodies.keys()) levels.set(loopId, []);
  for (const id of graph.order) levels.get(graph.owner.get(id) ?? '')!.push(id);

  const loops = new Map<string, { backEdges: Edge[]; ends: string[] }>();
  for (const loopId of graph.loopBodies.keys()) {
    const backEdges = graph.incoming.get(loopId)!.filter((e) => graph.loopBackEdges.has(e.id));
    // The ends of a body are the nodes of its own level that feed no other node of that level
    // (a nested loop is an end when only its own body hangs off it).
    const level = new Set(levels.get(loopId)!);
    const ends = levels.get(loopId)!.filter((id) => graph.outgoing.get(id)!.every((e) => !level.has(e.to)));
    loops.set(loopId, { backEdges, ends });
  }

  const compiled: CompiledWorkflow = { workflow, graph, nodes, levels, loops };
  cache.set(workflow, compiled);
  return compiled;
}
