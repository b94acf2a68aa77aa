/** The code node run by the engine: its raw code field, the expression scope it reads, its logs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkflow } from '../../../src/engine/runner.js';
import { resultsByNode } from '../../../src/engine/execution.js';
import { workflow } from '../../helpers/workflow.js';

const trigger = { id: 'start', type: 'manual_trigger' };

test('the engine runs code with $prev, $nodes and $trigger, and keeps {{ }} in the code as written', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'first', type: 'code', config: { code: 'return { n: $prev.n * 2 }' } },
      {
        id: 'second',
        type: 'code',
        config: { code: 'console.log("seen", $nodes.first);\nreturn { text: "{{ not an expression }}", n: $prev.n + 1, from: $trigger.n }' },
      },
    ],
    ['start -> first', 'first -> second'],
  );
  const run = await runWorkflow(wf, { trigger: { n: 5 } });
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.deepEqual(resultsByNode(run).second, { text: '{{ not an expression }}', n: 11, from: 5 });
  const logs = run.node_results.find((r) => r.node_id === 'second')?.logs ?? [];
  assert.equal(logs.length, 1);
  assert.equal(logs[0].message, 'seen {"n":10}');
});

test('inside a loop the code reads $item and $index', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'each', type: 'loop', config: { items: '{{ $prev.names }}' } },
      { id: 'shout', type: 'code', config: { code: 'return $index + ":" + $item.toUpperCase()' } },
    ],
    ['start -> each', 'each:item -> shout'],
  );
  const run = await runWorkflow(wf, { trigger: { names: ['ada', 'grace'] } });
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.deepEqual(resultsByNode(run).each, ['0:ADA', '1:GRACE']);
});

test('a failing code node fails the run with the sandbox error', async () => {
  const wf = workflow(
    [trigger, { id: 'bad', type: 'code', config: { code: 'while (true) {}', time_limit_ms: 100 } }],
    ['start -> bad'],
  );
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'failed');
  assert.match(JSON.stringify(run.error), /code ran longer than 100 ms/);
});
