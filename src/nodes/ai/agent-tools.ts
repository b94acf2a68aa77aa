/**
 * The tools an ai-agent may call: HTTP requests the user lists (URL with {placeholders}, method,
 * headers, a credential), and stored workflows run with the arguments as trigger data. A tool's
 * failure is reported back to the model as the tool's result, so the agent can react to it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { httpRequest, type HttpMethod } from '../../http/index.js';
import type { ToolDefinition } from '../../ai/types.js';
import { SkynetteError, errorMessage } from '../../util/errors.js';
import type { NodeContext } from '../sdk.js';
import { credentialAuth } from '../core/http/credential-auth.js';

export interface HttpToolSpec {
  name: string;
  description?: string;
  method?: string;
  url: string;
  parameters?: Record<string, unknown>;
  headers?: Record<string, string>;
  credential?: string;
  timeout_ms?: number;
}

export interface WorkflowToolSpec {
  name: string;
  description?: string;
  /** A stored workflow's id or name. */
  workflow: string;
  parameters?: Record<string, unknown>;
}

export type ToolSpec = HttpToolSpec | WorkflowToolSpec;

/** Characters of a tool result sent back to the model. */
export const MAX_TOOL_RESULT_CHARS = 16_000;
/** Workflows called by agents that call workflows...: a loop ends here. */
const MAX_WORKFLOW_DEPTH = 3;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const depth = new AsyncLocalStorage<number>();

function bad(index: number, message: string): SkynetteError {
  return new SkynetteError('INVALID_CONFIG', `config.tools[${index}]: ${message}`, { path: `config.tools[${index}]` });
}

/** Checks the tool list of a node's config; every problem names the tool's index. */
export function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) throw new SkynetteError('INVALID_CONFIG', 'config.tools: expected a list of tools', { path: 'config.tools' });
  const names = new Set<string>();
  return value.map((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad(i, 'expected an object with name and url (an HTTP tool) or workflow');
    const tool = raw as Record<string, unknown>;
    if (typeof tool.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(tool.name)) throw bad(i, 'name: letters, digits, _ and - only (at most 64)');
    if (names.has(tool.name)) throw bad(i, `name: "${tool.name}" is used twice`);
    names.add(tool.name);
    if (tool.parameters !== undefined && (!tool.parameters || typeof tool.parameters !== 'object' || (tool.parameters as { type?: unknown }).type !== 'object')) {
      throw bad(i, 'parameters: a JSON schema of type object, like {"type": "object", "properties": {"city": {"type": "string"}}}');
    }
    if (typeof tool.workflow === 'string' && tool.workflow) return tool as unknown as WorkflowToolSpec;
    if (typeof tool.url !== 'string' || !/^https?:\/\//i.test(tool.url)) throw bad(i, 'url: an http(s) URL (or give workflow: the id or name of a stored workflow)');
    const method = String(tool.method ?? 'GET').toUpperCase();
    if (!METHODS.includes(method)) throw bad(i, `method: one of ${METHODS.join(', ')}`);
    if (tool.headers !== undefined && (typeof tool.headers !== 'object' || Array.isArray(tool.headers))) throw bad(i, 'headers: an object of header names and values');
    return { ...(tool as unknown as HttpToolSpec), method };
  });
}

export function toolDefinitions(tools: ToolSpec[]): ToolDefinition[] {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description ?? ('workflow' in tool ? `Runs the workflow "${tool.workflow}"` : `${(tool as HttpToolSpec).method ?? 'GET'} ${(tool as HttpToolSpec).url}`),
    parameters: tool.parameters ?? { type: 'object', properties: {} },
  }));
}

function clip(text: string): string {
  return text.length > MAX_TOOL_RESULT_CHARS ? `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… (cut at ${MAX_TOOL_RESULT_CHARS} characters)` : text;
}

function asJson(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  } catch {
    return String(value);
  }
}

