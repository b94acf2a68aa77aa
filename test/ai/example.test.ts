import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-server.js';
import { projectRoot } from '../helpers/cli.js';
import { testGateway, type TestGateway } from './helpers.js';
import { setGateway } from '../../src/ai/gateway.js';
import { runWorkflow } from '../../src/engine/runner.js';
import { aiNodes } from '../../src/nodes/ai/index.js';
import { findNode, registerNode } from '../../src/nodes/registry.js';
import { parseWorkflowText } from '../../src/workflow/parse.js';

let fake: FakeOpenAi;
let t: TestGateway;

before(async () => {
  for (const node of aiNodes) if (!findNode(node.type)) registerNode(node);
  fake = await startFakeOpenAi();
  fake.respond = (body) => ({ text: `SUMMARY(${body.messages[0].content.includes('bullet') ? 'bullets' : 'concise'}) of ${body.messages[1].content.split(' ').length} words` });
  t = await testGateway({ env: { OPENAI_API_KEY: 'sk-test-openai', OPENAI_BASE_URL: fake.baseUrl } });
  setGateway(t.gateway);
});
after(async () => {
  setGateway(undefined);
  await t.close();
  await fake.close();
});

describe('examples/summarize.yaml', () => {
  it('summarises the trigger text with the available provider', async () => {
    const parsed = parseWorkflowText(readFileSync(join(projectRoot, 'examples/summarize.yaml'), 'utf8'));
    assert.deepEqual(parsed.errors, []);
    const record = await runWorkflow(parsed.workflow!, { trigger: { text: 'one two three four', style: 'bullets' } });
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    const summary = record.node_results.find((r) => r.node_id === 'summarize')!.output as Record<string, any>;
    assert.equal(summary.summary, 'SUMMARY(bullets) of 4 words');
    assert.equal(summary.provider, 'openai');
    const report = record.node_results.find((r) => r.node_id === 'report')!;
    assert.match(report.logs[0].message, /SUMMARY\(bullets\) of 4 words \[openai\/gpt-4o-mini, \d+ tokens, \$[\d.e-]+\]/);
  });

  it('uses its sample text when the trigger has none', async () => {
    const parsed = parseWorkflowText(readFileSync(join(projectRoot, 'examples/summarize.yaml'), 'utf8'));
    const record = await runWorkflow(parsed.workflow!, { trigger: {} });
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    assert.match((record.node_results.find((r) => r.node_id === 'summarize')!.output as { summary: string }).summary, /SUMMARY\(concise\) of \d{2,} words/);
  });
});
