/**
 * The kb and models commands as a process, exactly as src/cli/main.ts runs its program, for CLI
 * tests until the lead registers them in src/cli/program.ts (then tests can spawn main.ts).
 */
import { Command, CommanderError } from 'commander';
import { registerKbCommand } from '../../src/cli/commands/kb.js';
import { registerModelsCommand } from '../../src/cli/commands/models.js';
import { reportFatal } from '../../src/cli/output.js';

const program = new Command().name('skynette').exitOverride().configureOutput({ outputError: (text, write) => write(text) });
registerKbCommand(program);
registerModelsCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 1) : reportFatal(error);
}