async function callHttp(ctx: NodeContext<any>, tool: HttpToolSpec, args: Record<string, unknown>): Promise<unknown> {
  const rest = { ...args };
  const url = tool.url.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    if (value === undefined || value === null) throw new SkynetteError('AI_TOOL_ARGUMENT', `the argument "${name}" is needed for the URL`);
    return encodeURIComponent(String(value));
  });
  const method = (tool.method ?? 'GET').toUpperCase() as HttpMethod;
  const auth = tool.credential ? await credentialAuth(ctx, tool.credential) : undefined;
  const sendsBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  const query: Record<string, string> = { ...(auth?.query ?? {}) };
  if (!sendsBody) for (const [key, value] of Object.entries(rest)) query[key] = typeof value === 'string' ? value : JSON.stringify(value);
  const response = await httpRequest({
    method,
    url,
    headers: { ...(tool.headers ?? {}), ...(auth?.headers ?? {}) },
    query,
    ...(sendsBody ? { body: { type: 'json' as const, data: rest } } : {}),
    timeoutMs: tool.timeout_ms ?? 30_000,
    signal: ctx.signal,
    throwOnStatus: false,
    maxResponseBytes: 2 * 1024 * 1024,
    secrets: auth?.secrets,
  });
  const body = Buffer.isBuffer(response.body) ? `(${response.size} bytes of ${response.contentType || 'binary data'})` : response.body;
  return { status: response.status, body };
}

async function callWorkflow(ctx: NodeContext<any>, tool: WorkflowToolSpec, args: Record<string, unknown>): Promise<unknown> {
  const level = (depth.getStore() ?? 0) + 1;
  if (level > MAX_WORKFLOW_DEPTH) throw new SkynetteError('AI_TOOL_DEPTH', `workflows calling workflows through agents went ${MAX_WORKFLOW_DEPTH} levels deep; stopping here`);
  // Loaded on use: the executions layer sits above the nodes (it runs them).
  const [{ openContext }, { runStoredWorkflow }] = await Promise.all([import('../../executions/context.js'), import('../../executions/run-stored.js')]);
  const context = await openContext();
  try {
    const stored = await context.store.workflowStore.get(tool.workflow);
    if (!stored) throw new SkynetteError('WORKFLOW_NOT_FOUND', `no stored workflow "${tool.workflow}" (see skynette workflows list)`);
    const record = await depth.run(level, () => runStoredWorkflow(context, stored.workflow, { trigger: args, mode: 'agent', signal: ctx.signal }));
    if (record.status !== 'completed') throw new SkynetteError('AI_TOOL_WORKFLOW_FAILED', `the workflow "${stored.workflow.name}" ended ${record.status}${record.error ? `: ${record.error.message}` : ''}`);
    const last = [...record.node_results].reverse().find((r) => r.status === 'completed');
    return { execution_id: record.id, output: last?.output ?? null };
  } finally {
    await context.close();
  }
}

export interface ToolOutcome {
  ok: boolean;
  result?: unknown;
  error?: string;
  /** What the model is told. */
  content: string;
  duration_ms: number;
}

export async function runTool(ctx: NodeContext<any>, tools: ToolSpec[], name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
  const started = performance.now();
  const tool = tools.find((t) => t.name === name);
  const elapsed = () => Math.round(performance.now() - started);
  if (!tool) {
    const error = `there is no tool named "${name}"; the tools are ${tools.map((t) => t.name).join(', ')}`;
    return { ok: false, error, content: `error: ${error}`, duration_ms: elapsed() };
  }
  try {
    const result = 'workflow' in tool ? await callWorkflow(ctx, tool, args) : await callHttp(ctx, tool, args);
    return { ok: true, result, content: clip(asJson(result)), duration_ms: elapsed() };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    const message = errorMessage(error);
    return { ok: false, error: message, content: `error: ${message}`, duration_ms: elapsed() };
  }
}
