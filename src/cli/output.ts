/**
 * How the CLI talks to people: short lines, a mark per status, colour only on a terminal, and
 * errors as one clear message (a stack trace only with SKYNETTE_DEBUG=1).
 */
import { SkynetteError, type Problem } from '../util/errors.js';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
export const color = { red: paint(31), green: paint(32), yellow: paint(33), gray: paint(90), bold: paint(1), cyan: paint(36) };

/** Thrown by commands to end with a message and an exit code, without a stack trace. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
  }
}

export function fail(message: string, exitCode = 1): never {
  throw new CliExit(exitCode, message);
}

export function formatProblem(p: Problem): string {
  const where = p.line !== undefined && p.path === '(file)' ? '' : `${p.path}: `;
  return `${where}${p.message}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Last line of defence: any error reaching the top prints as one message and exit 1. */
export function reportFatal(error: unknown): number {
  if (error instanceof CliExit) {
    if (error.message) process.stderr.write(error.message.endsWith('\n') ? error.message : error.message + '\n');
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof SkynetteError ? ` [${error.code}]` : '';
  process.stderr.write(`${color.red('error')}${code}: ${message}\n`);
  if (process.env.SKYNETTE_DEBUG && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  return 1;
}
