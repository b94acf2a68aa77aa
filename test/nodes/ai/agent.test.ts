import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../../fakes/openai-server.js';
import { startTestServer, type TestServer } from '../../helpers/http-server.js';
import { testGateway, type TestGateway } from '../../ai/helpers.js';
import { nodeContext } from '../../helpers/node-context.js';
import { setGateway } from '../../../src/ai/gateway.js';
import { aiAgentNode } from '../../../src/nodes/ai/agent.js';
import { SkynetteError } from '../../../src/util/errors.js';
import { openContext } from '../../../src/executions/context.js';
import { parseWorkflowText } from '../../../src/workflow/parse.js';

let fake: FakeOpenAi;
let api: TestServer;
let t: TestGateway;
let dataDir: string;

before(async () => {
  [fake, api] = await Promise.all([startFakeOpenAi(), startTestServer()]);
  t = await testGateway({ env: { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: fake.baseUrl } });
  setGateway(t.gateway);
  dataDir = mkdtempSync(join(tmpdir(), 'skynette-agent-'));
  process.env.SKYNETTE_DATA_DIR = dataDir;
  process.env.SKYNETTE_ENCRYPTION_KEY = 'agent test passphrase';
});
after(async () => {
  setGateway(undefined);
  await t.close();
  await Promise.all([fake.close(), api.close()]);
  rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.server.requests.length = 0;
  api.reset();
});

const weatherTool = () => ({
  name: 'weather',
  description: 'Current weather for a city',
  method: 'GET',
  url: `${api.url}/weather/{city}`,
  parameters: { type: 'object', properties: { city: { type: 'string' }, units: { type: 'string' } }, required: ['city'] },
  headers: { 'x-client': 'skynette' },
});

async function runAgent(config: Record<string, unknown>) {
  const ctx = nodeContext(aiAgentNode, config);
  return { output: (await aiAgentNode.run(ctx)) as Record<string, any>, ctx };
}

describe('ai-agent', () => {
  it('calls an HTTP tool, feeds the result back, answers, and keeps the whole trace', async () => {
    api.on('GET', /^\/weather\//, (req) => ({ json: { city: decodeURIComponent(req.path.split('/')[2]), temp_c: 4, units: req.query.units } }));
    fake.respond = (body) => {
      const last = body.messages.at(-1);
      if (last.role === 'tool') return { text: `It is ${JSON.parse(last.content).body.temp_c} °C, wear a coat.` };
      return { tool_calls: [{ name: 'weather', arguments: { city: 'São Paulo', units: 'metric' } }] };
    };
    const { output } = await runAgent({ task: 'What should I wear in São Paulo?', tools: [weatherTool()] });
    assert.equal(output.text, 'It is 4 °C, wear a coat.');
    assert.equal(output.stop_reason, 'answer');
    assert.equal(output.steps, 2);
    assert.deepEqual(output.trace.map((e: any) => e.type), ['model', 'tool', 'model']);
    const tool = output.trace[1];
    assert.equal(tool.ok, true);
    assert.deepEqual(tool.arguments, { city: 'São Paulo', units: 'metric' });
    assert.equal(tool.result.status, 200);
    const request = api.last();
    assert.equal(request.path, '/weather/S%C3%A3o%20Paulo');
    assert.equal(request.query.units, 'metric');
    assert.equal(request.headers['x-client'], 'skynette');
    assert.equal(output.provider, 'openai');
    assert.ok(output.usage.input_tokens > 0);
    const sentTools = fake.bodies('/v1/chat/completions')[0].tools;
    assert.equal(sentTools[0].function.name, 'weather');
    assert.equal(sentTools[0].function.parameters.required[0], 'city');
  });

  it('posts JSON to a tool and reports tool failures to the model instead of failing', async () => {
    api.on('POST', '/orders', { status: 500, json: { error: 'database down' } });
    let step = 0;
    fake.respond = (body) => {
      step++;
      if (step === 1) return { tool_calls: [{ name: 'create_order', arguments: { sku: 'A1', qty: 2 } }, { name: 'teleport', arguments: {} }] };
      const results = body.messages.filter((m: any) => m.role === 'tool').map((m: any) => m.content);
      return { text: `Could not do it: ${results.join(' | ')}` };
    };
    const { output, ctx } = await runAgent({
      task: 'Order two A1',
      tools: [{ name: 'create_order', method: 'POST', url: `${api.url}/orders`, parameters: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } }],
    });
    assert.deepEqual(api.last().json(), { sku: 'A1', qty: 2 });
    assert.match(output.text, /"status":500/);
    assert.match(output.text, /no tool named "teleport"/);
    const toolEntries = output.trace.filter((e: any) => e.type === 'tool');
    assert.equal(toolEntries[1].ok, false);
    assert.ok(ctx.logs.some((l) => /teleport failed/.test(l.message)));
  });

  it('stops at the step limit with what it has', async () => {
    api.on('GET', /^\/weather\//, { json: { temp_c: 1 } });
    fake.respond = () => ({ text: 'checking again', tool_calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] });
    const { output, ctx } = await runAgent({ task: 'loop forever', tools: [weatherTool()], max_steps: 3 });
    assert.equal(output.stop_reason, 'max_steps');
    assert.equal(output.steps, 3);
    assert.equal(output.trace.filter((e: any) => e.type === 'model').length, 3);
    assert.equal(api.requests.length, 3);
    assert.ok(ctx.logs.some((l) => l.level === 'warn' && /max_steps/.test(l.message)));
  });

  it('runs a stored workflow as a tool', async () => {
    const context = await openContext({ dataDir });
    try {
      const parsed = parseWorkflowText(`
id: double
name: Double it
nodes:
  - {id: start, type: manual_trigger, name: Start}
  - id: calc
    type: set_variable
    name: Calc
    config: {variable_name: doubled, value: "{{ $trigger.n * 2 }}"}
connections:
  - {source_node_id: start, target_node_id: calc}
`);
      await context.library.save(parsed.workflow!, 'test');
    } finally {
      await context.close();
    }
    fake.respond = (body) => {
      const last = body.messages.at(-1);
      if (last.role === 'tool') return { text: `result ${last.content}` };
      return { tool_calls: [{ name: 'double', arguments: { n: 21 } }] };
    };
    const { output } = await runAgent({
      task: 'Double 21',
      tools: [{ name: 'double', description: 'doubles n', workflow: 'Double it', parameters: { type: 'object', properties: { n: { type: 'number' } } } }],
    });
    const tool = output.trace.find((e: any) => e.type === 'tool');
    assert.equal(tool.ok, true, tool.error);
    assert.match(output.text, /42/);
  });

  it('refuses a tool list it cannot use, naming the tool', async () => {
    for (const [tools, pattern] of [
      [[{ name: 'bad name!', url: 'https://x' }], /tools\[0\]: name/],
      [[{ name: 'a', url: 'ftp://x' }], /tools\[0\]: url/],
      [[{ name: 'a', url: 'https://x' }, { name: 'a', url: 'https://y' }], /tools\[1\]: name: "a" is used twice/],
      [[{ name: 'a', url: 'https://x', method: 'FETCH' }], /method/],
      [[{ name: 'a', url: 'https://x', parameters: { type: 'string' } }], /parameters/],
    ] as const) {
      await assert.rejects(runAgent({ task: 'x', tools }), (error: SkynetteError) => {
        assert.equal(error.code, 'INVALID_CONFIG');
        assert.match(error.message, pattern);
        return true;
      });
    }
  });
});
