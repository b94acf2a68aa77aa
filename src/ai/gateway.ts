/**
 * The AI gateway: one entry point for chat, streaming, completion, embeddings and images over
 * every provider. A request names a capability (and optionally a provider and model); the gateway
 * tries the enabled, configured providers that have it in priority order, falls back on network
 * errors, timeouts, 5xx, 429 (after one short Retry-After wait) and auth errors, checks budgets
 * before paid calls, and records a usage row for every provider call.
 *
 *   const gateway = await getGateway();
 *   const reply = await gateway.chat({ messages: [{ role: 'user', content: 'Hello' }] });
 *   reply.text, reply.provider, reply.model, reply.usage, reply.cost_usd, reply.tried
 */
import { SkynetteError, errorMessage } from '../util/errors.js';
import type { Database } from '../store/database.js';
import { BudgetGuard, budgetWarning, describeBudget } from './budgets.js';
import { buildProviders, type CredentialResolver, type ProviderEntry } from './config.js';
import { createConversationStore, createMemoryConversationStore, type ConversationStore } from './conversations.js';
import { AiProviderError, canFallBack } from './errors.js';
import { readJsonReply } from './json-output.js';
import { createAiLogger, type AiLogger } from './logger.js';
import { PriceTable, isFreeProvider } from './prices.js';
import type { AiProvider, CallOptions, ModelPurpose, ProviderChatRequest, ProviderChatResponse } from './providers/provider.js';
import { badRequest, capabilityOf, checkMessages, checkOptions, DEFAULT_MAX_PROMPT_CHARS, formatChars, inferProvider, modelFor } from './request-checks.js';
import { createAiSettingsStore, createMemoryAiSettingsStore, isProviderName, PROVIDER_NAMES, type AiSettings, type AiSettingsStore, type Budget, type ProviderSettings } from './settings.js';
import type {
  AttemptFailure,
  Capability,
  ChatMessage,
  ChatRequest,
  ChatResult,
  EmbedRequest,
  EmbedResult,
  ImageRequest,
  ImageResult,
  ModelInfo,
  StreamEvent,
  TokenUsage,
} from './types.js';
import { createMemoryUsageStore, createSqlUsageStore, type UsageOperation, type UsageStore } from './usage.js';

export type {
  AiCallContext,
  AttemptFailure,
  Capability,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ContentPart,
  EmbedRequest,
  EmbedResult,
  ImagePart,
  ImageRequest,
  ImageResult,
  GeneratedImage,
  ModelInfo,
  StreamEvent,
  TextPart,
  TokenUsage,
  ToolCall,
  ToolDefinition,
} from './types.js';
export { CAPABILITIES } from './types.js';
export { AiProviderError } from './errors.js';
export { inferProvider } from './request-checks.js';

export interface CompletionRequest {
  prompt: string;
  provider?: string;
  model?: string;
  max_tokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  timeout_ms?: number;
  context?: ChatRequest['context'];
  fallback?: boolean;
  onWarning?: (message: string) => void;
}

export interface GatewayOptions {
  env?: NodeJS.ProcessEnv;
  /** Usage rows, conversations and settings are kept here; without it, in memory only. */
  database?: Database;
  /** Close `database` when the gateway closes. */
  ownsDatabase?: boolean;
  settings?: AiSettingsStore;
  /** The vault's resolveCredential, for keys stored as credentials. */
  resolveCredential?: CredentialResolver;
  logger?: AiLogger;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface ProviderStatus {
  name: string;
  enabled: boolean;
  priority: number;
  configured: boolean;
  /** What to configure, when not configured. */
  problem?: string;
  local: boolean;
  capabilities: Capability[];
  endpoint: string;
  settings: ProviderSettings;
}

export interface ProviderTestResult {
  provider: string;
  ok: boolean;
  model?: string;
  text?: string;
  latency_ms: number;
  error?: string;
  code?: string;
}


interface Attempt<T> {
  value: T;
  model: string;
  usage: TokenUsage;
  cost: number;
}

interface RunSpec<T> {
  operation: UsageOperation;
  capability: Capability;
  purpose: ModelPurpose;
  provider?: string;
  model?: string;
  fallback?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  context?: ChatRequest['context'];
  onWarning?: (message: string) => void;
  /** Only providers that can do this operation at all. */
  only?: (provider: AiProvider) => boolean;
  call(provider: AiProvider, model: string, options: CallOptions): Promise<Attempt<T>>;
}

export class AiGateway {
  readonly usage: UsageStore;
  readonly conversations: ConversationStore;
  readonly budgets: BudgetGuard;
  readonly prices: PriceTable;
  readonly log: AiLogger;
  private entries: ProviderEntry[] = [];
  private settingsSnapshot!: AiSettings;
  private readonly warned = new Set<string>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => Date;

