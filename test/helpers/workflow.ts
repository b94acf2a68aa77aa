/**
 * Small builders for workflows in tests: nodes and connections written compactly.
 */
import { normalizeWorkflow } from '../../src/workflow/parse.js';
import type { Workflow } from '../../src/workflow/model.js';

export interface TestNode {
  id: string;
  type: string;
  name?: string;
  config?: Record<string, unknown>;
  enabled?: boolean;
}

/** `edges`: "a -> b", "a:true -> b", "a -> b:input_1". */
export function workflow(nodes: TestNode[], edges: string[], extra: Record<string, unknown> = {}): Workflow {
  const connections = edges.map((e) => {
    const [from, to] = e.split('->').map((s) => s.trim());
    const [source, sourcePort] = from.split(':');
    const [target, targetPort] = to.split(':');
    return { source_node_id: source, source_port: sourcePort ?? 'output', target_node_id: target, target_port: targetPort ?? 'input' };
  });
  const result = normalizeWorkflow({ id: 'wf_test', name: 'Test workflow', nodes, connections, ...extra });
  if (!result.workflow || result.errors.length) throw new Error(`bad test workflow: ${JSON.stringify(result.errors)}`);
  return result.workflow;
}
