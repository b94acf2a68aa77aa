/**
 * A local server speaking OpenAI's REST API as its reference documents it (and LM Studio's
 * OpenAI-compatible subset): POST /v1/chat/completions (JSON, or SSE chunks ending in
 * `data: [DONE]` with `stream: true`, usage in a last chunk with `stream_options.include_usage`),
 * tool calls, POST /v1/embeddings (float or base64), POST /v1/images/generations (b64_json),
 * GET /v1/models. Every request is checked: method, path, `Authorization: Bearer <key>`, JSON
 * content type and body shape; a bad one gets OpenAI's error body with status 400/401/404.
 */
import type { ServerResponse } from 'node:http';
import { startTestServer, type RecordedRequest, type ScriptedResponse, type TestServer } from '../helpers/http-server.js';
import { answerGenericFault, countTokens, fakeVector, FaultQueue, jsonBody, TINY_PNG_BASE64, type Fault } from './common.js';

export interface FakeReply {
  text?: string;
  tool_calls?: Array<{ name: string; arguments: Record<string, unknown> }>;
}

export interface FakeOpenAiOptions {
  /** The key clients must send; null accepts any (LM Studio). */
  apiKey?: string | null;
  models?: string[];
  embeddingDimensions?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
}

export interface FakeOpenAi {
  /** Base URL for the SDK, ending in /v1. */
  baseUrl: string;
  server: TestServer;
  faults: FaultQueue;
  /** Decides the assistant's reply; the default echoes the last user text. */
  respond: (body: any) => FakeReply;
  /** Requests to one path, parsed. */
  bodies(path: string): any[];
  close(): Promise<void>;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function error(status: number, message: string, type: string, code: string | null = null, param: string | null = null): ScriptedResponse {
  return { status, json: { error: { message, type, param, code } } };
}

function lastUserText(body: any): string {
  const messages: any[] = body.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    return (m.content as any[]).filter((p) => p.type === 'text').map((p) => p.text).join(' ');
  }
  return '';
}

/** The documented request shape of chat.completions.create; a text naming the first problem. */
export function checkChatBody(body: any): string | undefined {
  if (!body || typeof body !== 'object') return 'the body must be a JSON object';
  if (typeof body.model !== 'string' || !body.model) return "'model' is a required property";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "'messages' must be a non-empty array";
  for (const [i, m] of (body.messages as any[]).entries()) {
    if (!m || !ROLES.has(m.role)) return `messages[${i}].role: invalid value '${m?.role}'`;
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string') return `messages[${i}].tool_call_id is required for role 'tool'`;
    if (m.role === 'assistant' && m.tool_calls) {
      for (const call of m.tool_calls) {
        if (call.type !== 'function' || typeof call.id !== 'string' || typeof call.function?.name !== 'string' || typeof call.function?.arguments !== 'string') {
          return `messages[${i}].tool_calls: each needs id, type 'function' and function {name, arguments (a JSON string)}`;
        }
      }
      if (m.content !== null && m.content !== undefined && typeof m.content !== 'string') return `messages[${i}].content must be a string or null`;
      continue;
    }
    if (typeof m.content === 'string') continue;
    if (!Array.isArray(m.content)) return `messages[${i}].content must be a string or an array of content parts`;
    for (const part of m.content) {
      if (part?.type === 'text' && typeof part.text === 'string') continue;
      if (part?.type === 'image_url' && typeof part.image_url?.url === 'string' && /^(https?:|data:image\/)/.test(part.image_url.url)) continue;
      return `messages[${i}].content: invalid content part ${JSON.stringify(part).slice(0, 80)}`;
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return "'tools' must be an array";
    for (const tool of body.tools) {
      if (tool?.type !== 'function' || typeof tool.function?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.function.name)) return `invalid tool ${JSON.stringify(tool).slice(0, 80)}`;
    }
  }
  if (body.response_format !== undefined) {
    const rf = body.response_format;
    if (!['text', 'json_object', 'json_schema'].includes(rf?.type)) return "response_format.type must be 'text', 'json_object' or 'json_schema'";
    if (rf.type === 'json_schema' && (typeof rf.json_schema?.name !== 'string' || typeof rf.json_schema?.schema !== 'object')) return 'response_format.json_schema needs name and schema';
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return "'stream' must be a boolean";
  if (body.max_tokens !== undefined && body.max_completion_tokens !== undefined) return 'max_tokens and max_completion_tokens cannot both be set';
  for (const name of ['max_tokens', 'max_completion_tokens']) {
    if (body[name] !== undefined && (!Number.isInteger(body[name]) || body[name] < 1)) return `'${name}' must be a positive integer`;
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2)) return "'temperature' must be between 0 and 2";
  return undefined;
}

