/**
 * How an execution reads on the terminal: one line per node as it finishes (mark, name, duration),
 * its log lines under it, then a summary. `--json` prints one machine-readable object instead.
 */
import type { ExecutionHooks, ExecutionRecord, NodeResult } from '../engine/execution.js';
import { resultsByNode, statusByNode } from '../engine/execution.js';
import { color, formatDuration, printJson } from './output.js';

const marks: Record<string, string> = {
  completed: color.green('✓'),
  failed: color.red('✗'),
  skipped: color.gray('-'),
  disabled: color.gray('○'),
  cancelled: color.yellow('■'),
  running: color.yellow('…'),
};

export function formatNodeLine(result: NodeResult, verbose = false): string {
  const mark = result.continued ? color.yellow('!') : (marks[result.status] ?? '?');
  const where = result.key !== result.node_id ? color.gray(` [${result.key.slice(0, result.key.lastIndexOf('/'))}]`) : '';
  const name = result.node_name === result.node_id ? result.node_name : `${result.node_name} ${color.gray(`(${result.node_id})`)}`;
  let line = `${mark} ${name}${where}`;
  if (result.status === 'skipped') line += color.gray('  skipped');
  else if (result.status === 'disabled') line += color.gray('  disabled, input passed on');
  else line += `  ${color.gray(formatDuration(result.duration_ms))}`;
  if (result.attempts > 1) line += color.gray(`  (${result.attempts} attempts)`);
  if (result.error) line += `\n    ${color.red(result.error.message)}${result.continued ? color.gray(' (continued)') : ''}`;
  for (const log of result.logs) {
    if (log.level === 'debug' && !verbose) continue;
    const text = log.message.split('\n').join('\n      ');
    line += `\n    ${log.level === 'error' ? color.red(text) : log.level === 'warn' ? color.yellow(text) : text}`;
  }
  return line;
}

export function executionSummary(record: ExecutionRecord): object {
  return {
    execution_id: record.id,
    status: record.status,
    duration_ms: record.duration_ms,
    error: record.error,
    results: resultsByNode(record),
    nodes: statusByNode(record),
  };
}

function shortJson(value: unknown, max = 300): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > max ? text.slice(0, max) + `… (${text.length - max} more characters; use --json for all)` : text;
}

export function printExecutionEnd(record: ExecutionRecord): void {
  const status = record.status === 'completed' ? color.green(record.status) : record.status === 'cancelled' ? color.yellow(record.status) : color.red(record.status);
  const lastRun = [...record.node_results].reverse().find((r) => r.status === 'completed' || r.status === 'disabled');
  if (record.status === 'completed' && lastRun) process.stdout.write(`${color.gray('output:')} ${shortJson(lastRun.output)}\n`);
  process.stdout.write(`${status} in ${formatDuration(record.duration_ms)} ${color.gray(`(execution ${record.id})`)}\n`);
  if (record.error && record.status !== 'completed') {
    const at = record.error.node ? ` at node "${record.error.node}"` : '';
    process.stderr.write(`${color.red('error')}${at}: ${record.error.message}\n`);
  }
}

/** Prints each node as it finishes, unless the output is JSON. */
export function printingHooks(json: boolean | undefined, verbose?: boolean): ExecutionHooks | undefined {
  if (json) return undefined;
  return { onNodeFinish: (_e, result) => void process.stdout.write(formatNodeLine(result, verbose) + '\n') };
}

/** Prints the end of a run and sets the exit code: 0 only for completed. */
export function finishRun(record: ExecutionRecord, json: boolean | undefined): void {
  if (json) printJson(executionSummary(record));
  else printExecutionEnd(record);
  process.exitCode = record.status === 'completed' ? 0 : record.status === 'cancelled' ? 130 : 1;
}