  private constructor(
    private readonly options: GatewayOptions,
    readonly settings: AiSettingsStore,
  ) {
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => new Date());
    this.log = options.logger ?? createAiLogger(this.env);
    this.usage = options.database ? createSqlUsageStore(options.database.db) : createMemoryUsageStore();
    this.conversations = options.database ? createConversationStore(options.database.db) : createMemoryConversationStore();
    this.budgets = new BudgetGuard(this.usage, [], this.now);
    this.prices = new PriceTable();
  }

  static async create(options: GatewayOptions = {}): Promise<AiGateway> {
    const settings = options.settings ?? (options.database ? createAiSettingsStore(options.database.db) : createMemoryAiSettingsStore());
    const gateway = new AiGateway(options, settings);
    await gateway.reload();
    return gateway;
  }

  /** Re-reads settings and vault credentials and rebuilds the providers. */
  async reload(): Promise<void> {
    const snapshot = await this.settings.load();
    const entries = await buildProviders(snapshot, { env: this.env, resolveCredential: this.options.resolveCredential, fetch: this.options.fetch });
    const old = this.entries;
    this.entries = entries;
    this.settingsSnapshot = snapshot;
    this.budgets.setBudgets(snapshot.budgets);
    this.prices.setOverrides(snapshot.prices);
    await Promise.all(old.map((e) => e.provider.close?.().catch(() => undefined)));
  }

  get general(): AiSettings['general'] {
    return this.settingsSnapshot.general;
  }

  provider(name: string): AiProvider | undefined {
    return this.entries.find((e) => e.name === name)?.provider;
  }

  private problemOf(entry: ProviderEntry): string | undefined {
    return entry.setupProblem ?? entry.provider.configurationProblem();
  }

  /** Every provider, in the order the gateway tries them. */
  providers(): ProviderStatus[] {
    return this.ordered().map((entry) => {
      const problem = this.problemOf(entry);
      return {
        name: entry.name,
        enabled: entry.enabled,
        priority: entry.priority,
        configured: !problem,
        ...(problem ? { problem } : {}),
        local: entry.provider.local,
        capabilities: [...entry.provider.capabilities],
        endpoint: entry.provider.endpoint(),
        settings: entry.settings,
      };
    });
  }

  private ordered(): ProviderEntry[] {
    return [...this.entries].sort((a, b) => a.priority - b.priority || PROVIDER_NAMES.indexOf(a.name) - PROVIDER_NAMES.indexOf(b.name));
  }

  private unknownProvider(name: string): SkynetteError {
    return new SkynetteError('AI_UNKNOWN_PROVIDER', `unknown AI provider "${name}"; the providers are ${this.entries.map((e) => e.name).join(', ')}`, { path: 'provider' });
  }

  private entryNamed(name: string): ProviderEntry {
    const entry = this.entries.find((e) => e.name === name);
    if (!entry) throw this.unknownProvider(name);
    return entry;
  }