function promptTokens(body: any): number {
  return (body.messages as any[]).reduce((sum, m) => sum + countTokens(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '')) + 3, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const server = await startTestServer();
  const faults = new FaultQueue();
  const apiKey = options.apiKey === undefined ? 'sk-test-openai' : options.apiKey;
  const models = options.models ?? ['gpt-4o', 'gpt-4o-mini', 'gpt-4-turbo', 'gpt-3.5-turbo', 'text-embedding-3-small', 'dall-e-3'];
  const dimensions = options.embeddingDimensions ?? 8;
  let created = 1_700_000_000;

  const fake: FakeOpenAi = {
    baseUrl: `${server.url}/v1`,
    server,
    faults,
    respond: (body) => ({ text: `reply to: ${lastUserText(body)}` }),
    bodies: (path) => server.requests.filter((r) => r.path === path).map((r) => r.json()),
    close: () => server.close(),
  };

  /** Auth and body checks shared by every endpoint; a response when the request is refused. */
  function refuse(req: RecordedRequest, method: string): ScriptedResponse | undefined {
    if (req.method !== method) return error(405, `Method ${req.method} not allowed on ${req.path}`, 'invalid_request_error');
    if (apiKey !== null) {
      const auth = String(req.headers.authorization ?? '');
      if (auth !== `Bearer ${apiKey}`) {
        return error(401, `Incorrect API key provided: ${auth.replace(/^Bearer\s+/, '').slice(0, 6)}***. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
      }
    }
    return undefined;
  }

  function faultResponse(fault: Fault, res: ServerResponse): ScriptedResponse | 'handled' | undefined {
    if (fault.kind === 'status') {
      const type = fault.status === 429 ? 'requests' : fault.status >= 500 ? 'server_error' : fault.status === 401 ? 'invalid_request_error' : 'invalid_request_error';
      const code = fault.status === 429 ? 'rate_limit_exceeded' : fault.status === 401 ? 'invalid_api_key' : null;
      const response = error(fault.status, fault.message ?? (fault.status === 429 ? 'Rate limit reached for requests' : 'The server had an error while processing your request.'), type, code);
      if (fault.retryAfter !== undefined) response.headers = { 'retry-after': fault.retryAfter };
      return response;
    }
    return answerGenericFault(fault, res);
  }

  async function streamChat(body: any, reply: FakeReply, res: ServerResponse, fault: Fault | undefined): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const id = `chatcmpl-${++created}`;
    const base = { id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_fake' };
    const send = (choices: unknown[], extra: Record<string, unknown> = {}) => res.write(`data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`);
    send([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    const words = (reply.text ?? '').split(/(?<= )/).filter(Boolean);
    for (const [i, word] of words.entries()) {
      if (options.chunkDelayMs) await sleep(options.chunkDelayMs);
      send([{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }]);
      if (i === 0 && fault?.kind === 'fail_after_first_token') {
        // Let the first token reach the client before the connection dies.
        await sleep(50);
        res.socket?.destroy();
        return;
      }
      if (fault?.kind === 'truncate' && i === Math.floor(words.length / 2)) {
        res.end();
        return;
      }
    }
    for (const [index, call] of (reply.tool_calls ?? []).entries()) {
      const args = JSON.stringify(call.arguments);
      send([{ index: 0, delta: { tool_calls: [{ index, id: `call_${index}_${created}`, type: 'function', function: { name: call.name, arguments: '' } }] }, logprobs: null, finish_reason: null }]);
      const half = Math.ceil(args.length / 2);
      for (const piece of [args.slice(0, half), args.slice(half)]) send([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, logprobs: null, finish_reason: null }]);
    }
    if (fault?.kind === 'truncate') {
      res.end();
      return;
    }
    send([{ index: 0, delta: {}, logprobs: null, finish_reason: reply.tool_calls?.length ? 'tool_calls' : 'stop' }]);
    if (body.stream_options?.include_usage) {
      const completion = countTokens(reply.text ?? '') + (reply.tool_calls?.length ?? 0) * 5;
      const prompt = promptTokens(body);
      send([], { usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } });
    }
    res.write('data: [DONE]\n\n');
    res.end();
  }

  server.on('*', '/v1/chat/completions', async (req, res) => {
    const refused = refuse(req, 'POST');
    if (refused) return refused;
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error, 'invalid_request_error');
    const body = parsed.body;
    const problem = checkChatBody(body);
    if (problem) return error(400, problem, 'invalid_request_error');
    if (!models.includes(body.model)) return error(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    const fault = faults.take(req.path);
    if (fault && fault.kind !== 'truncate' && fault.kind !== 'fail_after_first_token') {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    const reply = fake.respond(body);
    if (body.stream) return streamChat(body, reply, res, fault);
    if (fault?.kind === 'truncate' || fault?.kind === 'fail_after_first_token') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"id":"chatcmpl-cut","object":"chat.completion","choices":[');
      res.socket?.destroy();
      return;
    }
    const toolCalls = (reply.tool_calls ?? []).map((call, i) => ({ id: `call_${i}_${++created}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
    const completion = countTokens(reply.text ?? '') + toolCalls.length * 5;
    const prompt = promptTokens(body);
    return {
      json: {
        id: `chatcmpl-${++created}`,
        object: 'chat.completion',
        created,
        model: body.model,
        system_fingerprint: 'fp_fake',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: toolCalls.length ? (reply.text ?? null) : (reply.text ?? ''), refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
            logprobs: null,
            finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
          },
        ],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      },
    };
  });

  server.on('*', '/v1/embeddings', (req, res) => {
    const refused = refuse(req, 'POST');
    if (refused) return refused;
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error, 'invalid_request_error');
    const body = parsed.body;
    if (typeof body.model !== 'string') return error(400, "'model' is a required property", 'invalid_request_error');
    const inputs: unknown[] = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input : [];
    if (!inputs.length || inputs.some((t) => typeof t !== 'string' || !t)) return error(400, "'input' must be a non-empty string or array of strings", 'invalid_request_error');
    if (body.encoding_format !== undefined && !['float', 'base64'].includes(body.encoding_format)) return error(400, "'encoding_format' must be 'float' or 'base64'", 'invalid_request_error');
    if (!models.includes(body.model)) return error(404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    const fault = faults.take(req.path);
    if (fault) {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    const data = (inputs as string[]).map((text, index) => {
      const vector = fakeVector(text, dimensions);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = (inputs as string[]).reduce((sum, t) => sum + countTokens(t), 0);
    return { json: { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } } };
  });

  server.on('*', '/v1/images/generations', (req, res) => {
    const refused = refuse(req, 'POST');
    if (refused) return refused;
    const parsed = jsonBody(req);
    if (!parsed.ok) return error(400, parsed.error, 'invalid_request_error');
    const body = parsed.body;
    if (typeof body.prompt !== 'string' || !body.prompt) return error(400, "'prompt' is a required property", 'invalid_request_error', null, 'prompt');
    if (body.model === 'dall-e-3' && body.n !== undefined && body.n !== 1) return error(400, 'You must provide n=1 for this model.', 'invalid_request_error', null, 'n');
    if (body.size !== undefined && !['256x256', '512x512', '1024x1024', '1792x1024', '1024x1792'].includes(body.size)) return error(400, `'${body.size}' is not one of the supported sizes`, 'invalid_request_error', null, 'size');
    if (body.response_format !== undefined && !['url', 'b64_json'].includes(body.response_format)) return error(400, "response_format must be 'url' or 'b64_json'", 'invalid_request_error');
    const fault = faults.take(req.path);
    if (fault) {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    const count = body.n ?? 1;
    const data = Array.from({ length: count }, () => (body.response_format === 'b64_json' ? { b64_json: TINY_PNG_BASE64, revised_prompt: `A picture of ${body.prompt}` } : { url: `${server.url}/files/image.png` }));
    return { json: { created: ++created, data } };
  });

  server.on('*', '/v1/models', (req, res) => {
    const refused = refuse(req, 'GET');
    if (refused) return refused;
    const fault = faults.take(req.path);
    if (fault) {
      const answered = faultResponse(fault, res);
      if (answered === 'handled') return;
      if (answered) return answered;
    }
    return { json: { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })) } };
  });

  return fake;
}
