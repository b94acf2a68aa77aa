/**
 * The model host: a child process that runs GGUF models with node-llama-cpp and answers the
 * llamacpp provider over IPC. llama.cpp can abort the whole process on a malformed file
 * (GGML_ASSERT), so models never load in the server's own process.
 *
 * One request runs at a time per model (its context has one sequence); the most recently used
 * models stay loaded, up to MAX_LOADED.
 */
import type { Llama, LlamaContext, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { HostErrorKind, HostMessageText, HostModelOptions, HostReply, HostRequest } from './llamacpp-protocol.js';

const MAX_LOADED = 2;

class HostError extends Error {
  constructor(
    readonly kind: HostErrorKind,
    message: string,
  ) {
    super(message);
  }
}

interface Loaded {
  model: LlamaModel;
  contextSize: number;
  threads: number;
  context?: LlamaContext;
  embedding?: LlamaEmbeddingContext;
  queue: Promise<unknown>;
  usedAt: number;
}

const loaded = new Map<string, Loaded>();
const cancels = new Map<number, AbortController>();
let llamaPromise: Promise<Llama> | undefined;

function send(reply: HostReply): void {
  process.send?.(reply);
}

function gpuOption(): false | 'auto' {
  const value = (process.env.SKYNETTE_LLAMA_GPU ?? 'auto').toLowerCase();
  return value === 'false' || value === '0' || value === 'off' || value === 'no' ? false : 'auto';
}

async function llama(): Promise<Llama> {
  llamaPromise ??= (async () => {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    try {
      return await getLlama({
        gpu: gpuOption(),
        build: 'never',
        progressLogs: false,
        logLevel: LlamaLogLevel.error,
        logger: (_level, message) => process.stderr.write(message.endsWith('\n') ? message : `${message}\n`),
      });
    } catch (error) {
      throw new HostError('load', `node-llama-cpp has no usable llama.cpp binary for this machine (${(error as Error).message})`);
    }
  })();
  return llamaPromise;
}

async function model(options: HostModelOptions): Promise<Loaded> {
  const found = loaded.get(options.model_path);
  if (found) {
    found.usedAt = Date.now();
    if (found.contextSize !== options.context_size || found.threads !== options.threads) {
      await found.context?.dispose();
      await found.embedding?.dispose();
      found.context = undefined;
      found.embedding = undefined;
      found.contextSize = options.context_size;
      found.threads = options.threads;
    }
    return found;
  }
  const instance = await llama();
  let loadedModel: LlamaModel;
  try {
    loadedModel = await instance.loadModel({ modelPath: options.model_path });
  } catch (error) {
    throw new HostError('load', `cannot load ${options.model_path}: ${(error as Error).message}`);
  }
  while (loaded.size >= MAX_LOADED) {
    const oldest = [...loaded.entries()].sort((a, b) => a[1].usedAt - b[1].usedAt)[0];
    loaded.delete(oldest[0]);
    await oldest[1].model.dispose().catch(() => undefined);
  }
  const entry: Loaded = { model: loadedModel, contextSize: options.context_size, threads: options.threads, queue: Promise.resolve(), usedAt: Date.now() };
  loaded.set(options.model_path, entry);
  return entry;
}

async function chatContext(entry: Loaded): Promise<LlamaContext> {
  if (!entry.context) {
    const size = Math.min(entry.contextSize, entry.model.trainContextSize || entry.contextSize);
    try {
      entry.context = await entry.model.createContext({ contextSize: size, threads: entry.threads, sequences: 1 });
    } catch (error) {
      throw new HostError('load', `cannot create a ${size}-token context: ${(error as Error).message}`);
    }
  }
  return entry.context;
}

/** Runs `work` after the model's previous request (one sequence per context). */
function serialized<T>(entry: Loaded, work: () => Promise<T>): Promise<T> {
  const run = entry.queue.then(work, work);
  entry.queue = run.catch(() => undefined);
  return run;
}

function countTokens(entry: Loaded, text: string): number {
  return entry.model.tokenize(text, false, 'trimLeadingSpace').length;
}

function checkFits(context: LlamaContext, promptTokens: number, maxTokens: number | undefined): void {
  const room = context.contextSize - Math.min(maxTokens ?? 16, Math.floor(context.contextSize / 2));
  if (promptTokens > room) {
    throw new HostError(
      'context_length',
      `the prompt is about ${promptTokens} tokens, but this model's context holds ${context.contextSize} (with room for the reply); shorten the prompt, or raise context_size (skynette ai providers set llamacpp context_size=...)`,
    );
  }
}

function failureOf(error: unknown, signal: AbortSignal): HostError {
  if (error instanceof HostError) return error;
  if (signal.aborted) return new HostError('cancelled', 'cancelled');
  const message = (error as Error)?.message ?? String(error);
  if (/context size|context is too small|compress chat history|too long/i.test(message)) return new HostError('context_length', message);
  if (/grammar|schema/i.test(message)) return new HostError('bad_request', message);
  return new HostError('internal', message);
}

function historyOf(messages: HostMessageText[]): { history: Array<Record<string, unknown>>; prompt: string } {
  let last = messages.length - 1;
  while (last >= 0 && messages[last].role !== 'user') last--;
  if (last < 0) throw new HostError('bad_request', 'there is no user message to answer');
  const history: Array<Record<string, unknown>> = [];
  for (const message of messages.slice(0, last)) {
    if (message.role === 'system') history.push({ type: 'system', text: message.text });
    else if (message.role === 'assistant') history.push({ type: 'model', response: [message.text] });
    else if (message.role === 'tool') history.push({ type: 'user', text: `Tool result: ${message.text}` });
    else history.push({ type: 'user', text: message.text });
  }
  return { history, prompt: messages[last].text };
}

async function chat(request: Extract<HostRequest, { op: 'chat' }>, signal: AbortSignal): Promise<HostReply> {
  const { LlamaChatSession } = await import('node-llama-cpp');
  const entry = await model(request);
  return serialized(entry, async () => {
    const context = await chatContext(entry);
    const promptTokens = request.messages.reduce((sum, m) => sum + countTokens(entry, m.text) + 4, 0);
    checkFits(context, promptTokens, request.max_tokens);
    const grammar = request.json_schema ? await (await llama()).createGrammarForJsonSchema(request.json_schema as never).catch((error: Error) => {
      throw new HostError('bad_request', `the JSON schema cannot be used as a grammar: ${error.message}`);
    }) : undefined;
    const sequence = context.getSequence();
    const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const { history, prompt } = historyOf(request.messages);
      // Replacing the history also drops the session's default system prompt, which small contexts cannot hold.
      session.setChatHistory(history as never);
      const before = sequence.tokenMeter.getState();
      const text = await session.prompt(prompt, {
        maxTokens: request.max_tokens,
        temperature: request.temperature ?? 0,
        grammar,
        signal,
        onTextChunk: request.stream ? (chunk: string) => send({ id: request.id, type: 'chunk', text: chunk }) : undefined,
      });
      const used = sequence.tokenMeter.diff(before);
      return { id: request.id, type: 'result', text, usage: { input_tokens: used.usedInputTokens, output_tokens: used.usedOutputTokens } };
    } finally {
      session.dispose({ disposeSequence: false });
      sequence.dispose();
    }
  });
}

