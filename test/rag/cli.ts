/** The real `skynette` CLI for kb/models tests, with its own data and models folders. */
import { runCli, type CliResult } from '../helpers/cli.js';

export type CliRun = CliResult;

export function runKbCli(args: string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return runCli(args, { env: { CI: '1', ...env }, cwd });
}
