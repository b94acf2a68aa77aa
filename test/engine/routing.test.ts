import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkflow } from '../../src/engine/runner.js';
import { statusByNode, resultsByNode } from '../../src/engine/execution.js';
import { workflow } from '../helpers/workflow.js';

const trigger = { id: 'start', type: 'manual_trigger' };

test('if_else routes to the true port and skips the false branch and everything only below it', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'check', type: 'if_else', config: { expression: '{{ $prev.n > 5 }}' } },
      { id: 'big', type: 'set_variable', config: { variable_name: 'size', value: 'big' } },
      { id: 'small', type: 'set_variable', config: { variable_name: 'size', value: 'small' } },
      { id: 'after_small', type: 'log_debug', config: { message: 'only after small' } },
    ],
    ['start -> check', 'check:true -> big', 'check:false -> small', 'small -> after_small'],
  );
  const run = await runWorkflow(wf, { trigger: { n: 10 } });
  assert.equal(run.status, 'completed');
  assert.deepEqual(statusByNode(run), { start: 'completed', check: 'completed', big: 'completed', small: 'skipped', after_small: 'skipped' });
  assert.equal(run.variables.size, 'big');
  const other = await runWorkflow(wf, { trigger: { n: 1 } });
  assert.equal(other.variables.size, 'small');
  assert.equal(statusByNode(other).big, 'skipped');
  assert.equal(statusByNode(other).after_small, 'completed');
});

test('if_else accepts the original comparison and boolean modes, and the {{x}} == y form', async () => {
  const make = (config: Record<string, unknown>) =>
    workflow(
      [trigger, { id: 'c', type: 'if_else', config }, { id: 'yes', type: 'log_debug' }, { id: 'no', type: 'log_debug' }],
      ['start -> c', 'c:true -> yes', 'c:false -> no'],
    );
  const cases: Array<[Record<string, unknown>, unknown, string]> = [
    [{ condition_type: 'comparison', left_value: '{{ $prev.status }}', operator: 'equals', right_value: 200 }, { status: 200 }, 'yes'],
    [{ condition_type: 'comparison', left_value: '{{ $prev.status }}', operator: 'greater_equal', right_value: '300' }, { status: 200 }, 'no'],
    [{ condition_type: 'comparison', left_value: '{{ $prev.tags }}', operator: 'contains', right_value: 'vip' }, { tags: ['a', 'vip'] }, 'yes'],
    [{ condition_type: 'comparison', left_value: '{{ $prev.name }}', operator: 'is_empty' }, { name: '' }, 'yes'],
    [{ condition_type: 'boolean', boolean_value: '{{ $prev.ok }}' }, { ok: false }, 'no'],
    [{ condition_type: 'boolean', boolean_value: '{{ $prev.ok }}' }, { ok: 'yes' }, 'yes'],
    [{ expression: '{{$prev.status}} == 200' }, { status: 200 }, 'yes'],
    [{ expression: '$prev.status == 404' }, { status: 200 }, 'no'],
  ];
  for (const [config, data, expected] of cases) {
    const run = await runWorkflow(make(config), { trigger: data });
    assert.equal(run.status, 'completed', JSON.stringify(run.error));
    assert.equal(statusByNode(run)[expected], 'completed', `${JSON.stringify(config)} should take ${expected}`);
    assert.equal(statusByNode(run)[expected === 'yes' ? 'no' : 'yes'], 'skipped');
  }
});

