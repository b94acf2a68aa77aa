/**
 * Which nodes a retry from a node must run again: the node, everything downstream of it, and, when
 * it sits inside a loop body, the loop itself (a body only runs through its loop) and what follows it.
 */
import type { Workflow } from '../workflow/model.js';
import { buildGraph } from '../workflow/graph.js';
import { isLoopType } from '../engine/validate.js';

export function nodesToRerun(workflow: Workflow, fromNodeId: string): Set<string> {
  const graph = buildGraph(workflow, isLoopType);
  const rerun = new Set<string>();
  const queue = [fromNodeId];
  for (let loop = graph.owner.get(fromNodeId); loop; loop = graph.owner.get(loop)) queue.push(loop);
  while (queue.length) {
    const id = queue.pop()!;
    if (rerun.has(id)) continue;
    rerun.add(id);
    for (const edge of graph.outgoing.get(id) ?? []) if (!graph.loopBackEdges.has(edge.id)) queue.push(edge.to);
    // A rerun loop runs its whole body again.
    for (const bodyNode of graph.loopBodies.get(id) ?? []) queue.push(bodyNode);
  }
  return rerun;
}
