import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWorkflow } from '../../src/engine/runner.js';
import { resultsByNode, statusByNode } from '../../src/engine/execution.js';
import { workflow } from '../helpers/workflow.js';
import { registerTestNodes } from '../helpers/test-nodes.js';

registerTestNodes();
const trigger = { id: 'start', type: 'manual_trigger' };

test('on_error stop (the default) fails the run at the node and runs nothing after it', async () => {
  const wf = workflow(
    [trigger, { id: 'boom', type: 'test_fail', config: { message: 'kaput' } }, { id: 'after', type: 'log_debug' }],
    ['start -> boom', 'boom -> after'],
  );
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'failed');
  assert.deepEqual(run.error, { message: 'kaput', code: 'TEST_FAILURE', node: 'boom' });
  assert.deepEqual(statusByNode(run), { start: 'completed', boom: 'failed' });
});

test('on_error continue turns the error into output that flows on', async () => {
  const wf = workflow(
    [trigger, { id: 'boom', type: 'test_fail', config: { message: 'kaput', on_error: 'continue' } }, { id: 'after', type: 'set_variable', config: { variable_name: 'e', value: '{{ $prev.error.message }}' } }],
    ['start -> boom', 'boom -> after'],
  );
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'completed');
  assert.deepEqual(resultsByNode(run).boom, { error: { message: 'kaput', code: 'TEST_FAILURE', node: 'boom' } });
  assert.equal(run.variables.e, 'kaput');
  const boom = run.node_results.find((r) => r.node_id === 'boom')!;
  assert.equal(boom.status, 'failed');
  assert.equal(boom.continued, true);
});

test('on_error retry retries with backoff and succeeds when an attempt does', async () => {
  const wf = workflow(
    [trigger, { id: 'flaky', type: 'test_flaky', config: { fail_times: 2, key: 'retry-ok', on_error: 'retry', retry_delay_ms: 20, backoff: 2 } }],
    ['start -> flaky'],
  );
  const started = Date.now();
  const run = await runWorkflow(wf);
  const elapsed = Date.now() - started;
  assert.equal(run.status, 'completed');
  const flaky = run.node_results.find((r) => r.node_id === 'flaky')!;
  assert.equal(flaky.attempts, 3);
  assert.deepEqual(flaky.output, { attempt: 3 });
  assert.ok(elapsed >= 55, `waited 20 + 40 ms between attempts, took ${elapsed}`);
  assert.equal(flaky.logs.filter((l) => l.message.includes('retrying')).length, 2);
});

test('on_error retry gives up after max_retries, then stops or continues (retry_then)', async () => {
  const make = (retryThen: string) =>
    workflow(
      [trigger, { id: 'flaky', type: 'test_flaky', config: { fail_times: 10, key: `give-up-${retryThen}`, on_error: 'retry', max_retries: 2, retry_delay_ms: 1, retry_then: retryThen } }, { id: 'after', type: 'log_debug' }],
      ['start -> flaky', 'flaky -> after'],
    );
  const stopped = await runWorkflow(make('stop'));
  assert.equal(stopped.status, 'failed');
  assert.equal(stopped.node_results.find((r) => r.node_id === 'flaky')!.attempts, 3);
  const continued = await runWorkflow(make('continue'));
  assert.equal(continued.status, 'completed');
  assert.equal(statusByNode(continued).after, 'completed');
});

test('timeout_ms fails a node that takes too long', async () => {
  const wf = workflow([trigger, { id: 'slow', type: 'wait', config: { amount: 5, unit: 'seconds', timeout_ms: 50 } }], ['start -> slow']);
  const started = Date.now();
  const run = await runWorkflow(wf);
  assert.ok(Date.now() - started < 2000);
  assert.equal(run.status, 'failed');
  assert.equal(run.error!.code, 'NODE_TIMEOUT');
  assert.match(run.error!.message, /timeout of 50 ms/);
});

test('timeout_ms also stops a node that ignores its abort signal', async () => {
  const wf = workflow([trigger, { id: 'stubborn', type: 'test_ignore_abort', config: { timeout_ms: 30 } }], ['start -> stubborn']);
  const run = await runWorkflow(wf);
  assert.equal(run.error!.code, 'NODE_TIMEOUT');
});

