import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkflow } from '../../src/engine/runner.js';
import { resultsByNode, statusByNode } from '../../src/engine/execution.js';
import { workflow } from '../helpers/workflow.js';

const trigger = { id: 'start', type: 'manual_trigger' };

test('loop runs its item sub-graph once per element with $item and $index, then emits results on done', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'each', type: 'loop', config: { items: '{{ $prev.names }}' } },
      { id: 'greet', type: 'set_variable', config: { variable_name: 'last', value: '{{ $index }}:{{ upper($item) }}' } },
      { id: 'after', type: 'log_debug', config: { message: 'done' } },
    ],
    ['start -> each', 'each:item -> greet', 'each:done -> after'],
  );
  const run = await runWorkflow(wf, { trigger: { names: ['ada', 'grace', 'linus'] } });
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const done = resultsByNode(run).each as Array<{ value: string }>;
  assert.deepEqual(done.map((d) => d.value), ['0:ADA', '1:GRACE', '2:LINUS']);
  assert.equal(run.variables.last, '2:LINUS');
  const keys = run.node_results.map((r) => r.key);
  assert.deepEqual(keys, ['start', 'each', 'each[0]/greet', 'each[1]/greet', 'each[2]/greet', 'after']);
  assert.deepEqual(resultsByNode(run).after, done);
});

test('a loop body may connect back into the loop node; the node that does gives each iteration result', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'each', type: 'loop', config: { items: '{{ range(1, 4) }}' } },
      { id: 'square', type: 'set_variable', config: { variable_name: 'sq', value: '{{ $item * $item }}' } },
      { id: 'keep', type: 'set_variable', config: { variable_name: 'total', value: '{{ default($vars.total, 0) + $prev.value }}' } },
    ],
    ['start -> each', 'each:item -> square', 'square -> keep', 'keep -> each'],
  );
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.deepEqual((resultsByNode(run).each as Array<{ value: number }>).map((r) => r.value), [1, 5, 14]);
  assert.equal(run.variables.total, 14);
});

test('branches inside a loop body are decided per item', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'each', type: 'loop', config: { items: '{{ $prev.n }}' } },
      { id: 'even', type: 'if_else', config: { expression: '{{ $item % 2 == 0 }}' } },
      { id: 'yes', type: 'set_variable', config: { variable_name: 'r', value: '{{ $item }} even' } },
      { id: 'no', type: 'set_variable', config: { variable_name: 'r', value: '{{ $item }} odd' } },
      { id: 'join', type: 'merge', config: { mode: 'pick' } },
    ],
    ['start -> each', 'each:item -> even', 'even:true -> yes', 'even:false -> no', 'yes -> join', 'no -> join'],
  );
  const run = await runWorkflow(wf, { trigger: { n: [1, 2, 3] } });
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.deepEqual((resultsByNode(run).each as Array<{ value: string }>).map((r) => r.value), ['1 odd', '2 even', '3 odd']);
  const second = run.node_results.filter((r) => r.key.startsWith('each[1]/')).map((r) => `${r.node_id}:${r.status}`);
  assert.deepEqual(second, ['even:completed', 'yes:completed', 'no:skipped', 'join:completed']);
});

test('nested loops see their own $item; inner results nest in the outer done list', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'rows', type: 'loop', config: { items: '{{ [[1, 2], [3]] }}' } },
      { id: 'cells', type: 'loop', config: { items: '{{ $item }}' } },
      { id: 'double', type: 'set_variable', config: { variable_name: 'd', value: '{{ $item * 2 }}' } },
    ],
    ['start -> rows', 'rows:item -> cells', 'cells:item -> double'],
  );
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  const rows = resultsByNode(run).rows as Array<Array<{ value: number }>>;
  assert.deepEqual(rows.map((r) => r.map((c) => c.value)), [[2, 4], [6]]);
  assert.ok(run.node_results.some((r) => r.key === 'rows[0]/cells[1]/double'));
});

test('loop over an empty list emits an empty list; a non-list is a clear error', async () => {
  const wf = workflow(
    [trigger, { id: 'each', type: 'loop', config: { items: '{{ $prev.list }}' } }, { id: 'body', type: 'log_debug' }],
    ['start -> each', 'each:item -> body'],
  );
  const empty = await runWorkflow(wf, { trigger: { list: [] } });
  assert.deepEqual(resultsByNode(empty).each, []);
  const bad = await runWorkflow(wf, { trigger: { list: 'nope' } });
  assert.equal(bad.status, 'failed');
  assert.match(bad.error!.message, /config\.items: expected a list/);
  assert.equal(statusByNode(bad).each, 'failed');
});

test('a cycle that does not pass through a loop node is refused before running', async () => {
  const wf = workflow(
    [trigger, { id: 'a', type: 'log_debug' }, { id: 'b', type: 'log_debug' }],
    ['start -> a', 'a -> b', 'b -> a'],
  );
  await assert.rejects(runWorkflow(wf), /form a cycle that does not pass through a loop node/);
});