test('switch routes to the first matching case, else default', async () => {
  const wf = workflow(
    [
      trigger,
      {
        id: 'sw',
        type: 'switch',
        config: { value: '{{ $prev.level }}', cases: [{ port: 'high', operator: 'greater', value: 10 }, { port: 'mid', operator: 'greater', value: 5 }, { value: 0 }] },
      },
      { id: 'high', type: 'log_debug' },
      { id: 'mid', type: 'log_debug' },
      { id: 'zero', type: 'log_debug' },
      { id: 'other', type: 'log_debug' },
    ],
    ['start -> sw', 'sw:high -> high', 'sw:mid -> mid', 'sw:case_2 -> zero', 'sw:default -> other'],
  );
  const taken = async (level: number) => {
    const s = statusByNode(await runWorkflow(wf, { trigger: { level } }));
    return ['high', 'mid', 'zero', 'other'].filter((n) => s[n] === 'completed');
  };
  assert.deepEqual(await taken(20), ['high']);
  assert.deepEqual(await taken(7), ['mid']);
  assert.deepEqual(await taken(0), ['zero']);
  assert.deepEqual(await taken(3), ['other']);
});

test('switch in condition mode evaluates each case condition', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'sw', type: 'switch', config: { mode: 'condition', cases: [{ port: 'a', condition: '{{ starts_with($prev.s, "a") }}' }, { port: 'b', condition: '{{ $prev.s == "b" }}' }] } },
      { id: 'a', type: 'log_debug' },
      { id: 'b', type: 'log_debug' },
    ],
    ['start -> sw', 'sw:a -> a', 'sw:b -> b'],
  );
  assert.equal(statusByNode(await runWorkflow(wf, { trigger: { s: 'apple' } })).a, 'completed');
  assert.equal(statusByNode(await runWorkflow(wf, { trigger: { s: 'b' } })).b, 'completed');
});

test('merge waits for every active input; a merge whose inputs all lie on untaken branches is skipped', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'x', type: 'set_variable', config: { variable_name: 'x', value: [1, 2] } },
      { id: 'y', type: 'set_variable', config: { variable_name: 'y', value: [3] } },
      { id: 'm', type: 'merge', config: { mode: 'append' } },
    ],
    ['start -> x', 'start -> y', 'x -> m', 'y -> m'],
  );
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'completed');
  const out = resultsByNode(run).m as Array<{ name: string }>;
  assert.deepEqual(out.map((o) => o.name), ['x', 'y']);

  const branchy = workflow(
    [
      trigger,
      { id: 'c', type: 'if_else', config: { expression: '{{ $prev.go }}' } },
      { id: 'a', type: 'set_variable', config: { variable_name: 'a', value: { a: 1 } } },
      { id: 'b', type: 'set_variable', config: { variable_name: 'b', value: { b: 2 } } },
      { id: 'm', type: 'merge', config: { mode: 'pick', pick_index: -1 } },
      { id: 'after', type: 'log_debug' },
    ],
    ['start -> c', 'c:true -> a', 'c:true -> b', 'a -> m', 'b -> m', 'm -> after'],
  );
  const taken = await runWorkflow(branchy, { trigger: { go: true } });
  assert.equal((resultsByNode(taken).m as { name: string }).name, 'b');
  const notTaken = await runWorkflow(branchy, { trigger: { go: false } });
  assert.deepEqual(statusByNode(notTaken), { start: 'completed', c: 'completed', a: 'skipped', b: 'skipped', m: 'skipped', after: 'skipped' });
});

test('merge in merge mode combines objects; with one branch not taken it merges what arrived', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'c', type: 'if_else', config: { expression: '{{ $prev.both }}' } },
      { id: 'p', type: 'set_variable', config: { variable_name: 'p', value: 1 } },
      { id: 'q', type: 'set_variable', config: { variable_name: 'q', value: 2 } },
      { id: 'm', type: 'merge', config: { mode: 'merge' } },
    ],
    ['start -> c', 'c:true -> q', 'start -> p', 'p -> m', 'q -> m'],
  );
  const run = await runWorkflow(wf, { trigger: { both: false } });
  assert.equal(run.status, 'completed');
  assert.equal((resultsByNode(run).m as { name: string }).name, 'p');
  const both = await runWorkflow(wf, { trigger: { both: true } });
  assert.equal((resultsByNode(both).m as { name: string }).name, 'q');
});
