/**
 * `skynette start`: the server (REST API, webhooks, schedules) in the foreground. SIGTERM or
 * Ctrl-C stops it gracefully; a second one stops it at once (running executions resume at the
 * next start either way).
 */
import type { Command } from 'commander';
import { color } from '../output.js';

interface StartOptions {
  host?: string;
  port?: string;
  grace?: string;
  logLevel?: string;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the server: REST API, webhooks and schedules (http://127.0.0.1:5678 by default)')
    .option('--host <host>', 'address to listen on (SKYNETTE_HOST; default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free one (SKYNETTE_PORT; default 5678)')
    .option('--grace <ms>', 'at shutdown, how long running executions may take to finish (SKYNETTE_SHUTDOWN_GRACE_MS; default 10000)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (SKYNETTE_LOG_LEVEL; default info)')
    .action(async (options: StartOptions) => {
      // Loaded here, so other commands do not pay for the server's modules at every start.
      const { startServer } = await import('../../server/server.js');
      const server = await startServer({ host: options.host, port: options.port, grace: options.grace, logLevel: options.logLevel });
      const { report } = server;
      const out = (line: string) => process.stdout.write(line + '\n');
      out(`Skynette is running at ${color.bold(server.url)}`);
      out(color.gray(`  data: ${server.options.dataDir}`));
      out(color.gray(`  API token: ${report.tokenCreated ? 'created; ' : ''}print it with \`skynette token\``));
      if (report.resumed || report.resumeFailed) out(color.gray(`  resumed ${report.resumed} interrupted execution(s)${report.resumeFailed ? `, ${report.resumeFailed} could not resume` : ''}`));
      out(color.gray(`  active workflows: ${report.activated}${report.activationFailed ? ` (${report.activationFailed} could not be served; see the log)` : ''}`));
      out(color.gray('  stop with Ctrl-C'));

      const stopped = new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals++;
          if (signals > 1) {
            process.stderr.write('stopping at once; running executions resume at the next start\n');
            process.exit(130);
          }
          process.stderr.write(`\n${signal}: stopping (running executions get ${server.options.graceMs} ms to finish)…\n`);
          server.close(signal).then(
            ({ leftRunning }) => {
              if (leftRunning.length) process.stderr.write(`${leftRunning.length} execution(s) will resume at the next start\n`);
              resolve();
            },
            (error: unknown) => {
              process.stderr.write(`error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
              process.exitCode = 1;
              resolve();
            },
          );
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      await stopped;
      // Frozen executions may still hold timers or sockets; everything they did is on disk.
      process.exit(process.exitCode ?? 0);
    });
}
