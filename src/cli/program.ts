/**
 * The `skynette` command line. Each command group lives in its own file under commands/.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerNodesCommand } from './commands/nodes.js';
import { registerCredentialsCommand } from './commands/credentials.js';
import { registerWorkflowsCommand } from './commands/workflows.js';
import { registerExecCommand } from './commands/exec.js';
import { registerExecutionsCommand } from './commands/executions.js';
import { registerSettingsCommand } from './commands/settings.js';
import { registerKbCommand } from './commands/kb.js';
import { registerAiCommand } from './commands/ai.js';
import { registerModelsCommand } from './commands/models.js';
import { registerStartCommand } from './commands/start.js';
import { registerTokenCommand } from './commands/token.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('skynette')
    .description('Local-first, AI-native workflow automation')
    .version(packageVersion(), '-v, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) });
  registerRunCommand(program);
  registerValidateCommand(program);
  registerNodesCommand(program);
  registerWorkflowsCommand(program);
  registerExecCommand(program);
  registerExecutionsCommand(program);
  registerCredentialsCommand(program);
  registerSettingsCommand(program);
  registerAiCommand(program);
  registerKbCommand(program);
  registerModelsCommand(program);
  registerStartCommand(program);
  registerTokenCommand(program);
  return program;
}