test('a workflow timeout fails the run with a clear error', async () => {
  const wf = workflow([trigger, { id: 'slow', type: 'wait', config: { amount: 5, unit: 'seconds' } }], ['start -> slow'], { settings: { timeout_ms: 50 } });
  const run = await runWorkflow(wf);
  assert.equal(run.status, 'failed');
  assert.equal(run.error!.code, 'WORKFLOW_TIMEOUT');
});

test('cancelling records cancelled, marks the running node, and runs nothing after it', async () => {
  const wf = workflow(
    [trigger, { id: 'slow', type: 'wait', config: { amount: 5, unit: 'seconds' } }, { id: 'after', type: 'log_debug' }],
    ['start -> slow', 'slow -> after'],
  );
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const run = await runWorkflow(wf, { signal: controller.signal });
  assert.equal(run.status, 'cancelled');
  assert.deepEqual(statusByNode(run), { start: 'completed', slow: 'cancelled' });
});

test('a disabled node passes its input through without running', async () => {
  const wf = workflow(
    [trigger, { id: 'boom', type: 'test_fail', enabled: false, config: { message: 'never' } }, { id: 'after', type: 'set_variable', config: { variable_name: 'v', value: '{{ $prev.x }}' } }],
    ['start -> boom', 'boom -> after'],
  );
  const run = await runWorkflow(wf, { trigger: { x: 42 } });
  assert.equal(run.status, 'completed');
  assert.equal(statusByNode(run).boom, 'disabled');
  assert.equal(run.variables.v, 42);
});

test('an output above the size limit is a clear error', async () => {
  const wf = workflow(
    [trigger, { id: 'big', type: 'set_variable', config: { variable_name: 'x', value: '{{ $prev.s }}' } }],
    ['start -> big'],
    { settings: { max_output_bytes: 1000 } },
  );
  const run = await runWorkflow(wf, { trigger: { s: 'x'.repeat(2000) } });
  assert.equal(run.status, 'failed');
  assert.equal(run.error!.code, 'OUTPUT_TOO_LARGE');
  assert.match(run.error!.message, /max_output_bytes/);
});

test('a config that is wrong only after expressions resolve names the field', async () => {
  const wf = workflow([trigger, { id: 'w', type: 'wait', config: { amount: '{{ $prev.n }}', unit: 'milliseconds' } }], ['start -> w']);
  const run = await runWorkflow(wf, { trigger: { n: 'soon' } });
  assert.equal(run.status, 'failed');
  assert.match(run.error!.message, /nodes\[1\]\.config\.amount: expected a number, got text "soon"/);
});

test('an expression error names the node and the field', async () => {
  const wf = workflow([trigger, { id: 'v', name: 'Compute', type: 'set_variable', config: { variable_name: 'x', value: '{{ 1 + }}' } }], ['start -> v']);
  await assert.rejects(runWorkflow(wf), /expression/i);
});

test('resuming from a record reuses finished and skipped results without recording them twice', async () => {
  const wf = workflow(
    [
      trigger,
      { id: 'c', type: 'if_else', config: { expression: '{{ true }}' } },
      { id: 'yes', type: 'set_variable', config: { variable_name: 'y', value: 1 } },
      { id: 'no', type: 'set_variable', config: { variable_name: 'n', value: 1 } },
      { id: 'flaky', type: 'test_flaky', config: { fail_times: 1, key: 'resume-skip' } },
    ],
    ['start -> c', 'c:true -> yes', 'c:false -> no', 'yes -> flaky'],
  );
  const failed = await runWorkflow(wf);
  assert.equal(failed.status, 'failed');
  const resumed = await runWorkflow(wf, { resumeFrom: { ...failed, status: 'running' } });
  assert.equal(resumed.status, 'completed');
  assert.deepEqual(resumed.node_results.map((r) => r.key).sort(), ['c', 'flaky', 'no', 'start', 'yes']);
  assert.equal(resumed.node_results.find((r) => r.key === 'flaky')!.attempts, 2);
});
