import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { projectRoot } from '../helpers/cli.js';
import { createConversationStore, createMemoryConversationStore } from '../../src/ai/conversations.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { closedUrl } from './helpers.js';

let fake: FakeOpenAi;
let dataDir: string;

before(async () => {
  fake = await startFakeOpenAi();
  fake.respond = (body) => ({ text: `I have seen ${body.messages.filter((m: any) => m.role === 'user').length} user message(s); last: ${body.messages.at(-1).content}` });
  dataDir = mkdtempSync(join(tmpdir(), 'skynette-memory-'));
});
after(async () => {
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function runProcess(args: string[]): Promise<any> {
  const nothing = await closedUrl();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/ai/chat-process.ts'), ...args], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: dataDir,
        SKYNETTE_DATA_DIR: dataDir,
        SKYNETTE_ENCRYPTION_KEY: 'memory test passphrase',
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
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`exit ${code}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
    });
  });
}

describe('ai-chat conversation memory', () => {
  it('continues a conversation in a second process, and forgets it on clear', async () => {
    const first = await runProcess(['My name is Ada.']);
    assert.equal(first.status, 'completed', JSON.stringify(first.error));
    assert.equal(first.output.text, 'I have seen 1 user message(s); last: My name is Ada.');
    assert.equal(first.output.provider, 'openai');

    const second = await runProcess(['What is my name?']);
    assert.equal(second.status, 'completed', JSON.stringify(second.error));
    assert.equal(second.output.text, 'I have seen 2 user message(s); last: What is my name?');
    assert.equal(second.output.history_length, 4);
    const sent = fake.server.last().json().messages;
    assert.deepEqual(
      sent.map((m: any) => [m.role, m.content]),
      [
        ['system', 'You remember what the user said.'],
        ['user', 'My name is Ada.'],
        ['assistant', 'I have seen 1 user message(s); last: My name is Ada.'],
        ['user', 'What is my name?'],
      ],
    );

    const cleared = await runProcess(['Start over.', 'clear']);
    assert.equal(cleared.output.cleared_messages, 4);
    assert.equal(cleared.output.text, 'I have seen 1 user message(s); last: Start over.');
  });
});

describe('conversation store', () => {
  let database: Database;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skynette-conv-'));
    database = await openDatabase({ dataDir: dir, env: {} });
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, make] of [
    ['sql', () => createConversationStore(database.db)],
    ['memory', () => createMemoryConversationStore()],
  ] as const) {
    it(`keeps messages in order, reads a window from a user turn, and clears (${name})`, async () => {
      const store = make();
      const id = `c-${name}`;
      await store.append(id, [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
      ]);
      await store.append(id, [
        { role: 'user', content: [{ type: 'text', text: 'q2' }] },
        { role: 'assistant', content: '', tool_calls: [{ id: 't1', name: 'x', arguments: { a: 1 } }] },
        { role: 'tool', content: 'r', tool_call_id: 't1' },
        { role: 'assistant', content: 'a2' },
      ]);
      assert.equal(await store.count(id), 6);
      const all = await store.load(id);
      assert.equal(all.length, 6);
      assert.deepEqual(all[3].tool_calls, [{ id: 't1', name: 'x', arguments: { a: 1 } }]);
      assert.equal(all[4].tool_call_id, 't1');
      // The last 5 would start at an answer; the window starts at the user turn after it.
      const window = await store.load(id, 5);
      assert.deepEqual(window[0], { role: 'user', content: [{ type: 'text', text: 'q2' }] });
      assert.equal(window.length, 4);
      assert.equal(await store.clear(id), 6);
      assert.deepEqual(await store.load(id), []);
    });
  }
});
