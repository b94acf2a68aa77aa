import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSandboxedCode } from '../../../src/sandbox/quickjs-sandbox.js';
import { SkynetteError } from '../../../src/util/errors.js';

test('globals arrive as JSON copies: undefined members left out, BigInt as text', async () => {
  const { value } = await runSandboxedCode({
    code: 'return [typeof $gone, $big, $list]',
    globals: { $gone: undefined, $big: 12n, $list: [1, { a: null }] },
  });
  assert.deepEqual(value, ['undefined', '12', [1, { a: null }]]);
});

test('console limits can be set per run', async () => {
  const { logs } = await runSandboxedCode({
    code: 'for (let i = 0; i < 10; i++) console.log("line", i); return 1',
    console: { maxLines: 3, maxLineChars: 100, maxTotalChars: 1000 },
  });
  assert.deepEqual(logs.map((l) => l.message), ['line 0', 'line 1', 'line 2', 'console output cut: limit of 3 lines or 1000 characters reached']);
});

test('the output limit can be set per run', async () => {
  await assert.rejects(
    runSandboxedCode({ code: 'return "x".repeat(200)', maxOutputChars: 100 }),
    (error: SkynetteError) => error.code === 'CODE_OUTPUT_TOO_LARGE' && /202 characters of JSON, more than the limit of 100/.test(error.message),
  );
});

test('the stack limit can be set per run', async () => {
  const code = 'function depth(n) { try { return depth(n + 1) } catch (e) { return n } }\nreturn depth(0)';
  const small = (await runSandboxedCode({ code, maxStackKb: 32 })).value as number;
  const large = (await runSandboxedCode({ code, maxStackKb: 160 })).value as number;
  assert.ok(small > 10 && large > small * 3, `${small} vs ${large}`);
});

test('runs started together with different memory limits all finish correctly', async () => {
  const runs = [8, 16, 64, 32, 8, 64].map((memoryLimitMb, i) =>
    runSandboxedCode({ code: 'return $n * 2', globals: { $n: i }, memoryLimitMb }),
  );
  assert.deepEqual((await Promise.all(runs)).map((r) => r.value), [0, 2, 4, 6, 8, 10]);
});

test('a run after many hostile runs still gets a clean sandbox', async () => {
  const hostile = [
    'while (true) {}',
    'const k = []; while (true) k.push(new Uint8Array(1e6))',
    'function f() { return f() } return f()',
    'Object.prototype.x = 1; Array.prototype.push = null; throw new Error("x")',
  ];
  for (const code of hostile) await assert.rejects(runSandboxedCode({ code, timeLimitMs: 100 }));
  const { value } = await runSandboxedCode({ code: 'const a = []; a.push(1); return [a, ({}).x ?? null]' });
  assert.deepEqual(value, [[1], null]);
});
