/**
 * One process of the conversation-memory test: runs a workflow with an ai-chat node through the
 * engine, with the gateway getGateway() builds from the environment (SKYNETTE_DATA_DIR,
 * OPENAI_API_KEY, OPENAI_BASE_URL), prints the node's output as JSON and exits.
 *   node --import tsx test/ai/chat-process.ts "message" [clear]
 */
import { getGateway } from '../../src/ai/gateway.js';
import { runWorkflow } from '../../src/engine/runner.js';
import { aiNodes } from '../../src/nodes/ai/index.js';
import { findNode, registerNode } from '../../src/nodes/registry.js';
import { parseWorkflowText } from '../../src/workflow/parse.js';

for (const node of aiNodes) if (!findNode(node.type)) registerNode(node);

const workflowText = `
id: memory
name: Memory
nodes:
  - {id: start, type: manual_trigger, name: Start}
  - id: chat
    type: ai-chat
    name: Chat
    config:
      message: "{{ $trigger.message }}"
      conversation_id: "{{ $trigger.user }}"
      system_prompt: You remember what the user said.
      window_size: 10
      clear: "{{ $trigger.clear }}"
connections:
  - {source_node_id: start, target_node_id: chat}
`;

const parsed = parseWorkflowText(workflowText);
if (!parsed.workflow) throw new Error(JSON.stringify(parsed.errors));
const record = await runWorkflow(parsed.workflow, { trigger: { message: process.argv[2] ?? '', user: 'user-42', clear: process.argv[3] === 'clear' } });
const chat = record.node_results.find((r) => r.node_id === 'chat');
process.stdout.write(JSON.stringify({ status: record.status, error: record.error, output: chat?.output }) + '\n');
await (await getGateway()).close();
