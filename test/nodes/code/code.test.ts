import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeNode } from '../../../src/nodes/core/code/code.js';
import { codeNodes } from '../../../src/nodes/core/code/index.js';
import type { NodeContext } from '../../../src/nodes/sdk.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { nodeContext } from '../../helpers/node-context.js';

async function runCode(code: string, input: unknown = {}, config: Record<string, unknown> = {}, extra: Partial<NodeContext> = {}) {
  const ctx = nodeContext(codeNode, { code, ...config }, input, extra);
  const output = await codeNode.run(ctx);
  return { output, ctx };
}

async function codeError(code: string, config: Record<string, unknown> = {}, extra: Partial<NodeContext> = {}): Promise<SkynetteError> {
  const ctx = nodeContext(codeNode, { code, ...config }, {}, extra);
  try {
    await codeNode.run(ctx);
  } catch (error) {
    assert.ok(error instanceof SkynetteError, `expected a SkynetteError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the code to fail');
}

/** A context whose evaluate() answers like the engine's expression scope would. */
function scope(values: Record<string, unknown>): Partial<NodeContext> {
  return {
    evaluate(template: string) {
      const name = /^\{\{\s*(\$\w+)\s*\}\}$/.exec(template)?.[1];
      if (!name || !(name in values)) throw new Error(`unknown name in ${template}`);
      return values[name];
    },
  };
}

test('the code node is registered with its fields and defaults', () => {
  assert.deepEqual(codeNodes.map((n) => n.type), ['code']);
  assert.equal(codeNode.category, 'code');
  assert.equal(codeNode.fields.code.raw, true);
  assert.equal(codeNode.fields.code.language, 'javascript');
  assert.equal(codeNode.fields.code.required, true);
  const ctx = nodeContext(codeNode, { code: 'return 1' });
  assert.equal(ctx.config.time_limit_ms, 5000);
  assert.equal(ctx.config.memory_limit_mb, 64);
});

test('returns what the function body returns, computed from $prev', async () => {
  const { output } = await runCode('return $prev.a + 1', { a: 41 });
  assert.equal(output, 42);
});

test('returns objects and lists as plain JSON data', async () => {
  const { output } = await runCode(
    'const items = $prev.items.map((x) => ({ x, double: x * 2 }));\nreturn { items, when: new Date(0), nothing: undefined };',
    { items: [1, 2] },
  );
  assert.deepEqual(output, { items: [{ x: 1, double: 2 }, { x: 2, double: 4 }], when: '1970-01-01T00:00:00.000Z' });
});

test('undefined and a missing return give null', async () => {
  assert.equal((await runCode('return undefined')).output, null);
  assert.equal((await runCode('const x = 1;')).output, null);
});

test('await and promises inside the sandbox are resolved', async () => {
  const code = `
    const wait = (v) => new Promise((resolve) => resolve(v));
    async function double(n) { return (await wait(n)) * 2; }
    const all = await Promise.all([double(1), double(2), wait(3)]);
    return all.reduce((a, b) => a + b, 0);`;
  assert.equal((await runCode(code)).output, 9);
});

test('a rejected promise fails the node with its message', async () => {
  const error = await codeError('await Promise.reject(new TypeError("nope"))');
  assert.equal(error.code, 'CODE_ERROR');
  assert.match(error.message, /TypeError: nope/);
});

test('$vars, $trigger, $inputs, $workflow and $execution are readable', async () => {
  const ctx = nodeContext(
    codeNode,
    { code: 'return [$vars.count, $trigger.source, $inputs.length, $workflow.id, $execution.mode]' },
    { a: 1 },
    { vars: { count: 3 }, trigger: { source: 'webhook' } },
  );
  assert.deepEqual(await codeNode.run(ctx), [3, 'webhook', 1, 'wf_test', 'manual']);
});

test('$nodes, $item and $index come from the expression scope', async () => {
  const extra = scope({ $nodes: { fetch: { output: { n: 5 } } }, $item: { name: 'ada' }, $index: 0 });
  const { output } = await runCode('return `${$index}:${$item.name}:${$nodes.fetch.output.n}`', {}, {}, extra);
  assert.equal(output, '0:ada:5');
});

test('$item is undefined where the scope has none', async () => {
  const { output } = await runCode('return typeof $item', {}, {});
  assert.equal(output, 'undefined');
});

test('changing $prev inside the code does not change the host data', async () => {
  const input = { list: [1, 2, 3] };
  const { output } = await runCode('$prev.list.push(4); return $prev.list.length', input);
  assert.equal(output, 4);
  assert.deepEqual(input, { list: [1, 2, 3] });
});

test('console output goes to the node log with its level', async () => {
  const { ctx } = await runCode('console.log("hello", { a: 1 }, [2], 3n); console.warn("careful"); console.error(new Error("bad")); console.debug("dbg"); return 1');
  assert.deepEqual(
    ctx.logs.map((l) => [l.level, l.message]),
    [
      ['info', 'hello {"a":1} [2] 3n'],
      ['warn', 'careful'],
      ['error', 'Error: bad'],
      ['debug', 'dbg'],
    ],
  );
});

test('console lines written before a failure are still logged', async () => {
  const ctx = nodeContext(codeNode, { code: 'console.log("step 1"); throw new Error("step 2 failed")' });
  await assert.rejects(codeNode.run(ctx) as Promise<unknown>, /step 2 failed/);
  assert.deepEqual(ctx.logs.map((l) => l.message), ['step 1']);
});

test('huge console output is capped', async () => {
  const { ctx, output } = await runCode('for (let i = 0; i < 100000; i++) console.log("line " + i + " " + "x".repeat(50)); return "done"');
  assert.equal(output, 'done');
  assert.ok(ctx.logs.length <= 1001, `${ctx.logs.length} log lines`);
  const total = ctx.logs.reduce((n, l) => n + l.message.length, 0);
  assert.ok(total < 120_000, `${total} characters logged`);
  assert.match(ctx.logs[ctx.logs.length - 1].message, /console output cut/);
});

test('one enormous console line is cut', async () => {
  const { ctx } = await runCode('console.log("y".repeat(5000000)); return 1');
  assert.equal(ctx.logs.length, 1);
  assert.ok(ctx.logs[0].message.length < 11_000);
  assert.match(ctx.logs[0].message, /more characters cut/);
});

test('an infinite loop stops at the default limit of 5000 ms', async () => {
  const started = performance.now();
  const error = await codeError('while (true) {}');
  const took = performance.now() - started;
  assert.equal(error.code, 'CODE_TIME_LIMIT');
  assert.match(error.message, /code ran longer than 5000 ms/);
  assert.ok(took >= 4900 && took < 7000, `took ${took} ms`);
});

test('time_limit_ms sets the CPU limit', async () => {
  const started = performance.now();
  const error = await codeError('let n = 0; for (;;) { n++ }', { time_limit_ms: 150 });
  assert.equal(error.code, 'CODE_TIME_LIMIT');
  assert.match(error.message, /code ran longer than 150 ms/);
  assert.ok(performance.now() - started < 2000);
});

test('an endless chain of awaits is stopped by the time limit', async () => {
  const error = await codeError('for (;;) await null', { time_limit_ms: 150 });
  assert.equal(error.code, 'CODE_TIME_LIMIT');
});

test('catastrophic regular expression backtracking is stopped by the time limit', async () => {
  const error = await codeError('return /(a+)+$/.test("a".repeat(40) + "b")', { time_limit_ms: 200 });
  assert.equal(error.code, 'CODE_TIME_LIMIT');
});

test('a time-out cannot be caught by the code', async () => {
  const error = await codeError('try { while (true) {} } catch (e) { return "escaped" }', { time_limit_ms: 100 });
  assert.equal(error.code, 'CODE_TIME_LIMIT');
});

test('a memory bomb stops at the memory limit', async () => {
  const error = await codeError('let a = []; while (true) a.push(new Array(1e6))');
  assert.equal(error.code, 'CODE_MEMORY_LIMIT');
  assert.match(error.message, /memory limit of 64 MB/);
});

test('large strings and buffers count against the memory limit too', async () => {
  for (const code of [
    'const keep = []; while (true) keep.push("x".repeat(1e6) + keep.length)',
    'const keep = []; while (true) keep.push(new Uint8Array(1e6))',
    'const keep = new Map(); let i = 0; while (true) keep.set(i++, { i })',
    'return "x".repeat(2e8).length',
  ]) {
    const started = performance.now();
    const error = await codeError(code);
    assert.equal(error.code, 'CODE_MEMORY_LIMIT', `${code}: ${error.message}`);
    assert.ok(performance.now() - started < 3000, code);
  }
  assert.equal((await runCode('return new Uint8Array(30e6).length')).output, 30e6);
});

test('an out-of-memory error caught by the code leaves the sandbox usable', async () => {
  const { output } = await runCode('const keep = []; try { while (true) keep.push(new Uint8Array(1e6)) } catch (e) { keep.length = 0; return String(e) }');
  assert.equal(output, 'InternalError: out of memory');
  assert.equal((await runCode('return [1, 2, 3].length')).output, 3);
});

test('input data too large for the memory limit is refused before it is copied in', async () => {
  const ctx = nodeContext(codeNode, { code: 'return $prev.length', memory_limit_mb: 8 }, 'x'.repeat(4 * 1024 * 1024));
  await assert.rejects(codeNode.run(ctx) as Promise<unknown>, (error: SkynetteError) => {
    assert.equal(error.code, 'CODE_MEMORY_LIMIT');
    assert.match(error.message, /too much for its memory limit of 8 MB/);
    return true;
  });
  const bigger = nodeContext(codeNode, { code: 'return $prev.length', memory_limit_mb: 32 }, 'x'.repeat(4 * 1024 * 1024));
  assert.equal(await codeNode.run(bigger), 4 * 1024 * 1024);
});

test('memory_limit_mb sets the memory limit', async () => {
  const code = 'const big = new Float64Array(4e6).fill(1.5); return big.length';
  const error = await codeError(code, { memory_limit_mb: 16 });
  assert.equal(error.code, 'CODE_MEMORY_LIMIT');
  assert.match(error.message, /memory limit of 16 MB/);
  assert.equal((await runCode(code, {}, { memory_limit_mb: 48 })).output, 4e6);
});

test('deep recursion fails with a stack overflow, and the sandbox keeps working', async () => {
  const error = await codeError('function down(n) { return down(n + 1) + 1 }\nreturn down(0)');
  assert.equal(error.code, 'CODE_STACK_OVERFLOW');
  assert.match(error.message, /stack overflow/);
  assert.equal((await runCode('return 1 + 1')).output, 2);
});

test('recursion of ordinary depth works', async () => {
  const { output } = await runCode('function sum(n) { return n === 0 ? 0 : n + sum(n - 1) }\nreturn sum(500)');
  assert.equal(output, 125250);
});

test('deeply nested data that overflows the native stack fails cleanly, and the sandbox recovers', async () => {
  const error = await codeError('let o = []; for (let i = 0; i < 200000; i++) o = [o]; return JSON.stringify(o).length');
  assert.equal(error.code, 'CODE_STACK_OVERFLOW');
  assert.equal((await runCode('return "still alive"')).output, 'still alive');
});

test('nothing of the host is reachable: require, process, fetch, timers, module loading', async () => {
  const { output } = await runCode(`return {
    require: typeof require, process: typeof process, fetch: typeof fetch, module: typeof module,
    setTimeout: typeof setTimeout, Buffer: typeof Buffer, WebAssembly: typeof WebAssembly,
    std: typeof std, os: typeof os, XMLHttpRequest: typeof XMLHttpRequest, Deno: typeof Deno,
  }`);
  for (const [name, kind] of Object.entries(output as Record<string, string>)) assert.equal(kind, 'undefined', name);
});

test('the Function constructor is the sandbox\'s own and finds no host process', async () => {
  const error = await codeError("return this.constructor.constructor('return process')()");
  assert.equal(error.code, 'CODE_ERROR');
  assert.match(error.message, /ReferenceError: 'process' is not defined/);

  const { output } = await runCode(`
    const global = this.constructor.constructor('return this')();
    const viaEval = eval('typeof process');
    const names = Object.getOwnPropertyNames(global);
    return { viaEval, hasProcess: names.includes('process'), hasRequire: names.includes('require'),
      sameGlobal: global === globalThis, constructorName: (function () {}).constructor.name };`);
  assert.deepEqual(output, { viaEval: 'undefined', hasProcess: false, hasRequire: false, sameGlobal: true, constructorName: 'Function' });
});

test('import() cannot load host modules', async () => {
  const { output } = await runCode(`
    const results = [];
    for (const name of ['fs', 'node:fs', 'child_process', 'http', './code.js']) {
      try { await import(name); results.push(name + ': loaded'); } catch (e) { results.push(name + ': ' + e.name); }
    }
    return results;`);
  assert.deepEqual(output, ['fs: ReferenceError', 'node:fs: ReferenceError', 'child_process: ReferenceError', 'http: ReferenceError', './code.js: ReferenceError']);
  const error = await codeError('import fs from "fs";\nreturn 1');
  assert.equal(error.code, 'CODE_SYNTAX_ERROR');
});

test('changes to builtins stay inside one run', async () => {
  await runCode('Object.prototype.polluted = "yes"; globalThis.leak = 1; JSON.stringify = () => "hijacked"; return 1');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  const { output } = await runCode('return [typeof leak, ({}).polluted ?? null, JSON.stringify({ a: 1 })]');
  assert.deepEqual(output, ['undefined', null, '{"a":1}']);
});

test('replacing JSON.stringify in the code does not change how its result is read', async () => {
  const { output } = await runCode('JSON.stringify = () => "{\\"forged\\":true}"; return { real: true }');
  assert.deepEqual(output, { real: true });
});

test('a syntax error names its line', async () => {
  const error = await codeError('const a = 1;\nconst b = 2;\nreturn a +* b;');
  assert.equal(error.code, 'CODE_SYNTAX_ERROR');
  assert.match(error.message, /^syntax error in code at line 3, column \d+: /);
});

test('a syntax error on the first line has its column counted from the user\'s code', async () => {
  const error = await codeError('return )');
  assert.equal(error.code, 'CODE_SYNTAX_ERROR');
  assert.match(error.message, /at line 1, column [1-9]\b/);
});

test('a thrown error gives its message and line', async () => {
  const error = await codeError('const x = 1;\n\nthrow new Error("the input had no id");');
  assert.equal(error.code, 'CODE_ERROR');
  assert.match(error.message, /line 3/);
  assert.match(error.message, /the input had no id/);
});

test('a runtime TypeError gives its kind, message and line', async () => {
  const error = await codeError('const data = $prev;\nreturn data.missing.field;', {}, {});
  assert.match(error.message, /line 2/);
  assert.match(error.message, /TypeError: cannot read property 'field' of undefined/);
});

test('throwing a plain value gives a readable message', async () => {
  assert.match((await codeError('throw "plain text"')).message, /code threw: plain text/);
  assert.match((await codeError('throw { reason: 1 }')).message, /not an Error/);
});

test('returning a function, symbol or BigInt is a clear error', async () => {
  for (const [code, kind] of [
    ['return () => 1', 'function'],
    ['return Symbol("s")', 'symbol'],
    ['return 10n', 'bigint'],
  ]) {
    const error = await codeError(code);
    assert.equal(error.code, 'CODE_BAD_RESULT');
    assert.match(error.message, new RegExp(`returned a ${kind}; return JSON data`));
  }
  const nested = await codeError('return { big: 1n }');
  assert.equal(nested.code, 'CODE_BAD_RESULT');
  const circular = await codeError('const o = {}; o.self = o; return o');
  assert.equal(circular.code, 'CODE_BAD_RESULT');
  assert.match(circular.message, /circular/);
});

test('functions nested in a returned object are dropped as in JSON', async () => {
  assert.deepEqual((await runCode('return { a: 1, f() {} }')).output, { a: 1 });
});

test('a promise that never settles is reported', async () => {
  const error = await codeError('await new Promise(() => {}); return 1');
  assert.equal(error.code, 'CODE_NEVER_FINISHED');
});

test('an enormous result is refused', async () => {
  const error = await codeError('return "x".repeat(17 * 1024 * 1024)', { memory_limit_mb: 256 });
  assert.equal(error.code, 'CODE_OUTPUT_TOO_LARGE');
});

test('an aborted execution does not start the code', async () => {
  const controller = new AbortController();
  controller.abort();
  const error = await codeError('return 1', {}, { signal: controller.signal });
  assert.equal(error.code, 'CODE_ABORTED');
});

test('an abort while the code runs stops it', async () => {
  // The guest holds the thread, so the abort is seen through the interrupt handler reading the signal.
  const abortAt = performance.now() + 100;
  const signal = { get aborted() { return performance.now() > abortAt; } } as AbortSignal;
  const started = performance.now();
  const error = await codeError('while (true) {}', {}, { signal });
  assert.equal(error.code, 'CODE_ABORTED');
  assert.ok(performance.now() - started < 2000);
});

test('fresh sandboxes are cheap', async () => {
  const started = performance.now();
  for (let i = 0; i < 500; i++) await runCode('return $prev.n * 2', { n: i });
  const perRun = (performance.now() - started) / 500;
  assert.ok(perRun < 5, `${perRun.toFixed(2)} ms per run`);
});
