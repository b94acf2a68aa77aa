/**
 * Runs a workflow: follows connections and ports, one node at a time in dependency order, so each
 * node's result can be checkpointed (hooks) before the next starts. Branches not taken are skipped,
 * loop bodies run once per item, errors follow each node's on_error strategy.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkynetteError, errorCode, errorMessage } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../workflow/model.js';
import { resolveDeep, type ExpressionScope } from '../expressions/index.js';
import { applyConfigFields } from '../nodes/config-check.js';
import type { CommonSettings } from '../nodes/common-settings.js';
import { Routed } from '../nodes/sdk.js';
import { compileWorkflow, type CompiledNode, type CompiledWorkflow } from './compile.js';
import type { ExecutionErrorInfo, ExecutionHooks, ExecutionRecord, NodeLogLine, NodeResult } from './execution.js';
import { NodeRunContext } from './node-context.js';
import { allowedEnv } from './env.js';
import { abortableSleep, runWithAbort } from './abort.js';
import { redactSecrets, rememberedSecretCount } from '../secrets/redact.js';

export interface RunOptions {
  executionId?: string;
  /** How the run was started: manual, cli, webhook, schedule, retry, ... */
  mode?: string;
  trigger?: unknown;
  /** With several trigger nodes, the one that fired; the others are skipped. */
  triggerNodeId?: string;
  hooks?: ExecutionHooks;
  /** Aborting it cancels the run (status `cancelled`). */
  signal?: AbortSignal;
  /** An earlier record of this execution: its finished node results are reused, not run again. */
  resumeFrom?: ExecutionRecord;
  env?: NodeJS.ProcessEnv;
  dataDir?: string;
  getCredential?: (reference: string) => Promise<Record<string, unknown>>;
  /** Sees every node log line as it happens (the CLI's --verbose). */
  onLog?: (result: NodeResult, line: NodeLogLine) => void;
}

/** One level of running: the top level, or one iteration of a loop body. */
export interface Frame {
  prefix: string;
  parent: Frame | null;
  /** Edge id -> data, for edges that carried output in this frame. */
  active: Map<string, unknown>;
  /** Edges whose source ran (or was skipped) in this frame without using them. */
  inactive: Set<string>;
  nodesById: Record<string, unknown>;
  nodesByName: Record<string, unknown>;
  loopId: string | null;
  item: unknown;
  index: number;
  /** Nodes that produced output in this frame (for a loop body's end result). */
  ran: Set<string>;
}

const REUSABLE: ReadonlySet<string> = new Set(['completed', 'skipped', 'disabled', 'failed']);

class CancelledError extends SkynetteError {}

export async function runWorkflow(workflow: Workflow, options: RunOptions = {}): Promise<ExecutionRecord> {
  return new WorkflowRun(compileWorkflow(workflow), options).run();
}

class WorkflowRun {
  readonly record: ExecutionRecord;
  readonly vars: Record<string, unknown>;
  readonly controller = new AbortController();
  readonly env: Record<string, string>;
  readonly workflowInfo: { id: string; name: string; version: number };
  readonly executionInfo: { id: string; mode: string; started_at: string };
  readonly maxOutputBytes: number;
  readonly dataDir: string;
  private readonly prior = new Map<string, NodeResult>();
  private readonly startedAt = performance.now();

  constructor(
    readonly compiled: CompiledWorkflow,
    readonly options: RunOptions,
  ) {
    const wf = compiled.workflow;
    const resume = options.resumeFrom;
    const startedAt = resume?.started_at ?? new Date().toISOString();
    const id = resume?.id ?? options.executionId ?? randomUUID();
    this.vars = resume ? { ...resume.variables } : { ...wf.variables };
    // Every earlier result by key: finished ones are reused, the others carry their attempt count on.
    if (resume) for (const r of resume.node_results) this.prior.set(r.key, r);
    this.record = {
      id,
      workflow_id: wf.id,
      workflow_name: wf.name,
      workflow_version: wf.version,
      status: 'running',
      mode: resume?.mode ?? options.mode ?? 'manual',
      trigger_data: resume ? resume.trigger_data : (options.trigger ?? {}),
      started_at: startedAt,
      finished_at: null,
      duration_ms: null,
      error: null,
      node_results: resume ? resume.node_results.filter((r) => this.isReusable(r)) : [],
      variables: this.vars,
    };
    this.env = allowedEnv(options.env ?? process.env);
    this.workflowInfo = { id: wf.id, name: wf.name, version: wf.version };
    this.executionInfo = { id, mode: this.record.mode, started_at: startedAt };
    const limit = wf.settings.max_output_bytes;
    this.maxOutputBytes = typeof limit === 'number' && limit > 0 ? limit : DEFAULT_MAX_OUTPUT_BYTES;
    this.dataDir = options.dataDir ?? join(tmpdir(), 'skynette');
  }

