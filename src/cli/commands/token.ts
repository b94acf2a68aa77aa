/**
 * `skynette token`: the API token every /api request needs (made on first use), and
 * `skynette token rotate` to replace it; a running server accepts only the new one at once.
 */
import type { Command } from 'commander';
import { resolveDataDir } from '../../config/data-dir.js';
import { apiTokenPath, ensureApiToken, rotateApiToken } from '../../server/api-token.js';
import { color } from '../output.js';

export function registerTokenCommand(program: Command): void {
  const token = program
    .command('token')
    .description('print the API token (send it as "Authorization: Bearer <token>")')
    .option('--quiet', 'print only the token')
    .action((options: { quiet?: boolean }) => {
      const dataDir = resolveDataDir();
      const { token: value, created } = ensureApiToken(dataDir);
      process.stdout.write(value + '\n');
      if (!options.quiet) process.stderr.write(color.gray(`${created ? 'created and stored' : 'stored'} in ${apiTokenPath(dataDir)}\n`));
    });

  token
    .command('rotate')
    .description('replace the API token; the old one stops working at once, also on a running server')
    .option('--quiet', 'print only the new token')
    .action((options: { quiet?: boolean }) => {
      const dataDir = resolveDataDir();
      const value = rotateApiToken(dataDir);
      process.stdout.write(value + '\n');
      if (!options.quiet) process.stderr.write(color.gray(`the new token is stored in ${apiTokenPath(dataDir)}; the old one no longer works\n`));
    });
}