  /** The providers a request may use, in order. */
  private candidates(capability: Capability, provider: string | undefined, model: string | undefined, fallback: boolean | undefined): ProviderEntry[] {
    const named = provider && provider !== 'auto' ? provider : model ? inferProvider(model) : undefined;
    const explicit = Boolean(provider && provider !== 'auto');
    const capable = this.ordered().filter((e) => e.enabled && e.provider.capabilities.has(capability));
    if (named) {
      const entry = this.entryNamed(named);
      if (!entry.provider.capabilities.has(capability)) {
        if (explicit || !capable.length) {
          const able = this.ordered().filter((e) => e.provider.capabilities.has(capability)).map((e) => e.name);
          throw new SkynetteError('AI_UNSUPPORTED', `${entry.name} cannot do ${capability}${able.length ? `; providers that can: ${able.join(', ')}` : ''}`, { path: 'provider' });
        }
        return capable;
      }
      if (!entry.enabled) {
        if (explicit) throw new SkynetteError('AI_PROVIDER_DISABLED', `the AI provider ${entry.name} is disabled; enable it with \`skynette ai providers enable ${entry.name}\``, { path: 'provider' });
        return capable;
      }
      const others = fallback === true || (!explicit && fallback !== false) ? capable.filter((e) => e !== entry) : [];
      return [entry, ...others];
    }
    if (!capable.length) {
      const able = this.ordered().filter((e) => e.provider.capabilities.has(capability));
      throw new SkynetteError(
        'AI_NO_PROVIDER',
        able.length
          ? `no enabled AI provider can do ${capability}; enable one of ${able.map((e) => e.name).join(', ')} (skynette ai providers enable NAME)`
          : `no AI provider can do ${capability}`,
      );
    }
    return capable;
  }

  private warn(message: string, onWarning: ((message: string) => void) | undefined, dedupeKey: string): void {
    onWarning?.(message);
    // The process log gets each budget warning once per period, not once per call.
    if (!this.warned.has(dedupeKey)) {
      this.warned.add(dedupeKey);
      this.log.warn(message);
    }
  }

  private async record(operation: UsageOperation, provider: string, model: string, spec: { context?: ChatRequest['context'] }, outcome: { usage?: TokenUsage; cost?: number; latency: number; error?: unknown }): Promise<void> {
    try {
      await this.usage.record({
        provider,
        model,
        operation,
        input_tokens: outcome.usage?.input_tokens ?? 0,
        output_tokens: outcome.usage?.output_tokens ?? 0,
        cost_usd: outcome.cost ?? 0,
        latency_ms: outcome.latency,
        status: outcome.error ? 'error' : 'ok',
        error_code: outcome.error ? ((outcome.error as SkynetteError).code ?? 'AI_ERROR') : null,
        error: outcome.error ? errorMessage(outcome.error) : null,
        workflow_id: spec.context?.workflow_id ?? null,
        execution_id: spec.context?.execution_id ?? null,
        node_id: spec.context?.node_id ?? null,
      });
    } catch (error) {
      // The answer is worth more than its usage row: log the failure, keep the reply.
      this.log.error(`could not record AI usage: ${errorMessage(error)}`, { provider, model, operation });
    }
  }

  /**
   * Whether a candidate may be tried: configured, and within budget. A provider that is not
   * configured is no attempt (left out of `tried`, but named if nothing answers).
   */
  private async admit(entry: ProviderEntry, spec: { onWarning?: (message: string) => void }, tried: AttemptFailure[], failures: AiProviderError[]): Promise<boolean> {
    const problem = this.problemOf(entry);
    if (problem) {
      failures.push(new AiProviderError(entry.name, 'not_configured', problem));
      return false;
    }
    const budgetFailure = await this.budgetGate(entry, spec);
    if (budgetFailure) {
      tried.push({ provider: entry.name, error: budgetFailure.message, code: budgetFailure.code });
      failures.push(budgetFailure);
      return false;
    }
    return true;
  }

  /**
   * After a failed attempt: wait and retry once on a short Retry-After, else record the failure and
   * go on to the next provider ('next'), or throw when there is none or fallback does not apply.
   */
  private async afterFailure(
    error: AiProviderError,
    at: {
      entry: ProviderEntry;
      model: string;
      retried: boolean;
      signal?: AbortSignal;
      tried: AttemptFailure[];
      failures: AiProviderError[];
      capability: Capability;
      more: boolean;
      fallback: boolean;
      pinned: boolean;
    },
  ): Promise<'retry' | 'next'> {
    const { entry, tried, failures } = at;
    if (error.kind === 'rate_limit' && !at.retried && error.retryAfterMs !== undefined && error.retryAfterMs <= this.general.retry_after_max_ms) {
      this.log.info(`${entry.name} is rate limited; retrying once after ${error.retryAfterMs} ms`);
      try {
        await sleep(error.retryAfterMs, at.signal);
      } catch {
        throw new AiProviderError(entry.name, 'cancelled', 'the call was cancelled while waiting to retry');
      }
      return 'retry';
    }
    tried.push({ provider: entry.name, model: at.model === '(default)' ? undefined : at.model, error: error.message, code: error.code });
    failures.push(error);
    if (!at.more || !at.fallback || !canFallBack(error, at.pinned)) {
      if (!at.more && failures.length === 1) throw withTried(error, tried);
      if (!at.more) throw this.allFailed(at.capability, failures);
      throw withTried(error, tried);
    }
    this.log.info(`${entry.name} failed (${error.code}); trying the next provider`, { error: error.message });
    return 'next';
  }