  private isReusable(r: NodeResult): boolean {
    return REUSABLE.has(r.status) && (r.status !== 'failed' || r.continued === true);
  }

  async run(): Promise<ExecutionRecord> {
    const { options, record } = this;
    const onCancel = () => this.controller.abort(new CancelledError('CANCELLED', 'the execution was cancelled'));
    if (options.signal?.aborted) onCancel();
    options.signal?.addEventListener('abort', onCancel, { once: true });
    const timeoutMs = this.compiled.workflow.settings.timeout_ms;
    const timer =
      typeof timeoutMs === 'number' && timeoutMs > 0
        ? setTimeout(
            () => this.controller.abort(new SkynetteError('WORKFLOW_TIMEOUT', `the workflow ran longer than its timeout of ${timeoutMs} ms (settings.timeout_ms)`)),
            timeoutMs,
          )
        : undefined;
    try {
      await this.hook('onExecutionStart');
      await this.runLevel(this.topFrame(), '');
      record.status = 'completed';
    } catch (error) {
      const reason = this.controller.signal.aborted ? this.controller.signal.reason : error;
      record.status = reason instanceof CancelledError ? 'cancelled' : 'failed';
      record.error = record.error ?? toErrorInfo(reason);
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCancel);
    }
    record.finished_at = new Date().toISOString();
    record.duration_ms = Math.round(performance.now() - this.startedAt);
    try {
      await this.hook('onExecutionFinish');
    } catch (error) {
      record.status = 'failed';
      record.error = toErrorInfo(error);
    }
    return record;
  }

  private async hook(name: 'onExecutionStart' | 'onExecutionFinish'): Promise<void> {
    const fn = this.options.hooks?.[name];
    if (fn) {
      const pending = fn.call(this.options.hooks, this.record);
      if (pending) await pending;
    }
  }

  private topFrame(): Frame {
    return { prefix: '', parent: null, active: new Map(), inactive: new Set(), nodesById: {}, nodesByName: {}, loopId: null, item: undefined, index: -1, ran: new Set() };
  }

  async runLevel(frame: Frame, level: string): Promise<void> {
    for (const nodeId of this.compiled.levels.get(level)!) {
      if (this.controller.signal.aborted) throw this.controller.signal.reason;
      await this.visit(frame, this.compiled.nodes.get(nodeId)!);
    }
  }

  /** Where an edge stands as seen from a frame: carrying data, unused, or from a loop's item port. */
  private edgeState(frame: Frame, edgeId: string, from: string, fromPort: string): { active: boolean; data?: unknown } {
    for (let f: Frame | null = frame; f; f = f.parent) {
      if (f.loopId === from && fromPort === 'item') return { active: true, data: f.item };
      if (f.active.has(edgeId)) return { active: true, data: f.active.get(edgeId) };
      if (f.inactive.has(edgeId)) return { active: false };
    }
    return { active: false };
  }

  private async visit(frame: Frame, compiled: CompiledNode): Promise<void> {
    const { node, definition } = compiled;
    const key = frame.prefix + node.id;
    let input: unknown;
    const inputs: Array<{ port: string; from: string; from_port: string; data: unknown }> = [];

    if (compiled.gatingEdges.length === 0) {
      const otherTrigger = this.options.triggerNodeId !== undefined && definition.kind === 'trigger' && node.id !== this.options.triggerNodeId;
      if (otherTrigger) return this.skip(frame, compiled, key);
      input = this.record.trigger_data;
    } else {
      for (const e of compiled.gatingEdges) {
        const state = this.edgeState(frame, e.id, e.from, e.fromPort);
        if (state.active) inputs.push({ port: e.toPort, from: e.from, from_port: e.fromPort, data: state.data });
      }
      if (inputs.length === 0) return this.skip(frame, compiled, key);
      input = inputs[0].data;
    }

    const prior = this.prior.get(key);
    if (prior && this.isReusable(prior)) {
      if (prior.status === 'skipped') return this.markSkipped(frame, compiled);
      return this.emit(frame, compiled, prior.output, prior.ports);
    }

    if (!node.enabled) {
      const result = this.newResult(compiled, key, prior);
      result.status = 'disabled';
      result.output = input;
      result.ports = [definition.outputs[0]];
      this.finishTiming(result, performance.now());
      await this.nodeHook('onNodeFinish', result);
      return this.emit(frame, compiled, input, result.ports);
    }

    const { output, ports } = await this.execute(frame, compiled, key, input, inputs, prior);
    this.emit(frame, compiled, output, ports);
  }

  private async skip(frame: Frame, compiled: CompiledNode, key: string): Promise<void> {
    // Resuming: a node skipped before is already in the record; it is not recorded twice.
    if (this.prior.get(key)?.status === 'skipped') return this.markSkipped(frame, compiled);
    const result = this.newResult(compiled, key, undefined);
    result.status = 'skipped';
    result.started_at = null;
    this.markSkipped(frame, compiled);
    await this.nodeHook('onNodeFinish', result);
  }

  private markSkipped(frame: Frame, compiled: CompiledNode): void {
    for (const e of compiled.outgoing) frame.inactive.add(e.id);
  }

  private emit(frame: Frame, compiled: CompiledNode, output: unknown, ports: string[]): void {
    for (const e of compiled.outgoing) {
      if (ports.includes(e.fromPort)) frame.active.set(e.id, output);
      else frame.inactive.add(e.id);
    }
    frame.nodesById[compiled.node.id] = output;
    frame.nodesByName[compiled.node.name] = output;
    frame.ran.add(compiled.node.id);
  }

  private newResult(compiled: CompiledNode, key: string, prior: NodeResult | undefined): NodeResult {
    const result: NodeResult = {
      key,
      node_id: compiled.node.id,
      node_name: compiled.node.name,
      node_type: compiled.node.type,
      status: 'running',
      output: null,
      ports: [],
      error: null,
      attempts: prior?.attempts ?? 0,
      started_at: new Date().toISOString(),
      finished_at: null,
      duration_ms: null,
      logs: [],
    };
    this.record.node_results.push(result);
    return result;
  }

  private finishTiming(result: NodeResult, started: number): void {
    result.finished_at = new Date().toISOString();
    result.duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
  }

  private async nodeHook(name: 'onNodeStart' | 'onNodeFinish', result: NodeResult): Promise<void> {
    const fn = this.options.hooks?.[name];
    if (fn) {
      const pending = fn.call(this.options.hooks, this.record, result);
      if (pending) await pending;
    }
  }

  scope(frame: Frame, input: unknown, inputs: unknown[]): ExpressionScope {
    let loopFrame: Frame | null = frame;
    while (loopFrame && loopFrame.loopId === null) loopFrame = loopFrame.parent;
    return {
      $trigger: this.record.trigger_data,
      $vars: this.vars,
      $nodes: frame.nodesById,
      $node: frame.nodesByName,
      $prev: input,
      $input: input,
      $inputs: inputs,
      $item: loopFrame ? loopFrame.item : null,
      $index: loopFrame ? loopFrame.index : null,
      $workflow: this.workflowInfo,
      $execution: this.executionInfo,
      $env: this.env,
    };
  }

  private resolveConfig(compiled: CompiledNode, scope: ExpressionScope): Record<string, unknown> {
    if (compiled.staticConfig) return compiled.staticConfig;
    const config: Record<string, unknown> = { ...compiled.node.config };
    const where = { node: compiled.node.name };
    for (const f of compiled.expressionFields) config[f] = resolveDeep(config[f], scope, { ...where, field: f });
    return applyConfigFields(compiled.fields, config, compiled.configPath);
  }

  private async execute(
    frame: Frame,
    compiled: CompiledNode,
    key: string,
    input: unknown,
    inputs: Array<{ port: string; from: string; from_port: string; data: unknown }>,
    prior: NodeResult | undefined,
  ): Promise<{ output: unknown; ports: string[] }> {
    const { node, definition } = compiled;
    const result = this.newResult(compiled, key, prior);
    await this.nodeHook('onNodeStart', result);
    const started = performance.now();
    const scope = this.scope(frame, input, inputs.map((i) => i.data));
    let settings: CommonSettings | undefined;
    let delay = 0;
    for (;;) {
      result.attempts++;
      try {
        const config = this.resolveConfig(compiled, scope);
        settings = config as unknown as CommonSettings;
        const ctx = new NodeRunContext(this, frame, compiled, result, config, input, inputs, scope);
        const value = await runWithAbort(() => definition.run(ctx), this.controller.signal, settings.timeout_ms, ctx);
        const routed = value instanceof Routed;
        const output = redactOutput(normalizeOutput(routed ? value.data : value));
        this.checkSize(output, node.name);
        result.output = output;
        result.ports = routed ? value.ports : [definition.outputs[0]];
        result.status = 'completed';
        break;
      } catch (error) {
        if (this.controller.signal.aborted) {
          result.status = this.controller.signal.reason instanceof CancelledError ? 'cancelled' : 'failed';
          result.error = toErrorInfo(this.controller.signal.reason, node.id);
          this.finishTiming(result, started);
          await this.nodeHook('onNodeFinish', result);
          throw this.controller.signal.reason;
        }
        const info = toErrorInfo(error, node.id);
        const strategy = settings?.on_error ?? staticOnError(compiled);
        const retries = settings?.max_retries ?? 3;
        if (strategy === 'retry' && result.attempts <= retries) {
          const base = settings?.retry_delay_ms ?? 1000;
          delay = delay === 0 ? base : delay * (settings?.backoff ?? 2);
          result.logs.push({ level: 'warn', message: `attempt ${result.attempts} failed: ${info.message}; retrying in ${delay} ms`, at: new Date().toISOString() });
          await abortableSleep(delay, this.controller.signal);
          continue;
        }
        result.error = info;
        result.status = 'failed';
        const goOn = strategy === 'continue' || (strategy === 'retry' && (settings?.retry_then ?? 'stop') === 'continue');
        if (goOn) {
          result.continued = true;
          result.output = { error: { message: info.message, code: info.code, node: node.id } };
          result.ports = [definition.outputs[0]];
          break;
        }
        this.finishTiming(result, started);
        await this.nodeHook('onNodeFinish', result);
        this.record.error = info;
        throw error;
      }
    }
    this.finishTiming(result, started);
    await this.nodeHook('onNodeFinish', result);
    return { output: result.output, ports: result.ports };
  }

  private checkSize(output: unknown, nodeName: string): void {
    // Most outputs are far below the limit: a bounded walk proves that without serialising them.
    if (fitsWithin(output, this.maxOutputBytes / 4)) return;
    const size = Buffer.byteLength(JSON.stringify(output) ?? '');
    if (size > this.maxOutputBytes) {
      throw new SkynetteError(
        'OUTPUT_TOO_LARGE',
        `node "${nodeName}" produced ${(size / 1048576).toFixed(1)} MB of output, more than the limit of ${(this.maxOutputBytes / 1048576).toFixed(1)} MB (settings.max_output_bytes); write large data to a file instead`,
      );
    }
  }

  /** Runs one iteration of a loop body and gives back its result. */
  async runIteration(parent: Frame, loop: CompiledNode, item: unknown, index: number): Promise<unknown> {
    const loopId = loop.node.id;
    const frame: Frame = {
      prefix: `${parent.prefix}${loopId}[${index}]/`,
      parent,
      active: new Map(),
      inactive: new Set(),
      nodesById: { ...parent.nodesById },
      nodesByName: { ...parent.nodesByName },
      loopId,
      item,
      index,
      ran: new Set(),
    };
    await this.runLevel(frame, loopId);
    const { backEdges, ends } = this.compiled.loops.get(loopId)!;
    if (backEdges.length) {
      let value: unknown = null;
      for (const e of backEdges) if (frame.active.has(e.id)) value = frame.active.get(e.id);
      return value;
    }
    let value: unknown = null;
    for (const id of ends) if (frame.ran.has(id)) value = frame.nodesById[id];
    return value;
  }
}

