/**
 * What a node's run() receives. A class rather than an object of closures: one is made per node
 * run, and the engine benchmark runs hundreds of thousands of them.
 */
import type { NodeContext, NodeInput, NodeLogger } from '../nodes/sdk.js';
import { resolveTemplate, type ExpressionScope } from '../expressions/index.js';
import { SkynetteError } from '../util/errors.js';
import { redactSecrets } from '../secrets/redact.js';
import type { CompiledNode } from './compile.js';
import type { NodeLogLine, NodeResult } from './execution.js';
import type { Frame } from './runner.js';

/** The parts of a run a node context reaches into. */
export interface RunHandle {
  readonly vars: Record<string, unknown>;
  readonly record: { trigger_data: unknown };
  readonly workflowInfo: { id: string; name: string; version: number };
  readonly executionInfo: { id: string; mode: string; started_at: string };
  readonly controller: AbortController;
  readonly dataDir: string;
  readonly options: {
    getCredential?: (reference: string) => Promise<Record<string, unknown>>;
    onLog?: (result: NodeResult, line: NodeLogLine) => void;
  };
  runIteration(parent: Frame, loop: CompiledNode, item: unknown, index: number): Promise<unknown>;
}

const MAX_LOG_LINES = 1000;
const MAX_LOG_LINE_CHARS = 10_000;

export class NodeRunContext implements NodeContext {
  signal: AbortSignal;
  readonly log: NodeLogger;
  readonly node: { id: string; name: string; type: string };

  constructor(
    private readonly run: RunHandle,
    private readonly frame: Frame,
    private readonly compiled: CompiledNode,
    private readonly result: NodeResult,
    readonly config: Record<string, unknown>,
    readonly input: unknown,
    readonly inputs: NodeInput[],
    private readonly expressionScope: ExpressionScope,
  ) {
    this.signal = run.controller.signal;
    this.node = { id: compiled.node.id, name: compiled.node.name, type: compiled.node.type };
    const line = (level: NodeLogLine['level']) => (message: string, data?: unknown) => this.addLog(level, message, data);
    this.log = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  }

  get rawConfig(): Record<string, unknown> {
    return this.compiled.node.config;
  }
  get trigger(): unknown {
    return this.run.record.trigger_data;
  }
  get vars(): Readonly<Record<string, unknown>> {
    return this.run.vars;
  }
  get workflow() {
    return this.run.workflowInfo;
  }
  get execution() {
    return this.run.executionInfo;
  }
  get dataDir(): string {
    return this.run.dataDir;
  }

  setVariable(name: string, value: unknown): void {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
      throw new SkynetteError('INVALID_VARIABLE', `"${name}" cannot be used as a variable name`);
    }
    this.run.vars[name] = value;
  }

  evaluate(template: string, extra?: Record<string, unknown>, field?: string): unknown {
    const scope = extra ? { ...this.expressionScope, ...extra } : this.expressionScope;
    return resolveTemplate(template, scope, { node: this.node.name, field });
  }

  runBody(item: unknown, index: number): Promise<unknown> {
    if (this.compiled.definition.kind !== 'loop') {
      throw new SkynetteError('NOT_A_LOOP', `node "${this.node.name}" is not a loop node and has no body to run`);
    }
    return this.run.runIteration(this.frame, this.compiled, item, index);
  }

  async getCredential(reference: string): Promise<Record<string, unknown>> {
    const resolve = this.run.options.getCredential;
    if (!resolve) {
      throw new SkynetteError('NO_CREDENTIALS', `node "${this.node.name}" needs the credential "${reference}", but this run has no credential vault (store credentials with \`skynette credentials add\`)`);
    }
    return resolve(reference);
  }

  private addLog(level: NodeLogLine['level'], message: string, data?: unknown): void {
    const logs = this.result.logs;
    if (logs.length >= MAX_LOG_LINES) {
      if (logs.length === MAX_LOG_LINES) logs.push({ level: 'warn', message: `more than ${MAX_LOG_LINES} log lines; the rest are dropped`, at: new Date().toISOString() });
      return;
    }
    let text = redactSecrets(data === undefined ? message : `${message} ${safeJson(data)}`);
    if (text.length > MAX_LOG_LINE_CHARS) text = text.slice(0, MAX_LOG_LINE_CHARS) + '… (cut)';
    const entry: NodeLogLine = { level, message: text, at: new Date().toISOString() };
    logs.push(entry);
    this.run.options.onLog?.(this.result, entry);
  }
}

function safeJson(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}
