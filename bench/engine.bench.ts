/**
 * Engine throughput: the 10-node workflow run in-process, records kept in memory.
 * Prints one figure: workflow executions per second.   Run: npx tsx bench/engine.bench.ts
 */
import { runWorkflow } from '../src/engine/runner.js';
import { benchTrigger, tenNodeWorkflow } from './ten-node-workflow.js';

const workflow = tenNodeWorkflow();
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

const check = await runWorkflow(workflow, { trigger: benchTrigger });
if (check.status !== 'completed') throw new Error(`benchmark workflow failed: ${JSON.stringify(check.error)}`);

for (let i = 0; i < 2000; i++) await runWorkflow(workflow, { trigger: benchTrigger });

let runs = 0;
const started = performance.now();
const until = started + seconds * 1000;
while (performance.now() < until) {
  for (let i = 0; i < 100; i++) await runWorkflow(workflow, { trigger: benchTrigger });
  runs += 100;
}
const perSecond = runs / ((performance.now() - started) / 1000);
console.log(`engine: 10-node workflow executions/s (in memory): ${Math.round(perSecond).toLocaleString('en-US')}`);
