/**
 * Builds a NodeContext for calling one node's run() directly in a unit test, without a workflow.
 * Engine-level behaviour (expressions, retries, routing) is tested through the engine instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, RegisteredNode } from '../../src/nodes/sdk.js';
import { applyConfigFields } from '../../src/nodes/config-check.js';

export interface TestNodeContext extends NodeContext {
  logs: Array<{ level: string; message: string; data?: unknown }>;
  setVars: Record<string, unknown>;
}

export function nodeContext(node: RegisteredNode, config: Record<string, unknown>, input: unknown = {}, extra: Partial<NodeContext> = {}): TestNodeContext {
  const logs: TestNodeContext['logs'] = [];
  const vars: Record<string, unknown> = {};
  const logger = (level: string) => (message: string, data?: unknown) => logs.push({ level, message, data });
  const ctx: TestNodeContext = {
    config: applyConfigFields(node.fields, config, 'config'),
    rawConfig: config,
    node: { id: 'test_node', name: 'Test node', type: node.type },
    input,
    inputs: [{ port: 'input', from: 'previous', from_port: 'output', data: input }],
    trigger: input,
    vars,
    setVars: vars,
    setVariable(name, value) {
      vars[name] = value;
    },
    workflow: { id: 'wf_test', name: 'Test', version: 1 },
    execution: { id: 'exec_test', mode: 'manual', started_at: new Date().toISOString() },
    signal: new AbortController().signal,
    log: { debug: logger('debug'), info: logger('info'), warn: logger('warn'), error: logger('error') },
    evaluate() {
      throw new Error('evaluate is not available in this unit-test context');
    },
    async runBody() {
      throw new Error('runBody is not available in this unit-test context');
    },
    async getCredential(reference) {
      throw new Error(`no credential "${reference}" in this unit-test context`);
    },
    dataDir: mkdtempSync(join(tmpdir(), 'skynette-node-')),
    logs,
    ...extra,
  };
  return ctx;
}
