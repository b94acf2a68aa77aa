/**
 * How checkpointHooks groups writes, seen through a recording fake of the execution store: the
 * execution row goes with the first node start, each finished node with the next start, and a
 * finished node the engine leaves waiting is written on the next turn of the event loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionRecord, NodeResult } from '../../src/engine/execution.js';
import { checkpointHooks } from '../../src/store/checkpoint-hooks.js';
import type { ExecutionStore } from '../../src/store/execution-store.js';
import { executionRecord, nodeResult } from './store-suite.js';

interface Call {
  method: string;
  finished: string[];
  starting?: string;
  create?: boolean;
}

function recordingStore(fail?: (call: Call) => Error | undefined): { store: ExecutionStore; calls: Call[] } {
  const calls: Call[] = [];
  const record = async (call: Call) => {
    calls.push(call);
    const error = fail?.(call);
    if (error) throw error;
  };
  const store = {
    saveNodes: (_r: ExecutionRecord, finished: readonly NodeResult[], starting?: NodeResult, options?: { createExecution?: boolean }) =>
      record({ method: 'saveNodes', finished: finished.map((r) => r.key), starting: starting?.key, create: options?.createExecution }),
    finish: (_r: ExecutionRecord, finished: readonly NodeResult[] = []) => record({ method: 'finish', finished: finished.map((r) => r.key) }),
  } as unknown as ExecutionStore;
  return { store, calls };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('one write per node start, carrying the execution row first and the node that finished before', async () => {
  const { store, calls } = recordingStore();
  const hooks = checkpointHooks(store);
  const run = executionRecord('e1', { status: 'running', finished_at: null });
  await hooks.onExecutionStart!(run);
  assert.deepEqual(calls, [], 'nothing to write until a node starts');
  const a = nodeResult('a', { status: 'running' });
  run.node_results.push(a);
  await hooks.onNodeStart!(run, a);
  await hooks.onNodeFinish!(run, a);
  const skipped = nodeResult('s', { status: 'skipped' });
  run.node_results.push(skipped);
  await hooks.onNodeFinish!(run, skipped);
  const b = nodeResult('b', { status: 'running' });
  run.node_results.push(b);
  await hooks.onNodeStart!(run, b);
  await hooks.onNodeFinish!(run, b);
  await hooks.onExecutionFinish!(run);
  assert.deepEqual(calls, [
    { method: 'saveNodes', finished: [], starting: 'a', create: true },
    { method: 'saveNodes', finished: ['a', 's'], starting: 'b', create: false },
    { method: 'finish', finished: ['b'] },
  ]);
});

test('a finished node is written on the next turn of the event loop when no node starts', async () => {
  const { store, calls } = recordingStore();
  const hooks = checkpointHooks(store);
  const run = executionRecord('e2', { status: 'running', finished_at: null });
  await hooks.onExecutionStart!(run);
  const a = nodeResult('a');
  run.node_results.push(a);
  await hooks.onNodeFinish!(run, a);
  await tick();
  await tick();
  assert.deepEqual(calls, [{ method: 'saveNodes', finished: ['a'], starting: undefined, create: true }]);
  await hooks.onExecutionFinish!(run);
  assert.deepEqual(calls[1], { method: 'finish', finished: [] });
});

test('a background write that fails fails the run at its next hook', async () => {
  const failure = new Error('disk full');
  const { store, calls } = recordingStore((call) => (call.method === 'saveNodes' && call.starting === undefined ? failure : undefined));
  const hooks = checkpointHooks(store);
  const run = executionRecord('e3', { status: 'running', finished_at: null });
  await hooks.onExecutionStart!(run);
  const a = nodeResult('a');
  run.node_results.push(a);
  await hooks.onNodeFinish!(run, a);
  await tick();
  await tick();
  const b = nodeResult('b', { status: 'running' });
  run.node_results.push(b);
  await assert.rejects(async () => hooks.onNodeStart!(run, b), /disk full/);
  assert.equal(calls.length, 1, 'b is not marked started after the failure');
});

test('a run that starts no node is written whole when it finishes', async () => {
  const { store, calls } = recordingStore();
  const hooks = checkpointHooks(store);
  const run = executionRecord('e4', { node_results: [nodeResult('x'), nodeResult('y')] });
  await hooks.onExecutionStart!(run);
  await hooks.onExecutionFinish!(run);
  assert.deepEqual(calls, [{ method: 'finish', finished: ['x', 'y'] }]);
});
