import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkflow } from '../../src/engine/runner.js';
import { resultsByNode } from '../../src/engine/execution.js';
import { workflow } from '../helpers/workflow.js';

const trigger = { id: 'start', type: 'manual_trigger' };

test('expressions see $trigger, $vars, $nodes.<id>, $node["Name"], $prev, $workflow and $execution', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'first', name: 'First Step', type: 'set_variable', config: { variable_name: 'a', value: '{{ $trigger.x * 2 }}' } },
      {
        id: 'probe',
        type: 'set_variable',
        config: {
          variable_name: 'seen',
          value: '{{ {trigger: $trigger.x, var: $vars.a, byId: $nodes.first.value, byName: $node["First Step"].value, prev: $prev.name, wf: $workflow.id, version: $workflow.version, exec: $execution.id, mode: $execution.mode, started: not_empty($execution.started_at)} }}',
        },
      },
    ],
    ['start -> first', 'first -> probe'],
  );
  const run = await runWorkflow(wf, { trigger: { x: 21 }, executionId: 'exec-42', mode: 'cli' });
  assert.equal(run.status, 'completed', JSON.stringify(run.error));
  assert.deepEqual(run.variables.seen, { trigger: 21, var: 42, byId: 42, byName: 42, prev: 'a', wf: 'wf_test', version: 1, exec: 'exec-42', mode: 'cli', started: true });
});

test('set_variable really changes $vars for later nodes, with value_type conversion', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'n', type: 'set_variable', config: { variable_name: 'count', value: '41', value_type: 'number' } },
      { id: 'inc', type: 'set_variable', config: { variable_name: 'count', value: '{{ $vars.count + 1 }}' } },
      { id: 'list', type: 'set_variable', config: { variable_name: 'tags', value: '["a","b"]', value_type: 'array' } },
      { id: 'bad', type: 'set_variable', config: { variable_name: 'oops', value: 'abc', value_type: 'number', on_error: 'continue' } },
    ],
    ['start -> n', 'n -> inc', 'inc -> list', 'list -> bad'],
    { variables: { count: 0 } },
  );
  const run = await runWorkflow(wf);
  assert.equal(run.variables.count, 42);
  assert.deepEqual(run.variables.tags, ['a', 'b']);
  assert.match((resultsByNode(run).bad as { error: { message: string } }).error.message, /cannot turn "abc" into a number/);
});

test('$env shows only the variables listed in SKYNETTE_ENV_ALLOW', async () => {
  const wf = workflow(
    [trigger, { id: 'e', type: 'set_variable', config: { variable_name: 'env', value: '{{ {region: $env.REGION, secret: $env.SECRET_TOKEN} }}' } }],
    ['start -> e'],
  );
  const env = { REGION: 'eu-west', SECRET_TOKEN: 'hunter2', SKYNETTE_ENV_ALLOW: 'REGION, MISSING' };
  const run = await runWorkflow(wf, { env });
  assert.deepEqual(run.variables.env, { region: 'eu-west', secret: null });
});

test('trigger nodes hand on the trigger payload; with triggerNodeId the other triggers are skipped', async () => {
  const wf = workflow(
    [
      { id: 'manual', type: 'manual_trigger' },
      { id: 'hook', type: 'webhook-trigger', config: { path: '/orders' } },
      { id: 'cron', type: 'schedule_trigger', config: { schedule_type: 'cron', cron: '* * * * *' } },
      { id: 'm', type: 'merge', config: { mode: 'append' } },
    ],
    ['manual -> m', 'hook -> m', 'cron -> m'],
  );
  const all = await runWorkflow(wf, { trigger: { n: 1 } });
  assert.deepEqual(resultsByNode(all).m, [{ n: 1 }, { n: 1 }, { n: 1 }]);
  const fromHook = await runWorkflow(wf, { trigger: { body: { id: 7 } }, triggerNodeId: 'hook', mode: 'webhook' });
  assert.deepEqual(resultsByNode(fromHook).m, [{ body: { id: 7 } }]);
  assert.equal(fromHook.node_results.find((r) => r.node_id === 'manual')!.status, 'skipped');
});

test('a node with several active inputs sees the first as $prev and all in $inputs', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'a', type: 'set_variable', config: { variable_name: 'a', value: 1 } },
      { id: 'b', type: 'set_variable', config: { variable_name: 'b', value: 2 } },
      { id: 'both', type: 'set_variable', config: { variable_name: 'both', value: '{{ [$prev.name, length($inputs)] }}' } },
    ],
    ['start -> a', 'start -> b', 'a -> both', 'b -> both'],
  );
  assert.deepEqual((await runWorkflow(wf)).variables.both, ['a', 2]);
});

test('set_variable passes on the data before a chain of set_variable nodes as previous, without nesting', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'a', type: 'set_variable', config: { variable_name: 'a', value: 1 } },
      { id: 'b', type: 'set_variable', config: { variable_name: 'b', value: 2 } },
      { id: 'c', type: 'set_variable', config: { variable_name: 'c', value: '{{ $prev.previous.order }}' } },
    ],
    ['start -> a', 'a -> b', 'b -> c'],
  );
  const run = await runWorkflow(wf, { trigger: { order: 7 } });
  assert.deepEqual(resultsByNode(run).c, { name: 'c', value: 7, previous: { order: 7 } });
});
