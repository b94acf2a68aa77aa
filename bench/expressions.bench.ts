/**
 * Evaluations per second of a typical condition against a small scope, through the same public
 * entry point the engine uses (so template caching is part of what is measured).
 * Run: npx tsx bench/expressions.bench.ts
 */
import { resolveTemplate, type ExpressionScope } from '../src/expressions/index.js';

const TEMPLATE = '{{ $prev.count * 2 + 1 > 10 && $vars.mode == "fast" }}';
const DURATION_MS = 3_000;
const BATCH = 10_000;

const scope: ExpressionScope = {
  $prev: { count: 7, name: 'widget', tags: ['a', 'b'] },
  $vars: { mode: 'fast', retries: 3 },
  $trigger: { body: { id: 1 } },
  $nodes: {},
  $workflow: { id: 'wf_bench', name: 'Bench' },
  $execution: { id: 'exec_bench', mode: 'manual' },
};

if (resolveTemplate(TEMPLATE, scope) !== true) throw new Error('the benchmark expression gave an unexpected result');

// Warm up so the figure reflects optimised code, not the interpreter tier.
for (let i = 0; i < 200_000; i++) resolveTemplate(TEMPLATE, scope);

let evaluations = 0;
let sink = 0;
const started = process.hrtime.bigint();
const deadline = started + BigInt(DURATION_MS) * 1_000_000n;
let now = started;
while (now < deadline) {
  for (let i = 0; i < BATCH; i++) if (resolveTemplate(TEMPLATE, scope) === true) sink++;
  evaluations += BATCH;
  now = process.hrtime.bigint();
}
const seconds = Number(now - started) / 1e9;
if (sink !== evaluations) throw new Error('the benchmark expression changed its result');
const perSecond = Math.round(evaluations / seconds);
console.log(`expression evaluations/s: ${perSecond.toLocaleString('en-US')} (${TEMPLATE})`);
