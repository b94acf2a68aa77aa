/**
 * Two figures of the AI gateway:
 * 1. What the gateway adds to a chat call over the raw openai SDK, against the local OpenAI
 *    protocol server (provider choice, budget check, price lookup, a usage row in SQLite).
 *    Calls alternate raw / gateway so server and machine noise hit both alike; medians are compared.
 * 2. Tokens per second the llamacpp provider generates on the tiny GGUF the tests use (random
 *    weights, so it never stops early), one thread, model already loaded.
 * Run: npx tsx bench/ai-gateway.bench.ts
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { AiGateway } from '../src/ai/gateway.js';
import { silentLogger } from '../src/ai/logger.js';
import { openDatabase } from '../src/store/database.js';
import { startFakeOpenAi } from '../test/fakes/openai-server.js';
import { closedPort } from '../test/helpers/http-server.js';
import { writeTinyGguf } from '../test/fixtures/tiny-gguf.js';

const CALLS = 400;
const WARMUP = 50;
const GENERATE_TOKENS = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), 'skynette-ai-bench-'));
const fake = await startFakeOpenAi();
const database = await openDatabase({ dataDir: dir, env: {} });
const nothing = `http://127.0.0.1:${await closedPort()}`;
const modelsDir = join(dir, 'models');
mkdirSync(modelsDir);
writeTinyGguf(join(modelsDir, 'tiny-random.gguf'), { mode: 'random' });

const gateway = await AiGateway.create({
  database,
  logger: silentLogger,
  env: {
    OPENAI_API_KEY: 'sk-test-openai',
    OPENAI_BASE_URL: fake.baseUrl,
    OLLAMA_HOST: nothing,
    LMSTUDIO_BASE_URL: `${nothing}/v1`,
    SKYNETTE_MODELS_DIR: modelsDir,
    SKYNETTE_LLAMA_GPU: 'false',
    SKYNETTE_LLAMA_THREADS: '1',
  },
});
const raw = new OpenAI({ apiKey: 'sk-test-openai', baseURL: fake.baseUrl, maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'hello' }];

try {
  const rawTimes: number[] = [];
  const gatewayTimes: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    let started = performance.now();
    await raw.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const rawMs = performance.now() - started;
    started = performance.now();
    await gateway.chat({ messages, provider: 'openai', model: 'gpt-4o-mini' });
    const gatewayMs = performance.now() - started;
    if (i >= WARMUP) {
      rawTimes.push(rawMs);
      gatewayTimes.push(gatewayMs);
    }
  }
  const rawMedian = median(rawTimes);
  const gatewayMedian = median(gatewayTimes);
  console.log(
    `ai gateway overhead per chat call over the raw openai SDK: ${(gatewayMedian - rawMedian).toFixed(3)} ms (median of ${CALLS}: raw ${rawMedian.toFixed(3)} ms, gateway ${gatewayMedian.toFixed(3)} ms, usage row included)`,
  );

  const llama = { provider: 'llamacpp', model: 'tiny-random', max_tokens: GENERATE_TOKENS, temperature: 0 };
  await gateway.complete({ ...llama, prompt: 'warm up', max_tokens: 8 });
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await gateway.complete({ ...llama, prompt: `the ${i} one two three` }));
  const tokens = runs.reduce((sum, r) => sum + r.usage.output_tokens, 0);
  const seconds = runs.reduce((sum, r) => sum + r.latency_ms, 0) / 1000;
  console.log(`llamacpp tokens/s on the tiny GGUF (random weights, 1 thread, through the gateway): ${(tokens / seconds).toFixed(0)} (${tokens} tokens in ${seconds.toFixed(2)} s)`);
} finally {
  await gateway.close();
  await database.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
