/**
 * A local server speaking Ollama's native API as its reference documents it: POST /api/chat and
 * POST /api/generate (one JSON object with `"stream": false`, else newline-delimited JSON objects
 * ending with `"done": true` and the eval counts; streaming is the default when `stream` is
 * absent), tool calls with arguments as objects, images as base64 strings, `format` as "json" or
 * a JSON schema, POST /api/embed, GET /api/tags, and errors as `{"error": "..."}`. No auth.
 */
import type { ServerResponse } from 'node:http';
import { startTestServer, type ScriptedResponse, type TestServer } from '../helpers/http-server.js';
import { answerGenericFault, countTokens, fakeVector, FaultQueue, jsonBody, type Fault } from './common.js';
import type { FakeReply } from './openai-server.js';

export interface FakeOllama {
  url: string;
  server: TestServer;
  faults: FaultQueue;
  respond: (body: any) => FakeReply;
  bodies(path: string): any[];
  close(): Promise<void>;
}

function error(status: number, message: string): ScriptedResponse {
  return { status, json: { error: message } };
}

export function checkChatBody(body: any): string | undefined {
  if (typeof body?.model !== 'string' || !body.model) return 'model is required';
  if (!Array.isArray(body.messages)) return 'messages must be an array';
  for (const [i, m] of (body.messages as any[]).entries()) {
    if (!['system', 'user', 'assistant', 'tool'].includes(m?.role)) return `messages[${i}]: invalid role ${m?.role}`;
    if (typeof m.content !== 'string') return `messages[${i}].content must be a string`;
    if (m.images !== undefined && (!Array.isArray(m.images) || m.images.some((x: unknown) => typeof x !== 'string'))) return `messages[${i}].images must be base64 strings`;
    if (m.tool_calls !== undefined) {
      for (const call of m.tool_calls) if (typeof call?.function?.name !== 'string' || typeof call.function.arguments !== 'object') return `messages[${i}].tool_calls: function {name, arguments (an object)} required`;
    }
  }
  if (body.format !== undefined && body.format !== 'json' && (typeof body.format !== 'object' || body.format === null)) return 'format must be "json" or a JSON schema';
  if (body.options !== undefined && (typeof body.options !== 'object' || body.options === null)) return 'options must be an object';
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return 'stream must be a boolean';
  return undefined;
}