  /** Budget gate before a paid call: returns a failure to fall back on, throws to refuse, or undefined to go on. */
  private async budgetGate(entry: ProviderEntry, spec: { onWarning?: (message: string) => void }): Promise<AiProviderError | undefined> {
    if (entry.provider.local || isFreeProvider(entry.name) || !this.budgets.list().length) return undefined;
    const check = await this.budgets.check(entry.name);
    for (const state of check.warnings) {
      const period = state.budget.period === 'day' ? this.now().toISOString().slice(0, 10) : this.now().toISOString().slice(0, 7);
      this.warn(`AI budget warning: ${budgetWarning(state)}`, spec.onWarning, `${state.budget.scope}|${state.budget.period}|${period}`);
    }
    if (!check.exceeded) return undefined;
    const { budget, spent_usd } = check.exceeded;
    const base = `the ${describeBudget(budget)} is used up ($${spent_usd.toFixed(4)} spent)`;
    if (this.general.budget_action === 'local') {
      return new AiProviderError(entry.name, 'budget', `${base}; trying a free local provider instead`);
    }
    throw new SkynetteError(
      'AI_BUDGET_EXCEEDED',
      `AI call refused: ${base}. Raise the budget (skynette ai budget set ${budget.scope} ${budget.period} AMOUNT), wait for the next ${budget.period}, or route to local models when over budget (skynette ai budget action local)`,
      { details: { budget, spent_usd } },
    );
  }

  private async run<T>(spec: RunSpec<T>): Promise<Attempt<T> & { provider: string; latency: number; tried: AttemptFailure[] }> {
    const candidates = this.candidates(spec.capability, spec.provider, spec.model, spec.fallback).filter((e) => !spec.only || spec.only(e.provider));
    if (!candidates.length) throw new SkynetteError('AI_NO_PROVIDER', `no enabled AI provider can do this ${spec.operation} call`);
    const fallback = this.general.fallback;
    const tried: AttemptFailure[] = [];
    const failures: AiProviderError[] = [];
    for (let index = 0; index < candidates.length; index++) {
      const entry = candidates[index];
      if (!(await this.admit(entry, spec, tried, failures))) continue;
      const modelForEntry = modelFor(entry.name, spec.model, spec.provider);
      const options: CallOptions = { signal: spec.signal ?? new AbortController().signal, timeoutMs: spec.timeoutMs ?? entry.settings.timeout_ms ?? this.general.timeout_ms };
      let retried = false;
      for (;;) {
        const started = performance.now();
        let model = modelForEntry ?? '(default)';
        try {
          if (!modelForEntry) model = await entry.provider.defaultModel(spec.purpose, options);
          const attempt = await spec.call(entry.provider, model, options);
          const latency = performance.now() - started;
          await this.record(spec.operation, entry.name, attempt.model, spec, { usage: attempt.usage, cost: attempt.cost, latency });
          this.budgets.noteSpend(entry.name, attempt.cost);
          return { ...attempt, provider: entry.name, latency, tried };
        } catch (caught) {
          const latency = performance.now() - started;
          const error = caught instanceof AiProviderError || caught instanceof SkynetteError ? caught : new AiProviderError(entry.name, 'bad_response', errorMessage(caught), { cause: caught });
          await this.record(spec.operation, entry.name, model, spec, { latency, error });
          if (!(error instanceof AiProviderError)) throw error;
          if (error.kind === 'cancelled' || spec.signal?.aborted) throw error;
          const next = await this.afterFailure(error, {
            entry, model, retried, signal: spec.signal, tried, failures, capability: spec.capability,
            more: index < candidates.length - 1, fallback, pinned: Boolean(modelForEntry && spec.provider && spec.provider !== 'auto'),
          });
          if (next === 'retry') {
            retried = true;
            continue;
          }
          break;
        }
      }
    }
    throw this.allFailed(spec.capability, failures);
  }

