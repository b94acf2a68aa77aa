/**
 * A `skynette` with only the credentials command group, for testing it in a child process while it
 * is not yet part of src/cli/program.ts. Mirrors src/cli/main.ts.
 */
import { Command, CommanderError } from 'commander';
import { registerCredentialsCommand } from '../../src/cli/commands/credentials.js';
import { reportFatal } from '../../src/cli/output.js';

const program = new Command().name('skynette').exitOverride().configureOutput({ outputError: (text, write) => write(text) });
registerCredentialsCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 1) : reportFatal(error);
}