async function complete(request: Extract<HostRequest, { op: 'complete' }>, signal: AbortSignal): Promise<HostReply> {
  const { LlamaCompletion } = await import('node-llama-cpp');
  const entry = await model(request);
  return serialized(entry, async () => {
    const context = await chatContext(entry);
    checkFits(context, countTokens(entry, request.prompt), request.max_tokens);
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const before = sequence.tokenMeter.getState();
      const text = await completion.generateCompletion(request.prompt, {
        maxTokens: request.max_tokens,
        temperature: request.temperature ?? 0,
        signal,
        onTextChunk: request.stream ? (chunk: string) => send({ id: request.id, type: 'chunk', text: chunk }) : undefined,
      });
      const used = sequence.tokenMeter.diff(before);
      return { id: request.id, type: 'result', text, usage: { input_tokens: used.usedInputTokens, output_tokens: used.usedOutputTokens } };
    } finally {
      completion.dispose();
      sequence.dispose();
    }
  });
}

async function embed(request: Extract<HostRequest, { op: 'embed' }>): Promise<HostReply> {
  const entry = await model(request);
  return serialized(entry, async () => {
    if (!entry.embedding) {
      const size = Math.min(entry.contextSize, entry.model.trainContextSize || entry.contextSize);
      try {
        entry.embedding = await entry.model.createEmbeddingContext({ contextSize: size, threads: entry.threads });
      } catch (error) {
        throw new HostError('load', `cannot create an embedding context: ${(error as Error).message}`);
      }
    }
    const vectors: number[][] = [];
    let tokens = 0;
    for (const text of request.texts) {
      const count = countTokens(entry, text);
      if (count > entry.embedding.model.trainContextSize && count > entry.contextSize) {
        throw new HostError('context_length', `a text of about ${count} tokens is longer than the embedding context (${entry.contextSize}); split it into smaller chunks`);
      }
      tokens += count;
      const embedding = await entry.embedding.getEmbeddingFor(text);
      vectors.push(Array.from(embedding.vector));
    }
    return { id: request.id, type: 'result', vectors, usage: { input_tokens: tokens, output_tokens: 0 } };
  });
}

async function handle(request: HostRequest): Promise<void> {
  if (request.op === 'cancel') {
    cancels.get(request.target)?.abort();
    return;
  }
  const controller = new AbortController();
  cancels.set(request.id, controller);
  try {
    const reply = request.op === 'chat' ? await chat(request, controller.signal) : request.op === 'complete' ? await complete(request, controller.signal) : await embed(request);
    send(reply);
  } catch (error) {
    const failure = failureOf(error, controller.signal);
    send({ id: request.id, type: 'error', kind: failure.kind, message: failure.message });
  } finally {
    cancels.delete(request.id);
  }
}

process.on('message', (message) => {
  void handle(message as HostRequest);
});
// The parent went away: nothing is left to answer.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
