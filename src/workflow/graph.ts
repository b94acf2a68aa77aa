/**
 * The shape of a workflow as the engine walks it: edges by node, loop bodies, which loop owns each
 * node, and one topological order. A cycle is allowed only as a loop body connecting back into its
 * loop node; any other cycle is a problem.
 */
import type { Problem } from '../util/errors.js';
import type { Connection, Workflow, WorkflowNode } from './model.js';

export interface Edge {
  id: string;
  /** Position in the workflow's connection list; inputs are ordered by it. */
  index: number;
  from: string;
  fromPort: string;
  to: string;
  toPort: string;
}

export interface WorkflowGraph {
  nodes: Map<string, WorkflowNode>;
  incoming: Map<string, Edge[]>;
  outgoing: Map<string, Edge[]>;
  /** Loop node id -> the nodes reachable from its `item` port (its body), the loop itself excluded. */
  loopBodies: Map<string, Set<string>>;
  /** Edges from a loop's body back into that loop node: they carry each iteration's result. */
  loopBackEdges: Set<string>;
  /** Node id -> the innermost loop whose body holds it, or null for the top level. */
  owner: Map<string, string | null>;
  /** Every node, each after all it depends on (loop-back edges aside). */
  order: string[];
  problems: Problem[];
}

export const LOOP_BODY_PORT = 'item';

export function buildGraph(workflow: Workflow, isLoop: (type: string) => boolean): WorkflowGraph {
  const problems: Problem[] = [];
  const nodes = new Map<string, WorkflowNode>();
  for (const node of workflow.nodes) if (!nodes.has(node.id)) nodes.set(node.id, node);

  const incoming = new Map<string, Edge[]>();
  const outgoing = new Map<string, Edge[]>();
  for (const id of nodes.keys()) {
    incoming.set(id, []);
    outgoing.set(id, []);
  }
  workflow.connections.forEach((c: Connection, index) => {
    if (!nodes.has(c.source_node_id) || !nodes.has(c.target_node_id)) return; // reported by validation
    const edge: Edge = { id: c.id, index, from: c.source_node_id, fromPort: c.source_port, to: c.target_node_id, toPort: c.target_port };
    outgoing.get(edge.from)!.push(edge);
    incoming.get(edge.to)!.push(edge);
  });

  const loopBodies = new Map<string, Set<string>>();
  const loopBackEdges = new Set<string>();
  for (const node of nodes.values()) {
    if (!isLoop(node.type)) continue;
    const body = new Set<string>();
    const queue = outgoing.get(node.id)!.filter((e) => e.fromPort === LOOP_BODY_PORT).map((e) => e.to);
    while (queue.length) {
      const id = queue.pop()!;
      if (id === node.id || body.has(id)) continue;
      body.add(id);
      for (const e of outgoing.get(id)!) queue.push(e.to);
    }
    loopBodies.set(node.id, body);
    for (const id of body) for (const e of outgoing.get(id)!) if (e.to === node.id) loopBackEdges.add(e.id);
  }

  // The innermost owner is the loop with the smallest body holding the node (nested bodies are subsets).
  const owner = new Map<string, string | null>();
  for (const id of nodes.keys()) {
    let best: string | null = null;
    let bestSize = Infinity;
    for (const [loopId, body] of loopBodies) {
      if (body.has(id) && body.size < bestSize) {
        best = loopId;
        bestSize = body.size;
      }
    }
    owner.set(id, best);
  }

  // Dependencies for ordering: real edges minus loop-back ones, plus "a loop runs after whatever
  // feeds its body from outside", so body nodes find those outputs ready.
  const dependsOn = new Map<string, Set<string>>();
  for (const id of nodes.keys()) dependsOn.set(id, new Set());
  for (const edges of incoming.values()) {
    for (const e of edges) {
      if (loopBackEdges.has(e.id)) continue;
      dependsOn.get(e.to)!.add(e.from);
      for (const [loopId, body] of loopBodies) {
        if (body.has(e.to) && !body.has(e.from) && e.from !== loopId) {
          if (loopId === e.from) continue;
          dependsOn.get(loopId)!.add(e.from);
          if (isDoneEdgeOf(e, loopId)) {
            problems.push({
              path: `connections[${e.index}]`,
              message: `node "${e.to}" is inside the body of loop "${loopId}" and also receives its "${e.fromPort}" output; connect the body back into the loop node instead`,
            });
          }
        }
      }
    }
  }

  const order = topologicalOrder(nodes, dependsOn, problems);
  return { nodes, incoming, outgoing, loopBodies, loopBackEdges, owner, order, problems };
}

function isDoneEdgeOf(edge: Edge, loopId: string): boolean {
  return edge.from === loopId;
}

function topologicalOrder(nodes: Map<string, WorkflowNode>, dependsOn: Map<string, Set<string>>, problems: Problem[]): string[] {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const id of nodes.keys()) dependents.set(id, []);
  for (const [id, deps] of dependsOn) {
    remaining.set(id, deps.size);
    for (const d of deps) dependents.get(d)!.push(id);
  }
  // Declaration order breaks ties, so runs are deterministic and read like the file.
  const ready = [...nodes.keys()].filter((id) => remaining.get(id) === 0);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of dependents.get(id)!) {
      const left = remaining.get(next)! - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length < nodes.size) {
    const stuck = [...nodes.keys()].filter((id) => !order.includes(id));
    const cycle = findCycle(stuck, dependsOn);
    problems.push({
      path: 'connections',
      message: `the nodes ${cycle.map((c) => `"${c}"`).join(' -> ')} form a cycle that does not pass through a loop node; use a loop node (connect its "item" port to the repeated nodes and the last one back into the loop)`,
    });
    order.push(...stuck);
  }
  return order;
}

function findCycle(stuck: string[], dependsOn: Map<string, Set<string>>): string[] {
  const inStuck = new Set(stuck);
  const start = stuck[0];
  const path: string[] = [];
  const seen = new Map<string, number>();
  let current: string | undefined = start;
  while (current !== undefined && !seen.has(current)) {
    seen.set(current, path.length);
    path.push(current);
    current = [...dependsOn.get(current)!].find((d) => inStuck.has(d));
  }
  if (current === undefined) return stuck;
  return [...path.slice(seen.get(current)!), current].reverse();
}
