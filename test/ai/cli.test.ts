import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { projectRoot } from '../helpers/cli.js';
import { closedUrl } from './helpers.js';

let fake: FakeOpenAi;
let dataDir: string;

before(async () => {
  fake = await startFakeOpenAi();
  dataDir = mkdtempSync(join(tmpdir(), 'skynette-ai-cli-'));
});
after(async () => {
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `skynette ai ARGS` once per list, all in one process; a result per command. */
async function ai(...commands: string[][]): Promise<Result[]> {
  const nothing = await closedUrl();
  const args = commands.flatMap((command, i) => (i === 0 ? ['ai', ...command] : ['--then', 'ai', ...command]));
  const output = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/ai/cli-entry.ts'), ...args], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: dataDir,
        NO_COLOR: '1',
        SKYNETTE_DATA_DIR: dataDir,
        SKYNETTE_ENCRYPTION_KEY: 'cli test passphrase',
        OPENAI_API_KEY: 'sk-test-openai',
        OPENAI_BASE_URL: fake.baseUrl,
        OLLAMA_HOST: nothing,
        LMSTUDIO_BASE_URL: `${nothing}/v1`,
        SKYNETTE_MODELS_DIR: join(dataDir, 'models'),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
  });
  const split = (text: string) => text.split(/@@END -?\d+@@\n/);
  const outs = split(output.stdout);
  const errs = split(output.stderr);
  const codes = [...output.stdout.matchAll(/@@END (-?\d+)@@/g)].map((m) => Number(m[1]));
  assert.equal(codes.length, commands.length, `not every command ran: ${output.stderr}`);
  return codes.map((code, i) => ({ code, stdout: outs[i], stderr: errs[i] }));
}

describe('skynette ai', () => {
  it('lists providers, changes priority and enables/disables them', async () => {
    const [priority, disabled, list, jsonList, unknown] = await ai(
      ['providers', 'priority', 'ollama', '5'],
      ['providers', 'disable', 'anthropic'],
      ['providers', 'list'],
      ['providers', 'list', '--json'],
      ['providers', 'enable', 'skynet'],
    );
    assert.equal(priority.code, 0, priority.stderr);
    assert.match(priority.stdout, /order: ollama > openai > anthropic > lmstudio > llamacpp/);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^\s+5\s+ollama\s+configured/m);
    assert.match(list.stdout, /openai\s+configured/);
    assert.match(list.stdout, /anthropic\s+disabled/);
    assert.match(list.stdout, /llamacpp\s+not configured/);
    assert.match(list.stdout, /no \.gguf model in/);
    const json = JSON.parse(jsonList.stdout);
    assert.equal(json[0].name, 'ollama');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown AI provider "skynet"/);
  });

  it('chats with a streamed reply, tests a provider and shows usage', async () => {
    const [chat, test, failing, usage, bad] = await ai(
      ['chat', '-p', 'openai', 'hello there'],
      ['providers', 'test', 'openai'],
      ['providers', 'test', 'ollama'],
      ['usage', '--by', 'provider'],
      ['usage', '--since', 'someday'],
    );
    assert.equal(chat.code, 0, chat.stderr);
    assert.equal(chat.stdout, 'reply to: hello there\n');
    assert.match(chat.stderr, /openai\/gpt-4o-mini, \d+\+\d+ tokens/);
    const chatBody = fake.bodies('/v1/chat/completions').find((b) => b.messages.at(-1).content === 'hello there');
    assert.equal(chatBody.stream, true);

    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /✓ openai answered with gpt-4o-mini/);
    assert.equal(failing.code, 1);
    assert.match(failing.stdout, /✗ ollama: .*cannot reach Ollama/);

    assert.equal(usage.code, 0, usage.stderr);
    assert.match(usage.stdout, /^openai\s+2\s+0\s/m);
    assert.match(usage.stdout, /^ollama\s+1\s+1\s/m);
    assert.match(usage.stdout, /^total\s+3\s+1\s/m);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"someday" is not a date/);
  });

  it('sets budgets and prices, and lists models', async () => {
    const [set, list, price, prices, models] = await ai(
      ['budget', 'set', 'openai', 'month', '25'],
      ['budget', 'list'],
      ['prices', 'set', 'gpt-4o-mini', '--input', '1', '--output', '2'],
      ['prices', 'list'],
      ['models'],
    );
    assert.equal(set.code, 0, set.stderr);
    assert.match(list.stdout, /monthly openai budget of \$25\.00\s+\$0\.\d+ spent \(0%\)/);
    assert.match(list.stdout, /over budget: refuse the call/);
    assert.equal(price.code, 0, price.stderr);
    assert.match(prices.stdout, /openai\/gpt-4o-mini \*\s+1\s+2/);
    assert.equal(models.code, 0, models.stderr);
    assert.match(models.stdout, /^openai\n(.*\n)*\s+gpt-4o\n/m);
    assert.match(models.stdout, /^ollama\s+ollama: cannot reach Ollama/m);
  });
});
