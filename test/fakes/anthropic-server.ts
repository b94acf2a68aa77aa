/**
 * A local server speaking Anthropic's Messages API as its reference documents it: POST
 * /v1/messages (a Message, or with `stream: true` the SSE events message_start,
 * content_block_start/delta/stop, message_delta, message_stop), tool use and tool results,
 * image blocks, GET /v1/models, and error bodies `{type: "error", error: {type, message}}`.
 * Checked on every request: the key (the documented `x-api-key` header, or a Bearer token as this
 * SDK release also sends), `anthropic-version`, JSON content type, and the body: model, max_tokens,
 * alternating user/assistant turns starting with user, well-formed content blocks and tools.
 */
import type { ServerResponse } from 'node:http';
import { startTestServer, type RecordedRequest, type ScriptedResponse, type TestServer } from '../helpers/http-server.js';
import { answerGenericFault, countTokens, FaultQueue, jsonBody, type Fault } from './common.js';
import type { FakeReply } from './openai-server.js';

export interface FakeAnthropicOptions {
  apiKey?: string;
  models?: string[];
}

export interface FakeAnthropic {
  baseUrl: string;
  server: TestServer;
  faults: FaultQueue;
  respond: (body: any) => FakeReply;
  bodies(path: string): any[];
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function error(status: number, message: string): ScriptedResponse {
  return { status, json: { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } } };
}

function checkBlock(block: any, role: string, where: string): string | undefined {
  switch (block?.type) {
    case 'text':
      return typeof block.text === 'string' && block.text.length > 0 ? undefined : `${where}.text: text content blocks must be non-empty`;
    case 'image': {
      if (role !== 'user') return `${where}: image blocks are only allowed in user turns`;
      const source = block.source;
      if (source?.type === 'base64') {
        return ['image/jpeg', 'image/png', 'image/gif', 'image/webp'].includes(source.media_type) && typeof source.data === 'string' ? undefined : `${where}.source: invalid base64 image source`;
      }
      if (source?.type === 'url') return typeof source.url === 'string' ? undefined : `${where}.source.url: required`;
      return `${where}.source.type: must be base64 or url`;
    }
    case 'tool_use':
      if (role !== 'assistant') return `${where}: tool_use blocks are only allowed in assistant turns`;
      return typeof block.id === 'string' && typeof block.name === 'string' && block.input && typeof block.input === 'object' ? undefined : `${where}: tool_use needs id, name and an input object`;
    case 'tool_result':
      if (role !== 'user') return `${where}: tool_result blocks are only allowed in user turns`;
      return typeof block.tool_use_id === 'string' ? undefined : `${where}.tool_use_id: Field required`;
    default:
      return `${where}.type: unknown content block type '${block?.type}'`;
  }
}

/** The documented request shape of messages.create; a text naming the first problem. */
export function checkMessagesBody(body: any): string | undefined {
  if (!body || typeof body !== 'object') return 'the body must be a JSON object';
  if (typeof body.model !== 'string' || !body.model) return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return 'max_tokens: Field required (a positive integer)';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) return 'system: must be a string or a list of text blocks';
  let expected = 'user';
  for (const [i, m] of (body.messages as any[]).entries()) {
    if (m?.role !== 'user' && m?.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (m.role !== expected) return `messages: roles must alternate between "user" and "assistant", starting with "user" (messages.${i})`;
    expected = m.role === 'user' ? 'assistant' : 'user';
    if (typeof m.content === 'string') {
      if (!m.content) return `messages.${i}: user messages must have non-empty content`;
      continue;
    }
    if (!Array.isArray(m.content) || !m.content.length) return `messages.${i}.content: must be a string or a non-empty list of blocks`;
    for (const [j, block] of (m.content as any[]).entries()) {
      const problem = checkBlock(block, m.role, `messages.${i}.content.${j}`);
      if (problem) return problem;
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools: must be a list';
    for (const [i, tool] of (body.tools as any[]).entries()) {
      if (typeof tool?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) return `tools.${i}.name: invalid`;
      if (!tool.input_schema || tool.input_schema.type !== 'object') return `tools.${i}.input_schema: must be a JSON schema of type object`;
    }
  }
  if (body.tool_choice !== undefined) {
    const tc = body.tool_choice;
    if (!['auto', 'any', 'tool', 'none'].includes(tc?.type)) return 'tool_choice.type: invalid';
    if (tc.type === 'tool' && !(body.tools ?? []).some((t: any) => t.name === tc.name)) return `tool_choice: no tool named '${tc.name}'`;
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) return 'temperature: must be between 0 and 1';
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return 'stream: must be a boolean';
  return undefined;
}

function lastUserText(body: any): string {
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    const text = (m.content as any[]).filter((b) => b.type === 'text').map((b) => b.text).join(' ');
    if (text) return text;
    const result = (m.content as any[]).find((b) => b.type === 'tool_result');
    if (result) return `tool result ${typeof result.content === 'string' ? result.content : JSON.stringify(result.content)}`;
  }
  return '';
}

