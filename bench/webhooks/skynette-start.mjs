// `skynette start` from the compiled build (npm run build), for the benchmark: the start command
// is registered here too in case the CLI program does not list it yet.
import { buildProgram } from '../../dist/cli/program.js';
import { registerStartCommand } from '../../dist/cli/commands/start.js';

const program = buildProgram();
if (!program.commands.some((c) => c.name() === 'start')) registerStartCommand(program);
await program.parseAsync(process.argv);