  private allFailed(capability: Capability, failures: AiProviderError[]): SkynetteError {
    const tried: AttemptFailure[] = failures.map((f) => ({ provider: f.provider, error: f.message, code: f.code }));
    const nothingReachable = failures.every((f) => f.kind === 'not_configured' || (f.kind === 'network' && this.provider(f.provider)?.local));
    const lines = failures.map((f) => `  - ${f.message}`).join('\n');
    if (nothingReachable) {
      return new SkynetteError(
        'AI_NO_PROVIDER',
        `no AI provider is available for ${capability}. Configure one of these:\n${lines}\n(Skynette needs no cloud provider: a .gguf model in the models folder, Ollama or LM Studio is enough.)`,
        { details: { tried } },
      );
    }
    return new SkynetteError('AI_ALL_PROVIDERS_FAILED', `every AI provider failed for ${capability}:\n${lines}`, { details: { tried } });
  }

  private chatCall(request: ChatRequest, messages: ChatMessage[]) {
    return async (provider: AiProvider, model: string, options: CallOptions): Promise<Attempt<ProviderChatResponse>> => {
      const reply = await provider.chat(this.providerRequest(request, messages, model), options);
      return { value: reply, model: reply.model, usage: reply.usage, cost: this.prices.tokenCost(provider.name, reply.model, reply.usage) };
    };
  }

  private providerRequest(request: ChatRequest, messages: ChatMessage[], model: string): ProviderChatRequest {
    return { messages, model, max_tokens: request.max_tokens, temperature: request.temperature, json_schema: request.json_schema, tools: request.tools };
  }

  private chatResult(request: ChatRequest, reply: ProviderChatResponse, outcome: { provider: string; cost: number; latency: number; tried: AttemptFailure[] }): ChatResult {
    const result: ChatResult = {
      text: reply.text,
      ...(reply.tool_calls?.length ? { tool_calls: reply.tool_calls } : {}),
      ...(reply.finish_reason ? { finish_reason: reply.finish_reason } : {}),
      provider: outcome.provider,
      model: reply.model,
      usage: reply.usage,
      cost_usd: outcome.cost,
      latency_ms: Math.round(outcome.latency * 1000) / 1000,
      tried: outcome.tried,
    };
    if (request.json_schema && !reply.tool_calls?.length) {
      const parsed = readJsonReply(reply.text, request.json_schema);
      if (parsed.ok) result.data = parsed.value;
      else result.json_error = parsed.error;
    }
    return result;
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const messages = checkMessages(request?.messages, this.general.max_prompt_chars ?? DEFAULT_MAX_PROMPT_CHARS);
    checkOptions(request);
    const outcome = await this.run({
      operation: 'chat',
      capability: capabilityOf(request),
      purpose: 'chat',
      provider: request.provider,
      model: request.model,
      fallback: request.fallback,
      signal: request.signal,
      timeoutMs: request.timeout_ms,
      context: request.context,
      onWarning: request.onWarning,
      call: this.chatCall(request, messages),
    });
    return this.chatResult(request, outcome.value, outcome);
  }