function staticOnError(compiled: CompiledNode): string {
  const v = compiled.node.config.on_error;
  return typeof v === 'string' ? v : 'stop';
}

/**
 * A node output that echoes a credential (an API answering with the token it was sent) is stored
 * with the secret blanked. Costs nothing until the vault has decrypted a secret in this process.
 */
function redactOutput(output: unknown): unknown {
  if (rememberedSecretCount() === 0 || output === null) return output;
  if (typeof output === 'string') return redactSecrets(output);
  if (typeof output !== 'object') return output;
  const text = JSON.stringify(output);
  const clean = redactSecrets(text);
  return clean === text ? output : JSON.parse(clean);
}

/**
 * True when the JSON of `value` surely takes fewer than `budget` characters (each character at most
 * 4 bytes, hence the callers' quarter): counts text and a few characters per value, stops early.
 */
function fitsWithin(value: unknown, budget: number): boolean {
  let left = budget;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') left -= v.length * 2 + 2;
    else if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        left -= 2 + v.length;
        for (const item of v) stack.push(item);
      } else {
        for (const key in v) {
          left -= key.length * 2 + 4;
          stack.push((v as Record<string, unknown>)[key]);
        }
      }
    } else left -= 24;
    if (left < 0) return false;
  }
  return true;
}

/** Node outputs are JSON data: undefined becomes null. */
function normalizeOutput(value: unknown): unknown {
  return value === undefined ? null : value;
}

export function toErrorInfo(error: unknown, nodeId?: string): ExecutionErrorInfo {
  const info: ExecutionErrorInfo = { message: redactSecrets(errorMessage(error)), code: errorCode(error) };
  if (nodeId) info.node = nodeId;
  if (error instanceof SkynetteError && error.path) info.path = error.path;
  return info;
}
