import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setGateway, type AiGateway } from '../../../src/ai/gateway.js';
import type { ChatRequest } from '../../../src/ai/types.js';
import { useKnowledgeBaseDatabase } from '../../../src/rag/index.js';
import { ragNodes } from '../../../src/nodes/rag/index.js';
import { buildAnswerPrompt, citedSources, NO_SOURCES_ANSWER, ragAnswerNode } from '../../../src/nodes/rag/rag-answer.js';
import { ragIngestNode } from '../../../src/nodes/rag/rag-ingest.js';
import { ragQueryNode } from '../../../src/nodes/rag/rag-query.js';
import { nodeContext } from '../../helpers/node-context.js';
import { ragTestEnv, type RagTestEnv } from '../../rag/helpers.js';

describe('knowledge-base nodes', () => {
  let env: RagTestEnv;
  const chats: ChatRequest[] = [];
  let reply = 'Paris is the capital of France [2].';

  before(async () => {
    env = await ragTestEnv({ words: ['sleeps', 'sofa', 'run', 'night', 'tool'] });
    useKnowledgeBaseDatabase(env.database, { modelsDir: env.modelsDir });
    setGateway({
      async chat(request: ChatRequest) {
        chats.push(request);
        return { text: reply, provider: 'fake', model: 'fake-1', usage: { input_tokens: 120, output_tokens: 12 }, cost_usd: 0, latency_ms: 3, tried: [] };
      },
    } as unknown as AiGateway);
    mkdirSync(env.docsDir, { recursive: true });
    writeFileSync(join(env.docsDir, 'backup.txt'), 'Run the database backup tool every night.');
    writeFileSync(join(env.docsDir, 'paris.md'), '# Geography\n\nParis is the capital of France.');
    writeFileSync(join(env.docsDir, 'empty.txt'), '');
    await env.service.create({ name: 'handbook', model: 'tiny-bert' });
  });
  after(async () => {
    setGateway(undefined);
    await env.close();
  });

  it('are exported for the registry with their declared types', () => {
    assert.deepEqual(
      ragNodes.map((n) => [n.type, n.category]),
      [
        ['rag-ingest', 'rag'],
        ['rag-query', 'rag'],
        ['rag-answer', 'rag'],
      ],
    );
  });

  it('rag-ingest adds a folder and a text document, listing failures per document', async () => {
    const output = (await ragIngestNode.run(nodeContext(ragIngestNode, { knowledge_base: 'handbook', sources: [env.docsDir] }))) as Record<string, any>;
    assert.equal(output.added, 2);
    assert.equal(output.failed, 1);
    assert.equal(output.documents.find((d: any) => d.status === 'failed').error.code, 'DOCUMENT_EMPTY');
    const text = (await ragIngestNode.run(
      nodeContext(ragIngestNode, { knowledge_base: 'handbook', text: 'The kitten sleeps on the sofa.', document_id: 'ticket-42', title: 'Ticket 42', metadata: { team: 'support' } }),
    )) as Record<string, any>;
    assert.equal(text.added, 1);
    await assert.rejects(
      Promise.resolve(ragIngestNode.run(nodeContext(ragIngestNode, { knowledge_base: 'handbook', sources: env.docsDir, fail_on_error: true }))),
      /1 document could not be added to handbook; first: .*empty\.txt is empty/,
    );
    await assert.rejects(Promise.resolve(ragIngestNode.run(nodeContext(ragIngestNode, { knowledge_base: 'handbook', text: 'x' }))), /needs an id/);
    const created = (await ragIngestNode.run(nodeContext(ragIngestNode, { knowledge_base: 'scratch', create_if_missing: true, model: 'none', text: 'hello world', document_id: 'h' }))) as Record<string, any>;
    assert.equal(created.added, 1);
    assert.match(created.notice, /keyword search only/);
  });

  it('rag-query returns hits with text, document, position, score and the index that found them', async () => {
    const output = (await ragQueryNode.run(nodeContext(ragQueryNode, { knowledge_base: 'handbook', query: 'feline', k: 2 }))) as Record<string, any>;
    assert.equal(output.mode, 'hybrid');
    assert.equal(output.hits.length, 2);
    assert.equal(output.hits[0].document.source, 'ticket-42');
    assert.equal(output.hits[0].document.title, 'Ticket 42');
    assert.deepEqual(output.hits[0].found_by, ['vector']);
    assert.equal(output.hits[0].position, 0);
    assert.equal(typeof output.hits[0].score, 'number');
    const filtered = (await ragQueryNode.run(nodeContext(ragQueryNode, { knowledge_base: 'handbook', query: 'the', mode: 'keyword', filter: { team: 'support' } }))) as Record<string, any>;
    assert.deepEqual(
      filtered.hits.map((h: any) => h.document.source),
      ['ticket-42'],
    );
  });

  it('rag-answer retrieves, asks the gateway with numbered sources, and returns the answer with the sources it cited', async () => {
    chats.length = 0;
    const ctx = nodeContext(ragAnswerNode, { knowledge_base: 'handbook', question: 'What is the capital of France?', k: 3, provider: 'auto' });
    const output = (await ragAnswerNode.run(ctx)) as Record<string, any>;
    assert.equal(chats.length, 1);
    const system = chats[0].messages[0].content as string;
    assert.match(system, /cite the sources it comes from by number in square brackets/);
    assert.match(system, /\[1\] .*\n/);
    assert.equal(chats[0].messages[1].content, 'What is the capital of France?');
    assert.deepEqual(chats[0].context, { workflow_id: 'wf_test', execution_id: 'exec_test', node_id: 'test_node' });
    const second = /\[2\] (.*)\n(.*)/.exec(system)!;
    assert.equal(output.answer, reply);
    assert.deepEqual(output.citations, [2]);
    assert.equal(output.sources.length, 1);
    assert.equal(output.sources[0].n, 2);
    assert.equal(output.sources[0].cited, true);
    assert.equal(output.sources[0].text, second[2]);
    assert.equal(output.retrieved, 3);
    assert.equal(output.provider, 'fake');
    assert.deepEqual(output.usage, { input_tokens: 120, output_tokens: 12, cost_usd: 0 });
  });

  it('rag-answer without citations returns every retrieved source, and does not ask the model when nothing is found', async () => {
    reply = 'I do not know.';
    const uncited = (await ragAnswerNode.run(nodeContext(ragAnswerNode, { knowledge_base: 'handbook', question: 'Where is Paris?', k: 2 }))) as Record<string, any>;
    assert.deepEqual(uncited.citations, []);
    assert.equal(uncited.sources.length, 2);
    assert.ok(uncited.sources.every((s: any) => s.cited === false));
    chats.length = 0;
    const none = (await ragAnswerNode.run(nodeContext(ragAnswerNode, { knowledge_base: 'scratch', question: 'zebra' }))) as Record<string, any>;
    assert.equal(none.answer, NO_SOURCES_ANSWER);
    assert.equal(none.found, false);
    assert.equal(chats.length, 0);
  });

  it('parses citations and builds prompts', () => {
    assert.deepEqual(citedSources('A [2]. B [1][2]. C [3, 1]. D [9].', 3), [2, 1, 3]);
    const prompt = buildAnswerPrompt(
      'Q?',
      [{ chunk_id: 1, text: 'x'.repeat(50), document: { id: 'd', source: '/a.md', title: 'A', type: 'markdown' }, position: 0, score: 1, found_by: ['keyword'], metadata: { heading_path: 'H > I', page: 2 } }],
      'Only from sources.',
      10,
    );
    assert.equal(prompt.system, 'Only from sources.\n\nSources:\n\n[1] A (/a.md, H > I, page 2)\nxxxxxxxxxx…');
  });
});
