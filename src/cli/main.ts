#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { reportFatal } from './output.js';

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end with code 0; usage errors were already printed by commander.
      process.exitCode = error.exitCode === 0 ? 0 : 1;
      return;
    }
    process.exitCode = reportFatal(error);
  }
}

process.on('uncaughtException', (error) => {
  process.exitCode = reportFatal(error);
  process.exit();
});
process.on('unhandledRejection', (error) => {
  process.exitCode = reportFatal(error);
  process.exit();
});

await main();
