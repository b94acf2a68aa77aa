/**
 * Runs the real `skynette` program in a child process for the server tests, with the start and
 * token commands registered even before the CLI wires them into its program.
 */
import { buildProgram } from '../../src/cli/program.js';
import { registerStartCommand } from '../../src/cli/commands/start.js';
import { registerTokenCommand } from '../../src/cli/commands/token.js';
import { reportFatal } from '../../src/cli/output.js';

const program = buildProgram();
const names = new Set(program.commands.map((c) => c.name()));
if (!names.has('start')) registerStartCommand(program);
if (!names.has('token')) registerTokenCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if ((error as { code?: string }).code?.startsWith('commander.')) process.exitCode = (error as { exitCode?: number }).exitCode ?? 1;
  else process.exitCode = reportFatal(error);
}
