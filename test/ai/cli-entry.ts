/**
 * The real `skynette` program (src/cli/program.ts) for the ai CLI tests, with one addition:
 * several commands separated by `--then` run one after another in this process (each opening
 * and closing the data directory as a separate run would), to spare a process start per command;
 * each ends with a line `@@END <exit code>@@` on stdout and stderr.
 */
import { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { reportFatal } from '../../src/cli/output.js';

const commands: string[][] = [[]];
for (const arg of process.argv.slice(2)) {
  if (arg === '--then') commands.push([]);
  else commands[commands.length - 1].push(arg);
}

for (const args of commands) {
  const program = buildProgram();
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(args, { from: 'user' });
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    code = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 1) : reportFatal(error);
  }
  process.stdout.write(`@@END ${code}@@\n`);
  process.stderr.write(`@@END ${code}@@\n`);
}
process.exitCode = 0;
