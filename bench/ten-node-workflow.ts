/**
 * The 10-node workflow the engine and store benchmarks run: a manual trigger, eight nodes of
 * set_variable / if_else / merge with expressions, and a log node.
 */
import { normalizeWorkflow } from '../src/workflow/parse.js';
import type { Workflow } from '../src/workflow/model.js';

export function tenNodeWorkflow(): Workflow {
  const { workflow } = normalizeWorkflow({
    id: 'bench_ten',
    name: 'Benchmark: ten nodes',
    variables: { threshold: 10 },
    nodes: [
      { id: 'start', type: 'manual_trigger' },
      { id: 'total', type: 'set_variable', config: { variable_name: 'total', value: '{{ $prev.qty * $prev.price }}' } },
      { id: 'big', type: 'if_else', config: { expression: '{{ $vars.total > $vars.threshold }}' } },
      { id: 'tag_big', type: 'set_variable', config: { variable_name: 'tag', value: '{{ upper($trigger.customer) }}-BIG' } },
      { id: 'tag_small', type: 'set_variable', config: { variable_name: 'tag', value: '{{ lower($trigger.customer) }}-small' } },
      { id: 'joined', type: 'merge', config: { mode: 'pick' } },
      { id: 'discount', type: 'set_variable', config: { variable_name: 'discount', value: '{{ round($vars.total * 0.1, digits=2) }}' } },
      { id: 'vip', type: 'if_else', config: { condition_type: 'comparison', left_value: '{{ $trigger.customer }}', operator: 'starts_with', right_value: 'A' } },
      { id: 'summary', type: 'set_variable', config: { variable_name: 'summary', value: '{{ $vars.tag }}: {{ $vars.total - $vars.discount }}' } },
      { id: 'log', type: 'log_debug', config: { message: '{{ $vars.summary }}' } },
    ],
    connections: [
      { source_node_id: 'start', target_node_id: 'total' },
      { source_node_id: 'total', target_node_id: 'big' },
      { source_node_id: 'big', source_port: 'true', target_node_id: 'tag_big' },
      { source_node_id: 'big', source_port: 'false', target_node_id: 'tag_small' },
      { source_node_id: 'tag_big', target_node_id: 'joined' },
      { source_node_id: 'tag_small', target_node_id: 'joined' },
      { source_node_id: 'joined', target_node_id: 'discount' },
      { source_node_id: 'discount', target_node_id: 'vip' },
      { source_node_id: 'vip', source_port: 'true', target_node_id: 'summary' },
      { source_node_id: 'vip', source_port: 'false', target_node_id: 'summary' },
      { source_node_id: 'summary', target_node_id: 'log' },
    ],
  });
  return workflow!;
}

export const benchTrigger = { customer: 'Ada', qty: 3, price: 7.5 };
