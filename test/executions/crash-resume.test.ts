import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/**
 * The crash test: kill -9 the CLI in the middle of a run, then `executions resume --all`.
 * Every node runs, none of the finished ones twice (their side effects are appended to a file),
 * and the node that was running when the process died shows two attempts.
 */
test('kill -9 mid-run, resume: every node ran, finished ones not twice, the interrupted one marked', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-crash-'));
  const log = join(dataDir, 'side-effects.txt');
  const wfFile = join(dataDir, 'crashy.yaml');
  writeFileSync(
    wfFile,
    `
id: crashy
name: Crashy
nodes:
  - {id: start, type: manual_trigger}
  - {id: first, type: write_file, config: {path: ${JSON.stringify(log)}, content: "A\\n", mode: append}}
  - {id: each, type: loop, config: {items: "{{ [1, 2, 3] }}"}}
  - {id: mark, type: write_file, config: {path: ${JSON.stringify(log)}, content: "L{{ $item }}\\n", mode: append}}
  - {id: pause, type: wait, config: {amount: 1500, unit: milliseconds}}
  - {id: last, type: write_file, config: {path: ${JSON.stringify(log)}, content: "B\\n", mode: append}}
connections:
  - {source_node_id: start, target_node_id: first}
  - {source_node_id: first, target_node_id: each}
  - {source_node_id: each, source_port: item, target_node_id: mark}
  - {source_node_id: mark, target_node_id: pause}
  - {source_node_id: each, source_port: done, target_node_id: last}
`,
  );
  const env = { SKYNETTE_DATA_DIR: dataDir };
  assert.equal((await runCli(['workflows', 'import', wfFile], { env })).code, 0);

  // Kill the run while the second iteration's pause is running (right after "L2" was written).
  const killed = await runCli(['exec', 'crashy'], {
    env,
    onSpawn: (child) => {
      const poll = setInterval(() => {
        if (existsSync(log) && readFileSync(log, 'utf8').includes('L2')) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 10);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(readFileSync(log, 'utf8'), 'A\nL1\nL2\n');

  const listed = JSON.parse((await runCli(['executions', 'list', '--status', 'running', '--json'], { env })).stdout);
  assert.equal(listed.length, 1, 'the killed execution is left running, ready to resume');

  const resumed = await runCli(['executions', 'resume', '--all', '--json'], { env });
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.equal(JSON.parse(resumed.stdout).status, 'completed');
  assert.equal(readFileSync(log, 'utf8'), 'A\nL1\nL2\nL3\nB\n', 'every side effect happened exactly once');

  const record = JSON.parse((await runCli(['executions', 'show', listed[0].id, '--json'], { env })).stdout);
  assert.equal(record.status, 'completed');
  const byKey = new Map(record.node_results.map((r: { key: string }) => [r.key, r]));
  for (const key of ['start', 'first', 'each[0]/mark', 'each[0]/pause', 'each[1]/mark', 'each[2]/mark', 'each[2]/pause', 'last']) {
    const r = byKey.get(key) as { status: string; attempts: number } | undefined;
    assert.ok(r, `${key} has a result`);
    assert.equal(r.status, 'completed', key);
    assert.equal(r.attempts, 1, `${key} ran once`);
  }
  const interrupted = byKey.get('each[1]/pause') as { status: string; attempts: number };
  assert.equal(interrupted.status, 'completed');
  assert.equal(interrupted.attempts, 2, 'the node running at the crash ran again and says so');
  // The loop node itself was running too (its body was); it ran again, reusing finished iterations.
  assert.equal((byKey.get('each') as { attempts: number }).attempts, 2);

  const none = await runCli(['executions', 'resume', '--all'], { env });
  assert.match(none.stdout, /no interrupted executions/);
});

test('retry reruns a failed execution from the failed node, reusing what ran before it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'skynette-retry-'));
  const log = join(dataDir, 'effects.txt');
  const flag = join(dataDir, 'ready.json');
  const wfFile = join(dataDir, 'flaky.yaml');
  writeFileSync(
    wfFile,
    `
id: flaky
name: Flaky
variables: {who: nobody}
nodes:
  - {id: start, type: manual_trigger}
  - {id: before, type: write_file, config: {path: ${JSON.stringify(log)}, content: "before\\n", mode: append}}
  - {id: setv, type: set_variable, config: {variable_name: who, value: "{{ $trigger.name }}"}}
  - {id: read, type: read_file, config: {path: ${JSON.stringify(flag)}, parse: json}}
  - {id: after, type: write_file, config: {path: ${JSON.stringify(log)}, content: "after {{ $vars.who }} {{ $prev.content.ok }}\\n", mode: append}}
connections:
  - {source_node_id: start, target_node_id: before}
  - {source_node_id: before, target_node_id: setv}
  - {source_node_id: setv, target_node_id: read}
  - {source_node_id: read, target_node_id: after}
`,
  );
  const env = { SKYNETTE_DATA_DIR: dataDir };
  await runCli(['workflows', 'import', wfFile], { env });
  const failed = await runCli(['exec', 'flaky', '--json', '-d', '{"name": "Ada"}'], { env });
  assert.equal(failed.code, 1);
  const first = JSON.parse(failed.stdout);
  assert.equal(first.nodes.read, 'failed');

  writeFileSync(flag, '{"ok": true}');
  const retried = await runCli(['executions', 'retry', first.execution_id, '--json'], { env });
  assert.equal(retried.code, 0, retried.stderr);
  const second = JSON.parse(retried.stdout);
  assert.notEqual(second.execution_id, first.execution_id);
  assert.equal(second.status, 'completed');
  assert.equal(readFileSync(log, 'utf8'), 'before\nafter Ada true\n', 'the node before the failure was not run again; $vars carried over');

  const fromStart = await runCli(['executions', 'retry', first.execution_id, '--from', 'before', '--json'], { env });
  assert.equal(fromStart.code, 0);
  assert.equal(readFileSync(log, 'utf8'), 'before\nafter Ada true\nbefore\nafter Ada true\n');

  const badNode = await runCli(['executions', 'retry', first.execution_id, '--from', 'nope'], { env });
  assert.equal(badNode.code, 1);
  assert.match(badNode.stderr, /no node "nope"/);
});
