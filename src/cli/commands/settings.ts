import type { Command } from 'commander';
import { color, printJson } from '../output.js';
import { withContext } from '../with-context.js';
import { isSettingKey, settingDefinitions } from '../../store/index.js';
import { fail } from '../output.js';

export function registerSettingsCommand(program: Command): void {
  const settings = program.command('settings').description('typed settings, such as execution retention');
  settings
    .command('list')
    .description('every setting with its value and default')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      withContext(async (ctx) => {
        const entries = await ctx.store.settingsStore.list();
        if (options.json) return printJson(entries);
        for (const e of entries) {
          process.stdout.write(`${e.key.padEnd(28)} ${JSON.stringify(e.value).padEnd(10)} ${color.gray(e.description)}\n`);
        }
      }, { sync: false }),
    );
  settings
    .command('get')
    .description('print one setting')
    .argument('<key>')
    .action((key: string) =>
      withContext(async (ctx) => {
        if (!isSettingKey(key)) fail(`unknown setting "${key}"; known settings: ${Object.keys(settingDefinitions).join(', ')}`);
        process.stdout.write(JSON.stringify(await ctx.store.settingsStore.get(key)) + '\n');
      }, { sync: false }),
    );
  settings
    .command('set')
    .description('change one setting (values are JSON: numbers, true/false, "text")')
    .argument('<key>')
    .argument('<value>')
    .action((key: string, value: string) =>
      withContext(async (ctx) => {
        if (!isSettingKey(key)) fail(`unknown setting "${key}"; known settings: ${Object.keys(settingDefinitions).join(', ')}`);
        const stored = await ctx.store.settingsStore.setText(key, value);
        process.stdout.write(`${key} = ${JSON.stringify(stored)}\n`);
      }, { sync: false }),
    );
}