  /** Plain continuation of a prompt (llamacpp, ollama), without a chat template. */
  async complete(request: CompletionRequest): Promise<ChatResult> {
    if (typeof request?.prompt !== 'string' || !request.prompt.trim()) throw badRequest('AI_EMPTY_PROMPT', 'the prompt is empty: write the text to continue', 'prompt');
    checkOptions(request);
    const limit = this.general.max_prompt_chars ?? DEFAULT_MAX_PROMPT_CHARS;
    if (request.prompt.length > limit) throw badRequest('AI_PROMPT_TOO_LARGE', `the prompt is ${formatChars(request.prompt.length)}, more than the ${formatChars(limit)} allowed`, 'prompt');
    const capableNames: string[] = this.entries.filter((e) => e.provider.complete).map((e) => e.name);
    const provider = request.provider && request.provider !== 'auto' ? request.provider : undefined;
    if (provider && !capableNames.includes(provider)) {
      throw new SkynetteError('AI_UNSUPPORTED', `${provider} has no plain completion; use chat, or one of ${capableNames.join(', ')}`, { path: 'provider' });
    }
    const outcome = await this.run({
      operation: 'complete',
      capability: 'TEXT_GENERATION',
      purpose: 'chat',
      provider,
      model: request.model,
      fallback: request.fallback,
      only: (p) => Boolean(p.complete),
      signal: request.signal,
      timeoutMs: request.timeout_ms,
      context: request.context,
      onWarning: request.onWarning,
      call: async (p, model, options) => {
        if (!p.complete) throw new AiProviderError(p.name, 'unsupported', 'has no plain completion');
        const reply = await p.complete({ prompt: request.prompt, model, max_tokens: request.max_tokens, temperature: request.temperature }, options);
        return { value: reply, model: reply.model, usage: reply.usage, cost: this.prices.tokenCost(p.name, reply.model, reply.usage) };
      },
    });
    return this.chatResult({ messages: [] }, outcome.value, outcome);
  }

  /**
   * Streams the reply. Falls back to the next provider only before the first token arrives; a
   * failure after that ends the stream with the error.
   */
  async *stream(request: ChatRequest): AsyncGenerator<StreamEvent> {
    const messages = checkMessages(request?.messages, this.general.max_prompt_chars ?? DEFAULT_MAX_PROMPT_CHARS);
    checkOptions(request);
    const capability = capabilityOf(request);
    const candidates = this.candidates(capability, request.provider, request.model, request.fallback);
    const tried: AttemptFailure[] = [];
    const failures: AiProviderError[] = [];
    for (let index = 0; index < candidates.length; index++) {
      const entry = candidates[index];
      if (!(await this.admit(entry, request, tried, failures))) continue;
      const pinned = modelFor(entry.name, request.model, request.provider);
      const options: CallOptions = { signal: request.signal ?? new AbortController().signal, timeoutMs: request.timeout_ms ?? entry.settings.timeout_ms ?? this.general.timeout_ms };
      let retried = false;
      for (;;) {
        const started = performance.now();
        let model = pinned ?? '(default)';
        let streamedAny = false;
        try {
          if (!pinned) model = await entry.provider.defaultModel('chat', options);
          for await (const event of entry.provider.stream(this.providerRequest(request, messages, model), options)) {
            if ('delta' in event) {
              streamedAny = true;
              yield event;
              continue;
            }
            const reply = event.done;
            const latency = performance.now() - started;
            const cost = this.prices.tokenCost(entry.name, reply.model, reply.usage);
            await this.record('stream', entry.name, reply.model, request, { usage: reply.usage, cost, latency });
            this.budgets.noteSpend(entry.name, cost);
            yield { done: this.chatResult(request, reply, { provider: entry.name, cost, latency, tried }) };
            return;
          }
          throw new AiProviderError(entry.name, 'bad_response', 'the stream ended without a final reply', { code: 'AI_STREAM_TRUNCATED' });
        } catch (caught) {
          const latency = performance.now() - started;
          const error = caught instanceof AiProviderError || caught instanceof SkynetteError ? caught : new AiProviderError(entry.name, 'bad_response', errorMessage(caught), { cause: caught });
          await this.record('stream', entry.name, model, request, { latency, error });
          // A stream falls back only before its first token.
          if (!(error instanceof AiProviderError) || streamedAny || error.kind === 'cancelled' || request.signal?.aborted) throw withTried(error, tried);
          const next = await this.afterFailure(error, {
            entry, model, retried, signal: request.signal, tried, failures, capability,
            more: index < candidates.length - 1, fallback: this.general.fallback, pinned: Boolean(pinned && request.provider && request.provider !== 'auto'),
          });
          if (next === 'retry') {
            retried = true;
            continue;
          }
          break;
        }
      }
    }
    throw this.allFailed(capability, failures);
  }

