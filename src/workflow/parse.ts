/**
 * Reads workflow text (YAML or JSON) into a Workflow, collecting every structural problem with its
 * path instead of stopping at the first. Bad input never throws: it becomes a problem.
 */
import { randomUUID } from 'node:crypto';
import { parseDocument, isMap, isSeq, LineCounter } from 'yaml';
import type { Problem } from '../util/errors.js';
import { KNOWN_NODE_KEYS, KNOWN_WORKFLOW_KEYS, type Connection, type Workflow, type WorkflowNode } from './model.js';

export const MAX_WORKFLOW_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_WORKFLOW_NESTING = 100;

export interface ParseResult {
  workflow?: Workflow;
  errors: Problem[];
  warnings: Problem[];
}

function looksBinary(text: string): boolean {
  // NUL bytes or U+FFFD (what invalid UTF-8 decodes to) mean this is not a text file.
  const sample = text.length > 65536 ? text.slice(0, 65536) : text;
  if (sample.includes('\u0000')) return true;
  let replacement = 0;
  for (const ch of sample) if (ch === '\uFFFD') replacement++;
  return replacement > 8;
}

function nestingDepth(value: unknown, limit: number): number {
  // Iterative, so a hostile file cannot overflow the stack while we measure it.
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current as object)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Parses text to plain data; `format` auto-detects JSON by its first character. */
export function parseWorkflowData(text: string, format: 'yaml' | 'json' | 'auto' = 'auto'): { data?: unknown; errors: Problem[] } {
  if (Buffer.byteLength(text) > MAX_WORKFLOW_FILE_BYTES) {
    return {
      errors: [{ path: '(file)', message: `the file is larger than ${MAX_WORKFLOW_FILE_BYTES / 1024 / 1024} MB; a workflow file should be small (move large data into files the workflow reads)` }],
    };
  }
  if (looksBinary(text)) {
    return { errors: [{ path: '(file)', message: 'the file is not text (it holds binary data); expected a YAML or JSON workflow' }] };
  }
  const trimmed = text.trimStart();
  if (trimmed === '') return { errors: [{ path: '(file)', message: 'the file is empty; expected a YAML or JSON workflow' }] };
  const isJson = format === 'json' || (format === 'auto' && (trimmed.startsWith('{') || trimmed.startsWith('[')));
  if (isJson) {
    try {
      return { data: JSON.parse(text), errors: [] };
    } catch (error) {
      if (error instanceof RangeError) return { errors: [{ path: '(file)', message: `the JSON is nested too deeply (limit ${MAX_WORKFLOW_NESTING} levels)` }] };
      const message = error instanceof Error ? error.message : String(error);
      const position = /position (\d+)/.exec(message);
      const problem: Problem = { path: '(file)', message: `JSON syntax error: ${message}` };
      if (position) {
        const before = text.slice(0, Number(position[1]));
        problem.line = before.split('\n').length;
        problem.column = before.length - before.lastIndexOf('\n');
      }
      return { errors: [problem] };
    }
  }
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    const message = error instanceof RangeError ? `the YAML is nested too deeply (limit ${MAX_WORKFLOW_NESTING} levels)` : `YAML could not be read: ${String(error)}`;
    return { errors: [{ path: '(file)', message }] };
  }
  if (doc.errors.length) {
    return {
      errors: doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { path: '(file)', line: at.line, column: at.col, message: `YAML syntax error at line ${at.line}, column ${at.col}: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  try {
    if (!isMap(doc.contents) && !isSeq(doc.contents) && doc.contents !== null) {
      return { errors: [{ path: '(file)', message: 'expected a workflow (a mapping with name, nodes and connections), got a single value' }] };
    }
    return { data: doc.toJS({ maxAliasCount: 100 }), errors: [] };
  } catch (error) {
    const message = error instanceof RangeError ? `the YAML is nested too deeply (limit ${MAX_WORKFLOW_NESTING} levels)` : `YAML could not be read: ${error instanceof Error ? error.message : String(error)}`;
    return { errors: [{ path: '(file)', message }] };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Shapes plain data into a Workflow: defaults, generated ids, and a problem for every bad field. */
export function normalizeWorkflow(data: unknown): ParseResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  if (!isPlainObject(data)) {
    return { errors: [{ path: '(root)', message: `expected a workflow mapping with name, nodes and connections, got ${typeName(data)}` }], warnings };
  }
  if (nestingDepth(data, MAX_WORKFLOW_NESTING) > MAX_WORKFLOW_NESTING) {
    return { errors: [{ path: '(root)', message: `the workflow is nested more than ${MAX_WORKFLOW_NESTING} levels deep` }], warnings };
  }
  const text = (key: string, fallback: string): string => {
    const value = data[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && key !== 'name') return String(value);
    errors.push({ path: key, message: `expected text, got ${typeName(value)}` });
    return fallback;
  };

  const now = new Date().toISOString();
  const name = text('name', '');
  if (name.trim() === '' && (data.name === undefined || data.name === null || data.name === '')) errors.push({ path: 'name', message: 'the workflow needs a name' });

  let version = 1;
  if (data.version !== undefined && data.version !== null) {
    // The original wrote versions like "1.0.0"; keep the leading number.
    const n = typeof data.version === 'number' ? data.version : Number.parseInt(String(data.version), 10);
    if (Number.isFinite(n) && n >= 1) version = Math.floor(n);
    else if (typeof data.version !== 'string') errors.push({ path: 'version', message: `expected a version number, got ${typeName(data.version)}` });
  }

  const nodes: WorkflowNode[] = [];
  const takenIds = new Set<string>();
  for (const raw of Array.isArray(data.nodes) ? data.nodes : []) {
    if (isPlainObject(raw) && (typeof raw.id === 'string' || typeof raw.id === 'number')) takenIds.add(String(raw.id));
  }
  if (data.nodes !== undefined && !Array.isArray(data.nodes)) errors.push({ path: 'nodes', message: `expected a list of nodes, got ${typeName(data.nodes)}` });
  const rawNodes = Array.isArray(data.nodes) ? data.nodes : [];
  rawNodes.forEach((raw, i) => {
    const path = `nodes[${i}]`;
    if (!isPlainObject(raw)) {
      errors.push({ path, message: `expected a node mapping with id, type and config, got ${typeName(raw)}` });
      return;
    }
    const node = normalizeNode(raw, path, errors, takenIds, i);
    if (node) nodes.push(node);
  });

  const connections: Connection[] = [];
  if (data.connections !== undefined && data.connections !== null && !Array.isArray(data.connections)) {
    errors.push({ path: 'connections', message: `expected a list of connections, got ${typeName(data.connections)}` });
  }
  const rawConnections = Array.isArray(data.connections) ? data.connections : [];
  rawConnections.forEach((raw, i) => {
    const path = `connections[${i}]`;
    if (!isPlainObject(raw)) {
      errors.push({ path, message: `expected a connection mapping with source_node_id and target_node_id, got ${typeName(raw)}` });
      return;
    }
    const endpoint = (key: string, fallback?: string): string | undefined => {
      const value = raw[key];
      if (value === undefined || value === null || value === '') {
        if (fallback === undefined) errors.push({ path: `${path}.${key}`, message: `required field "${key}" is missing` });
        return fallback;
      }
      if (typeof value !== 'string') {
        errors.push({ path: `${path}.${key}`, message: `expected text, got ${typeName(value)}` });
        return fallback;
      }
      return value;
    };
    const source = endpoint('source_node_id');
    const target = endpoint('target_node_id');
    const sourcePort = endpoint('source_port', 'output')!;
    const targetPort = endpoint('target_port', 'input')!;
    if (source && target) {
      connections.push({
        // Generated ids are derived from the position, so reading the same file twice gives the same workflow.
        id: typeof raw.id === 'string' && raw.id ? raw.id : `conn_${i + 1}`,
        source_node_id: source,
        source_port: sourcePort,
        target_node_id: target,
        target_port: targetPort,
      });
    }
  });

  const objectField = (key: string): Record<string, unknown> => {
    const value = data[key];
    if (value === undefined || value === null) return {};
    if (isPlainObject(value)) return value;
    errors.push({ path: key, message: `expected a mapping, got ${typeName(value)}` });
    return {};
  };

  let tags: string[] = [];
  if (Array.isArray(data.tags)) {
    data.tags.forEach((t, i) => {
      if (typeof t === 'string') tags.push(t);
      else errors.push({ path: `tags[${i}]`, message: `expected text, got ${typeName(t)}` });
    });
  } else if (data.tags !== undefined && data.tags !== null) {
    errors.push({ path: 'tags', message: `expected a list of tags, got ${typeName(data.tags)}` });
    tags = [];
  }

  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    if (!(KNOWN_WORKFLOW_KEYS as readonly string[]).includes(key)) {
      extra[key] = data[key];
      warnings.push({ path: key, message: `unknown top-level key "${key}" is kept but not used`, severity: 'warning' });
    }
  }

  const workflow: Workflow = {
    id: text('id', '') || `wf_${randomUUID().slice(0, 8)}`,
    name,
    description: text('description', ''),
    version,
    nodes,
    connections,
    variables: objectField('variables'),
    settings: objectField('settings'),
    tags,
    created_at: text('created_at', now),
    updated_at: text('updated_at', now),
  };
  if (Object.keys(extra).length) workflow.extra = extra;
  return { workflow, errors, warnings };
}

function normalizeNode(raw: Record<string, unknown>, path: string, errors: Problem[], takenIds: Set<string>, index: number): WorkflowNode | undefined {
  const type = raw.type;
  if (typeof type !== 'string' || type === '') {
    errors.push({ path: `${path}.type`, message: raw.type === undefined ? 'required field "type" is missing' : `expected a node type id, got ${typeName(raw.type)}` });
    return undefined;
  }
  let id = raw.id;
  if (id === undefined || id === null || id === '') {
    // Derived from the type and position, so the same file always gets the same ids.
    const base = type.replace(/[^a-zA-Z0-9]+/g, '_');
    let candidate = `${base}_${index + 1}`;
    for (let n = 2; takenIds.has(candidate); n++) candidate = `${base}_${index + 1}_${n}`;
    takenIds.add(candidate);
    id = candidate;
  }
  if (typeof id === 'number') id = String(id);
  if (typeof id !== 'string') {
    errors.push({ path: `${path}.id`, message: `expected text, got ${typeName(raw.id)}` });
    return undefined;
  }
  let config: Record<string, unknown> = {};
  if (isPlainObject(raw.config)) config = raw.config;
  else if (raw.config !== undefined && raw.config !== null) errors.push({ path: `${path}.config`, message: `expected a mapping, got ${typeName(raw.config)}` });

  let position = { x: 0, y: 0 };
  if (isPlainObject(raw.position)) {
    const { x, y } = raw.position;
    if (typeof x === 'number' && typeof y === 'number') position = { x, y };
    else errors.push({ path: `${path}.position`, message: 'expected numbers x and y' });
  }
  let enabled = true;
  if (raw.enabled !== undefined && raw.enabled !== null) {
    if (typeof raw.enabled === 'boolean') enabled = raw.enabled;
    else errors.push({ path: `${path}.enabled`, message: `expected true or false, got ${typeName(raw.enabled)}` });
  }
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : id;
  const node: WorkflowNode = { id, type, name, position, config, enabled };
  for (const key of Object.keys(raw)) {
    if (!(KNOWN_NODE_KEYS as readonly string[]).includes(key)) node[key] = raw[key];
  }
  return node;
}

/** Text to Workflow in one step, with every problem found. */
export function parseWorkflowText(text: string, format: 'yaml' | 'json' | 'auto' = 'auto'): ParseResult {
  const { data, errors } = parseWorkflowData(text, format);
  if (errors.length) return { errors, warnings: [] };
  return normalizeWorkflow(data);
}