function inputTokens(body: any): number {
  const system = typeof body.system === 'string' ? body.system : JSON.stringify(body.system ?? '');
  return countTokens(system) + (body.messages as any[]).reduce((sum, m) => sum + countTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content)), 0);
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const server = await startTestServer();
  const faults = new FaultQueue();
  const apiKey = options.apiKey ?? 'sk-ant-test';
  const models = options.models ?? ['claude-sonnet-4-20250514', 'claude-3-5-sonnet-20241022', 'claude-3-5-haiku-20241022', 'claude-3-opus-20240229'];
  let counter = 0;

  const fake: FakeAnthropic = {
    baseUrl: server.url,
    server,
    faults,
    respond: (body) => ({ text: `claude says: ${lastUserText(body)}` }),
    bodies: (path) => server.requests.filter((r) => r.path === path).map((r) => r.json()),
    close: () => server.close(),
  };

  function refuse(req: RecordedRequest, method: string): ScriptedResponse | undefined {
    if (req.method !== method) return error(405, `method ${req.method} not allowed`);
    const key = req.headers['x-api-key'] ?? String(req.headers.authorization ?? '').replace(/^Bearer\s+/, '');
    if (!key) return error(401, 'x-api-key header is required');
    if (key !== apiKey) return error(401, 'invalid x-api-key');
    if (!req.headers['anthropic-version']) return error(400, 'anthropic-version: header is required');
    return undefined;
  }

  function faultResponse(fault: Fault, res: ServerResponse): ScriptedResponse | 'handled' | undefined {
    if (fault.kind === 'status') {
      const response = error(fault.status, fault.message ?? (fault.status === 429 ? 'Number of request tokens has exceeded your per-minute rate limit' : fault.status === 529 ? 'Overloaded' : 'Internal server error'));
      if (fault.retryAfter !== undefined) response.headers = { 'retry-after': fault.retryAfter };
      return response;
    }
    return answerGenericFault(fault, res);
  }

  function content(reply: FakeReply): any[] {
    const blocks: any[] = [];
    if (reply.text) blocks.push({ type: 'text', text: reply.text });
    for (const call of reply.tool_calls ?? []) blocks.push({ type: 'tool_use', id: `toolu_${++counter}`, name: call.name, input: call.arguments });
    return blocks;
  }

  /** With a forced tool_choice the model must answer with that tool. */
  function replyFor(body: any): FakeReply {
    const reply = fake.respond(body);
    if (body.tool_choice?.type === 'tool' && !(reply.tool_calls ?? []).some((c) => c.name === body.tool_choice.name)) {
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(reply.text ?? '{}');
      } catch {
        input = { text: reply.text };
      }
      return { tool_calls: [{ name: body.tool_choice.name, arguments: input }] };
    }
    return reply;
  }

  async function stream(body: any, reply: FakeReply, res: ServerResponse, fault: Fault | undefined): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const id = `msg_${++counter}`;
    send('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', content: [], model: body.model, stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens(body), output_tokens: 1 } } });
    send('ping', { type: 'ping' });
    let index = 0;
    if (reply.text) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      const words = reply.text.split(/(?<= )/);
      for (const [i, word] of words.entries()) {
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: word } });
        if (i === 0 && fault?.kind === 'fail_after_first_token') {
          // Let the first token reach the client before the connection dies.
          await new Promise((resolve) => setTimeout(resolve, 50));
          res.socket?.destroy();
          return;
        }
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    if (fault?.kind === 'truncate') {
      res.end();
      return;
    }
    for (const call of reply.tool_calls ?? []) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: `toolu_${++counter}`, name: call.name, input: {} } });
      const json = JSON.stringify(call.arguments);
      const half = Math.ceil(json.length / 2);
      for (const piece of [json.slice(0, half), json.slice(half)]) send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    const output = countTokens(reply.text ?? '') + (reply.tool_calls?.length ?? 0) * 5;
    send('message_delta', { type: 'message_delta', delta: { stop_reason: reply.tool_calls?.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: output } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  server.on('*', '/v1/messages', (req, res) => {
    const refused = refuse(req, 'POST');
    if (refused) return refused;
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error);
    const body = parsed.body;
    const problem = checkMessagesBody(body);
    if (problem) return error(400, problem);
    if (!models.includes(body.model)) return error(404, `model: ${body.model}`);
    const fault = faults.take(req.path);
    if (fault && fault.kind !== 'truncate' && fault.kind !== 'fail_after_first_token') {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    const reply = replyFor(body);
    if (body.stream) return stream(body, reply, res, fault);
    if (fault) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
      res.write('{"id":"msg_cut","type":"message","content":[');
      res.socket?.destroy();
      return;
    }
    return {
      json: {
        id: `msg_${++counter}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: content(reply),
        stop_reason: reply.tool_calls?.length ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: inputTokens(body), output_tokens: countTokens(reply.text ?? '') + (reply.tool_calls?.length ?? 0) * 5 },
      },
    };
  });

  server.on('*', '/v1/models', (req) => {
    const refused = refuse(req, 'GET');
    if (refused) return refused;
    const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
    return { json: { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null } };
  });

  return fake;
}