  async embed(request: EmbedRequest): Promise<EmbedResult> {
    const texts = request?.texts;
    if (!Array.isArray(texts) || texts.length === 0) throw badRequest('AI_EMPTY_INPUT', 'texts: give at least one text to embed', 'texts');
    let total = 0;
    texts.forEach((text, i) => {
      if (typeof text !== 'string' || !text.trim()) throw badRequest('AI_EMPTY_INPUT', `texts[${i}]: must be non-empty text`, `texts[${i}]`);
      total += text.length;
    });
    const limit = this.general.max_prompt_chars ?? DEFAULT_MAX_PROMPT_CHARS;
    if (total > limit) throw badRequest('AI_PROMPT_TOO_LARGE', `the texts are ${formatChars(total)} together, more than the ${formatChars(limit)} allowed; embed them in smaller batches`, 'texts');
    checkOptions({ timeout_ms: request.timeout_ms });
    const outcome = await this.run({
      operation: 'embed',
      capability: 'EMBEDDINGS',
      purpose: 'embeddings',
      provider: request.provider,
      model: request.model,
      fallback: request.fallback,
      signal: request.signal,
      timeoutMs: request.timeout_ms,
      context: request.context,
      onWarning: request.onWarning,
      call: async (provider, model, options) => {
        if (!provider.embed) throw new AiProviderError(provider.name, 'unsupported', 'has no embeddings');
        const reply = await provider.embed(texts, model, options);
        const dims = reply.vectors[0]?.length ?? 0;
        if (!dims || reply.vectors.some((v) => v.length !== dims || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))) {
          throw new AiProviderError(provider.name, 'bad_response', 'the embeddings are empty, of different lengths, or not numbers');
        }
        return { value: reply, model: reply.model, usage: reply.usage, cost: this.prices.tokenCost(provider.name, reply.model, reply.usage) };
      },
    });
    return {
      vectors: outcome.value.vectors,
      dimensions: outcome.value.vectors[0].length,
      provider: outcome.provider,
      model: outcome.model,
      usage: outcome.usage,
      cost_usd: outcome.cost,
      latency_ms: Math.round(outcome.latency * 1000) / 1000,
      tried: outcome.tried,
    };
  }

  async generateImage(request: ImageRequest): Promise<ImageResult> {
    if (typeof request?.prompt !== 'string' || !request.prompt.trim()) throw badRequest('AI_EMPTY_PROMPT', 'the prompt is empty: describe the image to make', 'prompt');
    if (request.prompt.length > 32_000) throw badRequest('AI_PROMPT_TOO_LARGE', `an image prompt may be at most 32000 characters (this one is ${request.prompt.length})`, 'prompt');
    const size = request.size ?? '1024x1024';
    if (!/^\d{2,5}x\d{2,5}$/.test(size)) throw badRequest('AI_BAD_REQUEST', `size: "${size}" is not WIDTHxHEIGHT, such as 1024x1024`, 'size');
    const n = request.n ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > 10) throw badRequest('AI_BAD_REQUEST', 'n: from 1 to 10 images', 'n');
    const quality = request.quality ?? 'standard';
    const outcome = await this.run({
      operation: 'image',
      capability: 'IMAGE_GENERATION',
      purpose: 'image',
      provider: request.provider,
      model: request.model,
      fallback: request.fallback,
      signal: request.signal,
      timeoutMs: request.timeout_ms,
      context: request.context,
      onWarning: request.onWarning,
      call: async (provider, model, options) => {
        if (!provider.generateImage) throw new AiProviderError(provider.name, 'unsupported', 'does not generate images');
        const reply = await provider.generateImage({ prompt: request.prompt, model, size, quality, n }, options);
        if (!reply.images.length) throw new AiProviderError(provider.name, 'bad_response', 'the reply has no images');
        return { value: reply, model: reply.model, usage: { input_tokens: 0, output_tokens: 0 }, cost: this.prices.imageCost(provider.name, reply.model, size, quality, reply.images.length) };
      },
    });
    return {
      images: outcome.value.images,
      provider: outcome.provider,
      model: outcome.model,
      usage: outcome.usage,
      cost_usd: outcome.cost,
      latency_ms: Math.round(outcome.latency * 1000) / 1000,
      tried: outcome.tried,
    };
  }

  /** What each enabled provider offers (local files included); unreachable ones say why. */
  async listModels(options: { signal?: AbortSignal; timeoutMs?: number; includeDisabled?: boolean } = {}): Promise<Array<{ provider: string; models: ModelInfo[]; error?: string }>> {
    const entries = this.ordered().filter((e) => e.enabled || options.includeDisabled);
    return Promise.all(
      entries.map(async (entry) => {
        const problem = this.problemOf(entry);
        if (problem && entry.name !== 'llamacpp') return { provider: entry.name, models: [], error: problem };
        try {
          const models = await entry.provider.listModels({ signal: options.signal ?? new AbortController().signal, timeoutMs: options.timeoutMs ?? 10_000 });
          return { provider: entry.name, models, ...(problem ? { error: problem } : {}) };
        } catch (error) {
          return { provider: entry.name, models: [], error: errorMessage(error) };
        }
      }),
    );
  }

  /** A tiny chat (or embedding) call to one provider, for `skynette ai providers test`. */
  async testProvider(name: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<ProviderTestResult> {
    const entry = this.entryNamed(name);
    const started = performance.now();
    try {
      const chatty = entry.provider.capabilities.has('CHAT');
      if (chatty) {
        const reply = await this.chat({ messages: [{ role: 'user', content: 'Reply with the single word: ok' }], provider: name, max_tokens: 16, temperature: 0, signal: options.signal, timeout_ms: options.timeoutMs, fallback: false });
        return { provider: name, ok: true, model: reply.model, text: reply.text, latency_ms: reply.latency_ms };
      }
      const reply = await this.embed({ texts: ['ok'], provider: name, signal: options.signal, timeout_ms: options.timeoutMs, fallback: false });
      return { provider: name, ok: true, model: reply.model, text: `${reply.dimensions}-dimensional embedding`, latency_ms: reply.latency_ms };
    } catch (error) {
      return { provider: name, ok: false, latency_ms: Math.round(performance.now() - started), error: errorMessage(error), code: (error as SkynetteError).code };
    }
  }

  async configureProvider(name: string, patch: Record<string, unknown>): Promise<ProviderSettings> {
    if (!isProviderName(name)) throw this.unknownProvider(name);
    const saved = await this.settings.updateProvider(name, patch);
    await this.reload();
    return saved;
  }

  async setBudgets(budgets: Budget[]): Promise<void> {
    await this.settings.setBudgets(budgets);
    await this.reload();
  }

  async configure(patch: Record<string, unknown>): Promise<AiSettings['general']> {
    const saved = await this.settings.updateGeneral(patch);
    await this.reload();
    return saved;
  }

  async setPriceOverrides(prices: AiSettings['prices']): Promise<void> {
    await this.settings.setPrices(prices);
    await this.reload();
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.provider.close?.().catch(() => undefined)));
    if (this.options.ownsDatabase) await this.options.database?.close();
  }
}

