/**
 * The node SDK: a node is a declaration plus one run function.
 *
 *   export const logDebug = defineNode({
 *     type: 'log_debug', name: 'Log', category: 'utility',
 *     fields: { message: field.text({ required: true }) },
 *     async run({ config, input, log }) { log.info(config.message); return input; },
 *   });
 */
import type { FieldMap } from './fields.js';

export { field } from './fields.js';
export type { FieldSpec, FieldMap, FieldType } from './fields.js';

export type NodeCategory =
  | 'trigger'
  | 'flow'
  | 'data'
  | 'http'
  | 'code'
  | 'files'
  | 'database'
  | 'utility'
  | 'ai'
  | 'rag'
  | 'apps';

/** What a node returns to send data out of a port other than its first one (or out of several). */
export class Routed {
  constructor(
    readonly ports: string[],
    readonly data: unknown,
  ) {}
}

/** `return route('true', input)` sends `input` out of the port named `true` only. */
export function route(port: string | string[], data: unknown): Routed {
  return new Routed(Array.isArray(port) ? port : [port], data);
}

export interface NodeLogger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** One connection's data arriving at a node. */
export interface NodeInput {
  port: string;
  from: string;
  from_port: string;
  data: unknown;
}

export interface NodeContext<C = Record<string, unknown>> {
  /** Config with expressions resolved, defaults applied, types checked. */
  config: C;
  /** Config exactly as written in the workflow file (for fields resolved lazily). */
  rawConfig: Record<string, unknown>;
  node: { id: string; name: string; type: string };
  /** `$prev`: the data that arrived on this node's input (the first active connection). */
  input: unknown;
  /** Every active connection's data, in the order the connections are declared. */
  inputs: NodeInput[];
  trigger: unknown;
  /** `$vars`, read-only view; change a variable with setVariable. */
  vars: Readonly<Record<string, unknown>>;
  setVariable(name: string, value: unknown): void;
  workflow: { id: string; name: string; version: number };
  execution: { id: string; mode: string; started_at: string };
  /** Aborted when the execution is cancelled, times out, or this node's timeout_ms passes. */
  signal: AbortSignal;
  log: NodeLogger;
  /** Evaluates a `{{ }}` template against this node's expression scope plus `extra` names. */
  evaluate(template: string, extra?: Record<string, unknown>, field?: string): unknown;
  /** Loop nodes only: runs the sub-graph on the `item` port for one element, resolving to its final output. */
  runBody(item: unknown, index: number): Promise<unknown>;
  /** A decrypted credential, by id or name (wired by the credential vault). */
  getCredential(reference: string): Promise<Record<string, unknown>>;
  /** Where this execution's files live (binary data, write_file default folder). */
  dataDir: string;
}

export interface NodeDefinition<C = Record<string, unknown>> {
  /** Type id as written in workflow files; original Skynette ids are kept. */
  type: string;
  name: string;
  description: string;
  category: NodeCategory;
  fields: FieldMap;
  /** Input ports (default ["input"]). Triggers have none. */
  inputs?: string[];
  /** Output ports (default ["output"]). if_else: true/false; loop: item/done. */
  outputs?: string[];
  /** Output ports that depend on config (switch: one per case); `outputs` lists the fixed ones. */
  outputsFor?(config: Record<string, unknown>): string[];
  /**
   * No effect outside the execution (no HTTP call, no file, no database write): after a crash the
   * node may simply run again. Lets the server save such results together with the next write.
   */
  replayable?: boolean;
  /** `trigger` nodes start a workflow; `loop` nodes get runBody. */
  kind?: 'trigger' | 'loop';
  /** Other type ids that load as this node (older files). */
  aliases?: string[];
  /** Credential types this node can use. */
  credential_types?: string[];
  run(ctx: NodeContext<C>): Promise<unknown> | unknown;
}

/** The declaration with ports filled in, as the registry and engine see it. */
export interface RegisteredNode extends NodeDefinition<any> {
  inputs: string[];
  outputs: string[];
}

export function defineNode<C = Record<string, unknown>>(definition: NodeDefinition<C>): RegisteredNode {
  const inputs = definition.inputs ?? (definition.kind === 'trigger' ? [] : ['input']);
  const outputs = definition.outputs ?? ['output'];
  return { ...definition, inputs, outputs } as RegisteredNode;
}
