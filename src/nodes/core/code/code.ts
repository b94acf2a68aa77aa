import { logsOfFailedRun, runSandboxedCode, SANDBOX_DEFAULTS, type SandboxLogLine } from '../../../sandbox/quickjs-sandbox.js';
import { defineNode, field, type NodeContext } from '../../sdk.js';

interface CodeConfig {
  code: string;
  time_limit_ms: number;
  memory_limit_mb: number;
}

/**
 * Names the code can read, as in expressions. Each is copied into the sandbox (as JSON) only when
 * the code mentions it, so a script that reads `$prev` does not pay for copying every node's output.
 */
const DIRECT_NAMES: Record<string, (ctx: NodeContext<CodeConfig>) => unknown> = {
  $prev: (ctx) => ctx.input,
  $input: (ctx) => ctx.input,
  $inputs: (ctx) => ctx.inputs.map((i) => i.data),
  $vars: (ctx) => ctx.vars,
  $trigger: (ctx) => ctx.trigger,
  $workflow: (ctx) => ctx.workflow,
  $execution: (ctx) => ctx.execution,
};
/** Names only the engine's expression scope knows; read through ctx.evaluate. */
const SCOPE_NAMES = ['$nodes', '$node', '$item', '$index', '$env'];

const mentions = (code: string, name: string): boolean => new RegExp(`\\${name}(?![\\w$])`).test(code);

function sandboxGlobals(ctx: NodeContext<CodeConfig>, code: string): Record<string, unknown> {
  const globals: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(DIRECT_NAMES)) {
    if (mentions(code, name)) globals[name] = read(ctx) ?? null;
  }
  for (const name of SCOPE_NAMES) {
    if (!mentions(code, name)) continue;
    let value: unknown;
    try {
      value = ctx.evaluate(`{{ ${name} }}`);
    } catch {
      // Not in this run's scope (e.g. $item outside a loop in a context without one): leave it undefined.
      continue;
    }
    if (value !== undefined) globals[name] = value;
  }
  return globals;
}

function writeLogs(ctx: NodeContext<CodeConfig>, lines: SandboxLogLine[]): void {
  for (const line of lines) ctx.log[line.level](line.message);
}

export const codeNode = defineNode<CodeConfig>({
  type: 'code',
  name: 'Code',
  description:
    'Runs JavaScript in a sandbox (QuickJS in WebAssembly) and outputs what it returns. The code is a function body: ' +
    '`return $prev.total * 2`; it may use await. It sees $prev, $input, $inputs, $vars, $nodes, $node, $trigger, $item, ' +
    '$index, $workflow, $execution and $env as JSON data, and console.log; it has no require, process, fetch, timers, ' +
    'files or network.',
  category: 'code',
  replayable: true,
  fields: {
    code: field.text({
      required: true,
      raw: true,
      language: 'javascript',
      placeholder: 'return { total: $prev.items.length }',
      description: 'a function body; its return value (JSON data) is the output, undefined gives null',
    }),
    time_limit_ms: field.number({
      default: SANDBOX_DEFAULTS.timeLimitMs,
      min: 1,
      max: 600_000,
      integer: true,
      description: 'stop the code when it runs longer than this (CPU time in the sandbox)',
    }),
    memory_limit_mb: field.number({
      default: SANDBOX_DEFAULTS.memoryLimitMb,
      min: 1,
      max: 1024,
      integer: true,
      description: 'most memory the code may allocate, input data included',
    }),
  },
  async run(ctx) {
    const { code, time_limit_ms, memory_limit_mb } = ctx.config;
    try {
      const result = await runSandboxedCode({
        code,
        globals: sandboxGlobals(ctx, code),
        timeLimitMs: time_limit_ms,
        memoryLimitMb: memory_limit_mb,
        signal: ctx.signal,
      });
      writeLogs(ctx, result.logs);
      return result.value;
    } catch (error) {
      writeLogs(ctx, logsOfFailedRun(error));
      throw error;
    }
  },
});
