/**
 * `skynette ai`: the AI providers (list, test, enable, disable, priority, settings), a streaming
 * chat, the models each provider offers, usage and cost, budgets and prices.
 */
import type { Command } from 'commander';
import { AiGateway, setGateway } from '../../ai/gateway.js';
import { describeBudget } from '../../ai/budgets.js';
import { isProviderName, PROVIDER_NAMES, type Budget } from '../../ai/settings.js';
import { parseSince, type UsageGrouping } from '../../ai/usage.js';
import { errorMessage, SkynetteError } from '../../util/errors.js';
import { runWithCtrlC } from '../cancel.js';
import { color, fail, formatDuration, printJson } from '../output.js';
import { withContext } from '../with-context.js';

async function withGateway<T>(work: (gateway: AiGateway) => Promise<T>): Promise<T> {
  return withContext(
    async (ctx) => {
      const gateway = await AiGateway.create({ database: ctx.store.database, resolveCredential: ctx.vault.resolveCredential });
      setGateway(gateway);
      try {
        return await work(gateway);
      } finally {
        setGateway(undefined);
        await gateway.close();
      }
    },
    { sync: false },
  );
}

function providerName(name: string): string {
  if (!isProviderName(name)) fail(`unknown AI provider "${name}"; the providers are ${PROVIDER_NAMES.join(', ')}`);
  return name;
}

function usd(value: number): string {
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
}

/** `key=value` pairs; `key=` unsets. Numbers and true/false are read as such. */
function parseAssignments(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) fail(`"${pair}" is not key=value`);
    const key = pair.slice(0, at).trim();
    const text = pair.slice(at + 1).trim();
    if (key === 'api_key') fail('API keys go in the vault: skynette credentials add PROVIDER NAME --stdin api_key (then skynette ai providers set PROVIDER credential=NAME)');
    out[key] = text === '' ? null : text === 'true' ? true : text === 'false' ? false : /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  }
  return out;
}