export async function startFakeOllama(options: { models?: string[]; chunkDelayMs?: number } = {}): Promise<FakeOllama> {
  const server = await startTestServer();
  const faults = new FaultQueue();
  const models = options.models ?? ['llama3.2:latest', 'nomic-embed-text:latest'];
  const known = (name: string) => models.includes(name) || models.includes(`${name}:latest`);
  const created = '2025-01-01T00:00:00.000000Z';

  const fake: FakeOllama = {
    url: server.url,
    server,
    faults,
    respond: (body) => {
      const last = [...(body.messages ?? [])].reverse().find((m: any) => m.role === 'user');
      return { text: `ollama says: ${last?.content ?? body.prompt ?? ''}` };
    },
    bodies: (path) => server.requests.filter((r) => r.path === path).map((r) => r.json()),
    close: () => server.close(),
  };

  function faultResponse(fault: Fault, res: ServerResponse): ScriptedResponse | 'handled' | undefined {
    if (fault.kind === 'status') {
      const response = error(fault.status, fault.message ?? (fault.status === 429 ? 'too many requests' : 'server busy, please try again'));
      if (fault.retryAfter !== undefined) response.headers = { 'retry-after': fault.retryAfter };
      return response;
    }
    return answerGenericFault(fault, res);
  }

  async function streamLines(res: ServerResponse, lines: object[], fault: Fault | undefined): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const [i, line] of lines.entries()) {
      const last = i === lines.length - 1;
      if (last && fault?.kind === 'truncate') {
        res.end();
        return;
      }
      res.write(JSON.stringify(line) + '\n');
      if (i === 0 && fault?.kind === 'fail_after_first_token') {
        // Let the first token reach the client before the connection dies.
        await new Promise((resolve) => setTimeout(resolve, 50));
        res.socket?.destroy();
        return;
      }
    }
    res.end();
  }

  server.on('*', '/api/chat', (req, res) => {
    if (req.method !== 'POST') return error(405, 'method not allowed');
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error);
    const body = parsed.body;
    const problem = checkChatBody(body);
    if (problem) return error(400, problem);
    if (!known(body.model)) return error(404, `model "${body.model}" not found, try pulling it first`);
    const fault = faults.take(req.path);
    if (fault && fault.kind !== 'truncate' && fault.kind !== 'fail_after_first_token') {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    const reply = fake.respond(body);
    const prompt = (body.messages as any[]).reduce((sum, m) => sum + countTokens(m.content), 0);
    const evalCount = countTokens(reply.text ?? '') + (reply.tool_calls?.length ?? 0) * 5;
    const toolCalls = (reply.tool_calls ?? []).map((c) => ({ function: { name: c.name, arguments: c.arguments } }));
    const final = { model: body.model, created_at: created, done: true, done_reason: 'stop', total_duration: 1000, load_duration: 10, prompt_eval_count: prompt, eval_count: evalCount };
    if (body.stream === false) {
      if (fault) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"model": "cut", "message": {');
        return;
      }
      return { json: { ...final, message: { role: 'assistant', content: reply.text ?? '', ...(toolCalls.length ? { tool_calls: toolCalls } : {}) } } };
    }
    const words = (reply.text ?? '').split(/(?<= )/).filter(Boolean);
    const lines: object[] = words.map((word) => ({ model: body.model, created_at: created, message: { role: 'assistant', content: word }, done: false }));
    if (toolCalls.length) lines.push({ model: body.model, created_at: created, message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false });
    lines.push({ ...final, message: { role: 'assistant', content: '' } });
    return streamLines(res, lines, fault);
  });

  server.on('*', '/api/generate', (req, res) => {
    if (req.method !== 'POST') return error(405, 'method not allowed');
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error);
    const body = parsed.body;
    if (typeof body.model !== 'string') return error(400, 'model is required');
    if (typeof body.prompt !== 'string') return error(400, 'prompt must be a string');
    if (!known(body.model)) return error(404, `model "${body.model}" not found, try pulling it first`);
    const fault = faults.take(req.path);
    if (fault) {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    const text = fake.respond(body).text ?? '';
    const final = { model: body.model, created_at: created, done: true, done_reason: 'stop', prompt_eval_count: countTokens(body.prompt), eval_count: countTokens(text) };
    if (body.stream === false) return { json: { ...final, response: text } };
    const lines = [...text.split(/(?<= )/).map((word) => ({ model: body.model, created_at: created, response: word, done: false })), { ...final, response: '' }];
    return streamLines(res, lines, undefined);
  });

  server.on('*', '/api/embed', (req, res) => {
    if (req.method !== 'POST') return error(405, 'method not allowed');
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error);
    const body = parsed.body;
    if (typeof body.model !== 'string') return error(400, 'model is required');
    const inputs: unknown[] = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : [];
    if (!inputs.length || inputs.some((t) => typeof t !== 'string')) return error(400, 'input must be a string or a list of strings');
    if (!known(body.model)) return error(404, `model "${body.model}" not found, try pulling it first`);
    const fault = faults.take(req.path);
    if (fault) {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    return {
      json: {
        model: body.model,
        embeddings: (inputs as string[]).map((t) => fakeVector(t, 6)),
        total_duration: 1000,
        load_duration: 10,
        prompt_eval_count: (inputs as string[]).reduce((sum, t) => sum + countTokens(t), 0),
      },
    };
  });

  server.on('*', '/api/tags', (req, res) => {
    if (req.method !== 'GET') return error(405, 'method not allowed');
    const fault = faults.take(req.path);
    if (fault) {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    return {
      json: {
        models: models.map((name) => ({ name, model: name, modified_at: created, size: 2_000_000_000, digest: 'sha256:fake', details: { format: 'gguf', family: 'llama', parameter_size: '3B', quantization_level: 'Q4_K_M' } })),
      },
    };
  });

  return fake;
}
