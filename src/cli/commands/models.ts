/** `skynette models`: the local models folder — list, add a folder or GGUF file, pull from a hub. */
import type { Command } from 'commander';
import { addModel, listInstalledModels, removeModel, resolveModelsDir } from '../../models/folder.js';
import { formatSize, ProgressBar } from '../../models/progress-bar.js';
import { pullModel } from '../../models/pull.js';
import { color, printJson } from '../output.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description(`local models (folder: SKYNETTE_MODELS_DIR, else ~/skynette/models)`);

  models
    .command('list')
    .description('list installed models')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const dir = resolveModelsDir(undefined);
      const installed = listInstalledModels(dir);
      if (options.json) return printJson({ models_dir: dir, models: installed });
      if (!installed.length) {
        process.stdout.write(`no models in ${dir} (skynette models add PATH, or skynette models pull NAME)\n`);
        return;
      }
      const width = Math.max(...installed.map((m) => m.name.length)) + 2;
      for (const m of installed) {
        const about = m.kind === 'onnx' ? `onnx embedding, ${m.dimensions ?? '?'} dimensions${m.max_tokens ? `, window ${m.max_tokens}` : ''}` : 'gguf';
        process.stdout.write(`${m.name.padEnd(width)} ${color.gray(`${about}, ${formatSize(m.size_bytes)}`)}  ${color.cyan(`--model ${m.spec}`)}\n`);
      }
    });

  models
    .command('add')
    .description('install a model folder (ONNX layout: config.json, tokenizer.json, onnx/model.onnx) or a .gguf file')
    .argument('<path>', 'the folder or file')
    .option('--name <name>', 'install under this name (default: the folder or file name)')
    .option('--force', 'replace an installed model of the same name')
    .option('--json', 'print as JSON')
    .action((path: string, options: { name?: string; force?: boolean; json?: boolean }) => {
      const dir = resolveModelsDir(undefined);
      const model = addModel(dir, path, options);
      if (options.json) return printJson(model);
      process.stdout.write(`installed ${color.bold(model.name)} (${model.kind}, ${formatSize(model.size_bytes)}) in ${dir}; use it with --model ${model.spec}\n`);
    });

  models
    .command('pull')
    .description('download a model from a Hugging Face compatible server, checking every file against its published checksum')
    .argument('<name>', 'repository, e.g. Xenova/all-MiniLM-L6-v2')
    .option('--from <url>', 'the server (default HF_ENDPOINT, else https://huggingface.co)')
    .option('--revision <rev>', 'branch, tag or commit (default main)')
    .option('--name <name>', 'install under this name (default: the last part of NAME)')
    .option('--include <glob>', 'repository files to fetch (repeatable; default *.json, *.txt, onnx/model.onnx)', collect)
    .option('--force', 'replace an installed model of the same name')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { from?: string; revision?: string; name?: string; include?: string[]; force?: boolean; json?: boolean }) => {
      const dir = resolveModelsDir(undefined);
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      let bar: ProgressBar | undefined;
      try {
        const result = await pullModel(dir, name, {
          ...options,
          signal: controller.signal,
          onProgress: (p) => {
            bar ??= new ProgressBar({ label: `pulling ${name}`, total: p.total, unit: 'bytes' });
            if (p.total > 0) bar.setTotal(p.total);
            bar.update(p.bytes, p.file);
          },
        });
        bar?.finish();
        for (const file of result.unverified) process.stderr.write(`${color.yellow('warning')}: the server published no checksum for ${file}; it was not verified\n`);
        if (options.json) return printJson(result);
        const size = result.files.reduce((sum, f) => sum + f.size_bytes, 0);
        const verified = result.files.length - result.unverified.length;
        process.stdout.write(
          `installed ${color.bold(result.model.name)} from ${name} (${result.files.length} files, ${formatSize(size)}, ${verified} checksum${verified === 1 ? '' : 's'} verified) in ${result.model.path}\n`,
        );
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });

  models
    .command('remove')
    .description('delete an installed model')
    .argument('<name>', 'the model name (skynette models list)')
    .action((name: string) => {
      const model = removeModel(resolveModelsDir(undefined), name);
      process.stdout.write(`removed ${model.name} (${model.path})\n`);
    });
}