function table(rows: string[][], header: string[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [color.bold(line(header)), ...rows.map(line)].join('\n') + '\n';
}

function registerProviders(ai: Command): void {
  const providers = ai.command('providers').description('the AI providers, in the order they are tried');
  providers
    .command('list')
    .description('every provider: enabled, priority, configured, endpoint, capabilities')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      withGateway(async (gateway) => {
        const list = gateway.providers();
        if (options.json) return printJson(list);
        for (const p of list) {
          const state = !p.enabled ? color.gray('disabled') : p.configured ? color.green('configured') : color.yellow('not configured');
          process.stdout.write(`${String(p.priority).padStart(4)}  ${color.bold(p.name.padEnd(10))} ${state}  ${color.gray(p.endpoint)}\n`);
          process.stdout.write(`      ${color.gray(p.capabilities.join(', '))}${p.local ? color.gray(' (local, free)') : ''}\n`);
          if (p.problem && p.enabled) process.stdout.write(`      ${color.yellow(p.problem)}\n`);
        }
        process.stdout.write(color.gray('(configured means set up, not yet tried: `skynette ai providers test NAME` sends a real request)\n'));
      }),
    );
  providers
    .command('test')
    .description('send a tiny request to one provider')
    .argument('<name>')
    .option('--json', 'print as JSON')
    .action((name: string, options: { json?: boolean }) =>
      withGateway(async (gateway) => {
        const result = await runWithCtrlC((signal) => gateway.testProvider(providerName(name), { signal, timeoutMs: 60_000 }));
        if (options.json) printJson(result);
        else if (result.ok) process.stdout.write(`${color.green('✓')} ${name} answered with ${result.model} in ${formatDuration(result.latency_ms)}: ${JSON.stringify(result.text)}\n`);
        else process.stdout.write(`${color.red('✗')} ${name}: ${result.error}\n`);
        if (!result.ok) process.exitCode = 1;
      }),
    );
  for (const [command, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    providers
      .command(command)
      .description(`${command} a provider`)
      .argument('<name>')
      .action((name: string) =>
        withGateway(async (gateway) => {
          await gateway.configureProvider(providerName(name), { enabled });
          process.stdout.write(`${name} ${enabled ? 'enabled' : 'disabled'}\n`);
        }),
      );
  }
  providers
    .command('priority')
    .description('set the order: lower numbers are tried first')
    .argument('<name>')
    .argument('<n>', 'a whole number from 0 to 1000')
    .action((name: string, n: string) =>
      withGateway(async (gateway) => {
        const priority = Number(n);
        if (!Number.isInteger(priority) || priority < 0 || priority > 1000) fail(`priority must be a whole number from 0 to 1000, not "${n}"`);
        await gateway.configureProvider(providerName(name), { priority });
        process.stdout.write(`${name} priority ${priority}; order: ${gateway.providers().map((p) => p.name).join(' > ')}\n`);
      }),
    );
  providers
    .command('set')
    .description('provider settings: base_url, model, embedding_model, image_model, credential, timeout_ms, models_dir, threads, context_size, gpu (key= unsets)')
    .argument('<name>')
    .argument('<settings...>', 'key=value pairs')
    .action((name: string, pairs: string[]) =>
      withGateway(async (gateway) => {
        const saved = await gateway.configureProvider(providerName(name), parseAssignments(pairs));
        process.stdout.write(`${name}: ${JSON.stringify(saved)}\n`);
      }),
    );
}

function registerChat(ai: Command): void {
  ai.command('chat')
    .description('ask a model; the reply streams to the terminal')
    .argument('<prompt>', 'the prompt ("-" reads it from stdin)')
    .option('-p, --provider <name>', 'use this provider only')
    .option('-m, --model <model>', 'model id')
    .option('-s, --system <text>', 'system prompt')
    .option('--max-tokens <n>', 'longest reply in tokens')
    .option('--json', 'print the whole result as JSON instead of streaming')
    .action((prompt: string, options: { provider?: string; model?: string; system?: string; maxTokens?: string; json?: boolean }) =>
      withGateway(async (gateway) => {
        const text = prompt === '-' ? await readStdin() : prompt;
        const maxTokens = options.maxTokens === undefined ? undefined : Number(options.maxTokens);
        const request = {
          messages: [...(options.system ? [{ role: 'system' as const, content: options.system }] : []), { role: 'user' as const, content: text }],
          provider: options.provider,
          model: options.model,
          max_tokens: maxTokens,
          onWarning: (message: string) => process.stderr.write(`${color.yellow('warning')} ${message}\n`),
        };
        await runWithCtrlC(async (signal) => {
          if (options.json) return printJson(await gateway.chat({ ...request, signal }));
          let ended = true;
          for await (const event of gateway.stream({ ...request, signal })) {
            if ('delta' in event) {
              process.stdout.write(event.delta);
              ended = event.delta.endsWith('\n');
              continue;
            }
            const done = event.done;
            if (!ended) process.stdout.write('\n');
            for (const t of done.tried) process.stderr.write(color.gray(`(${t.provider} skipped: ${t.error})\n`));
            process.stderr.write(color.gray(`— ${done.provider}/${done.model}, ${done.usage.input_tokens}+${done.usage.output_tokens} tokens, ${usd(done.cost_usd)}, ${formatDuration(done.latency_ms)}\n`));
          }
        });
      }),
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function registerModels(ai: Command): void {
  ai.command('models')
    .description('the models each enabled provider offers (local .gguf files included)')
    .option('--json', 'print as JSON')
    .option('--all', 'include disabled providers')
    .action((options: { json?: boolean; all?: boolean }) =>
      withGateway(async (gateway) => {
        const lists = await gateway.listModels({ includeDisabled: options.all });
        if (options.json) return printJson(lists);
        for (const list of lists) {
          process.stdout.write(`${color.bold(list.provider)}${list.error ? `  ${color.yellow(list.error)}` : ''}\n`);
          for (const m of list.models) {
            const size = m.size_bytes ? color.gray(`  ${(m.size_bytes / 1024 / 1024).toFixed(1)} MB`) : '';
            process.stdout.write(`  ${m.id}${size}${m.path ? color.gray(`  ${m.path}`) : ''}\n`);
          }
          if (!list.models.length && !list.error) process.stdout.write(color.gray('  (none)\n'));
        }
      }),
    );
}

function registerUsage(ai: Command): void {
  ai.command('usage')
    .description('calls, tokens and cost, with totals')
    .option('--since <date>', 'from this date: 2024-05-01, today, month, or a span like 7d, 24h', '30d')
    .option('--by <group>', 'provider | model | day | workflow', 'provider')
    .option('--json', 'print as JSON')
    .action((options: { since: string; by: string; json?: boolean }) =>
      withGateway(async (gateway) => {
        if (!['provider', 'model', 'day', 'workflow'].includes(options.by)) fail(`--by must be provider, model, day or workflow, not "${options.by}"`);
        let since: string;
        try {
          since = parseSince(options.since);
        } catch (error) {
          fail(errorMessage(error));
        }
        const summary = await gateway.usage.summarize(options.by as UsageGrouping, { since });
        if (options.json) return printJson(summary);
        process.stdout.write(color.gray(`since ${since}\n`));
        if (!summary.groups.length) {
          process.stdout.write('no AI calls recorded in this period\n');
          return;
        }
        const rows = summary.groups.map((g) => [g.key, String(g.calls), String(g.errors), String(g.input_tokens), String(g.output_tokens), usd(g.cost_usd)]);
        const t = summary.total;
        rows.push(['total', String(t.calls), String(t.errors), String(t.input_tokens), String(t.output_tokens), usd(t.cost_usd)]);
        process.stdout.write(table(rows, [options.by, 'calls', 'errors', 'input tokens', 'output tokens', 'cost']));
      }),
    );
}

function registerBudget(ai: Command): void {
  const budget = ai.command('budget').description('spending limits per provider or in total, per day or month (USD)');
  budget
    .command('list')
    .description('budgets with what is spent')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      withGateway(async (gateway) => {
        const states = await gateway.budgets.status();
        if (options.json) return printJson({ action: gateway.general.budget_action, budgets: states });
        if (!states.length) process.stdout.write('no budgets (skynette ai budget set total month 20)\n');
        for (const s of states) {
          const pct = Math.round(s.fraction * 100);
          const mark = pct >= 100 ? color.red : pct >= 80 ? color.yellow : color.green;
          process.stdout.write(`${describeBudget(s.budget).padEnd(40)} ${mark(`${usd(s.spent_usd)} spent (${pct}%)`)}\n`);
        }
        process.stdout.write(color.gray(`over budget: ${gateway.general.budget_action === 'local' ? 'route to a free local provider' : 'refuse the call'}\n`));
      }),
    );
  budget
    .command('set')
    .description('set a budget: SCOPE is total or a provider; PERIOD is day or month')
    .argument('<scope>')
    .argument('<period>')
    .argument('<usd>')
    .action((scope: string, period: string, amount: string) =>
      withGateway(async (gateway) => {
        if (scope !== 'total') providerName(scope);
        if (period !== 'day' && period !== 'month') fail(`the period is day or month, not "${period}"`);
        const limit = Number(amount.replace(/^\$/, ''));
        if (!Number.isFinite(limit) || limit < 0) fail(`the budget must be an amount in USD, not "${amount}"`);
        const next: Budget[] = gateway.budgets.list().filter((b) => !(b.scope === scope && b.period === period));
        next.push({ scope, period, limit_usd: limit });
        await gateway.setBudgets(next);
        process.stdout.write(`${describeBudget({ scope, period, limit_usd: limit })} set\n`);
      }),
    );
  budget
    .command('remove')
    .description('remove a budget')
    .argument('<scope>')
    .argument('<period>')
    .action((scope: string, period: string) =>
      withGateway(async (gateway) => {
        const before = gateway.budgets.list();
        const next = before.filter((b) => !(b.scope === scope && b.period === period));
        if (next.length === before.length) fail(`there is no ${period} budget for ${scope}`);
        await gateway.setBudgets(next);
        process.stdout.write(`removed the ${period} budget for ${scope}\n`);
      }),
    );
  budget
    .command('action')
    .description('what happens beyond a budget: refuse the call, or route it to a free local provider')
    .argument('<action>', 'refuse | local')
    .action((action: string) =>
      withGateway(async (gateway) => {
        if (action !== 'refuse' && action !== 'local') fail(`the action is refuse or local, not "${action}"`);
        await gateway.configure({ budget_action: action });
        process.stdout.write(`over budget: ${action === 'local' ? 'route to a free local provider' : 'refuse the call'}\n`);
      }),
    );
}

function registerPrices(ai: Command): void {
  const prices = ai.command('prices').description('USD per million tokens, by model (from the price table, with your overrides)');
  prices
    .command('list')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      withGateway(async (gateway) => {
        const list = gateway.prices.list();
        if (options.json) return printJson(list);
        process.stdout.write(table(list.map((p) => [`${p.provider}/${p.model}${p.overridden ? ' *' : ''}`, String(p.input), String(p.output)]), ['model', 'input $/M', 'output $/M']));
      }),
    );
  prices
    .command('set')
    .description('override a model\'s price (MODEL or PROVIDER/MODEL)')
    .argument('<model>')
    .requiredOption('--input <usd>', 'USD per million input tokens')
    .requiredOption('--output <usd>', 'USD per million output tokens')
    .action((model: string, options: { input: string; output: string }) =>
      withGateway(async (gateway) => {
        const input = Number(options.input);
        const output = Number(options.output);
        if (!(input >= 0) || !(output >= 0)) fail('prices are amounts of USD of 0 or more');
        const current = (await gateway.settings.load()).prices;
        await gateway.setPriceOverrides({ ...current, [model]: { input, output } });
        process.stdout.write(`${model}: $${input} input, $${output} output per million tokens\n`);
      }),
    );
  prices
    .command('unset')
    .description('back to the price table')
    .argument('<model>')
    .action((model: string) =>
      withGateway(async (gateway) => {
        const current = { ...(await gateway.settings.load()).prices };
        if (!(model in current)) fail(`no price override for ${model}`);
        delete current[model];
        await gateway.setPriceOverrides(current);
        process.stdout.write(`${model}: back to the price table\n`);
      }),
    );
}

function registerSettings(ai: Command): void {
  const settings = ai.command('settings').description('fallback, timeouts, prompt limit, budget action');
  settings
    .command('show')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) =>
      withGateway(async (gateway) => {
        if (options.json) return printJson(gateway.general);
        for (const [key, value] of Object.entries(gateway.general)) process.stdout.write(`${key.padEnd(20)} ${JSON.stringify(value)}\n`);
      }),
    );
  settings
    .command('set')
    .description('fallback true|false, timeout_ms N, retry_after_max_ms N, max_prompt_chars N, budget_action refuse|local')
    .argument('<key>')
    .argument('<value>')
    .action((key: string, value: string) =>
      withGateway(async (gateway) => {
        try {
          const saved = await gateway.configure(parseAssignments([`${key}=${value}`]));
          process.stdout.write(`${key} = ${JSON.stringify((saved as Record<string, unknown>)[key])}\n`);
        } catch (error) {
          if (error instanceof SkynetteError) fail(error.message);
          throw error;
        }
      }),
    );
}

export function registerAiCommand(program: Command): void {
  const ai = program.command('ai').description('AI providers, chat, models, usage, budgets and prices');
  registerProviders(ai);
  registerChat(ai);
  registerModels(ai);
  registerUsage(ai);
  registerBudget(ai);
  registerPrices(ai);
  registerSettings(ai);
}