/** Waits `ms`; rejects when the signal aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function withTried(error: SkynetteError, tried: AttemptFailure[]): SkynetteError {
  if (tried.length && error.details && typeof error.details === 'object' && !Array.isArray(error.details)) {
    (error.details as Record<string, unknown>).tried = tried;
  }
  return error;
}

let shared: Promise<AiGateway> | undefined;

/**
 * The process's gateway, configured from the environment, the AI settings and the vault of the
 * data directory (SKYNETTE_DATA_DIR, or SKYNETTE_DB_URL for Postgres). Created on first use.
 */
export function getGateway(options?: GatewayOptions): Promise<AiGateway> {
  shared ??= openDefaultGateway(options).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/** Makes `gateway` the one getGateway returns (a server or CLI that opened its own, tests). */
export function setGateway(gateway: AiGateway | undefined): void {
  shared = gateway ? Promise.resolve(gateway) : undefined;
}

async function openDefaultGateway(options: GatewayOptions = {}): Promise<AiGateway> {
  if (options.database) return AiGateway.create(options);
  const env = options.env ?? process.env;
  const [{ openDatabase }, { resolveDataDir }, { CredentialVault }] = await Promise.all([
    import('../store/database.js'),
    import('../config/data-dir.js'),
    import('../secrets/vault.js'),
  ]);
  const dataDir = resolveDataDir(env);
  const database = await openDatabase({ dataDir, env });
  const vault = new CredentialVault({ db: database.db, dataDir, env });
  return AiGateway.create({ ...options, env, database, ownsDatabase: true, resolveCredential: options.resolveCredential ?? vault.resolveCredential });
}
