/** `skynette kb`: knowledge bases — create, add documents, search, inspect, remove. */
import type { Command } from 'commander';
import { openKnowledgeBases, type IngestReport, type SearchMode, type SearchResult, type MetadataFilter } from '../../rag/index.js';
import type { KnowledgeBaseService } from '../../rag/service.js';
import { formatSize, ProgressBar } from '../../models/progress-bar.js';
import { color, fail, printJson } from '../output.js';

async function withService<T>(work: (service: KnowledgeBaseService) => Promise<T>): Promise<T> {
  const opened = await openKnowledgeBases();
  try {
    return await work(opened.service);
  } finally {
    await opened.close();
  }
}

function integer(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) fail(`${name} must be a whole number (got "${value}")`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--filter type=pdf --filter page=3`: values that look like numbers or booleans are compared as such. */
export function parseFilters(pairs: string[] | undefined): MetadataFilter | undefined {
  if (!pairs?.length) return undefined;
  const filter: Record<string, Array<string | number | boolean>> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(`--filter takes key=value (got "${pair}")`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1);
    const value = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    (filter[key] ??= []).push(value);
  }
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
}

function excerpt(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function printIngestReport(report: IngestReport): void {
  for (const doc of report.documents) {
    if (doc.status === 'failed') process.stderr.write(`${color.red('failed')}  ${doc.source}: ${doc.error?.message} [${doc.error?.code}]\n`);
  }
  const parts = [`${report.added} added`, `${report.updated} updated`, `${report.unchanged} unchanged`];
  if (report.failed) parts.push(color.red(`${report.failed} failed`));
  process.stdout.write(`${report.knowledge_base}: ${parts.join(', ')} (${report.chunks} chunks, ${(report.took_ms / 1000).toFixed(1)}s)\n`);
  if (report.notice) process.stderr.write(`${color.yellow('note')}: ${report.notice}\n`);
}

export function formatSearchResult(result: SearchResult): string {
  if (!result.hits.length) return `no results for "${result.query}" in ${result.knowledge_base}\n`;
  const lines: string[] = [];
  result.hits.forEach((hit, i) => {
    const where = [hit.metadata.heading_path, hit.metadata.page !== undefined ? `page ${hit.metadata.page}` : undefined, hit.metadata.row !== undefined ? `row ${hit.metadata.row}` : undefined]
      .filter(Boolean)
      .join(', ');
    lines.push(
      `${color.bold(`${i + 1}.`)} ${hit.document.source} ${color.gray(`#${hit.position}`)}${where ? ` ${color.cyan(`(${where})`)}` : ''}  ${color.gray(`score ${hit.score.toFixed(4)} · ${hit.found_by.join('+')}`)}`,
    );
    lines.push(`   ${excerpt(hit.text)}`);
  });
  return lines.join('\n') + '\n';
}

export function registerKbCommand(program: Command): void {
  const kb = program.command('kb').description('knowledge bases: documents you can search and ask questions about');

  kb.command('create')
    .description('create a knowledge base; its embedding model is fixed from now on')
    .argument('<name>', 'a name: letters, digits, _ . -')
    .option('--model <model>', 'embedding model: a folder in the models folder (skynette models list), ollama:M, openai:M, lmstudio:M, gguf:NAME, or none for keyword search only (default: the local model, if one is installed)')
    .option('--chunk-size <n>', 'largest chunk (default 1000)', integer('--chunk-size'))
    .option('--overlap <n>', 'text repeated from the previous chunk (default 200)', integer('--overlap'))
    .option('--chunk-unit <unit>', 'characters (default) or tokens')
    .option('--markdown <mode>', 'Markdown-aware chunking: auto (default), on, off')
    .option('--description <text>', 'what is in it')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { model?: string; chunkSize?: number; overlap?: number; chunkUnit?: string; markdown?: string; description?: string; json?: boolean }) => {
      await withService(async (service) => {
        const created = await service.create({
          name,
          model: options.model,
          description: options.description,
          chunking: { size: options.chunkSize, overlap: options.overlap, unit: options.chunkUnit as 'characters' | 'tokens' | undefined, markdown: options.markdown as 'auto' | 'on' | 'off' | undefined },
        });
        if (options.json) return printJson(created);
        const base = created.knowledge_base;
        const model = base.embedding_model ? `${base.embedding_model} (${base.dimensions} dimensions)` : 'none (keyword search only)';
        process.stdout.write(`created knowledge base ${color.bold(base.name)}: model ${model}, chunks of ${base.chunking.size} ${base.chunking.unit} with ${base.chunking.overlap} overlap\n`);
        if (created.notice) process.stderr.write(`${color.yellow('note')}: ${created.notice}\n`);
      });
    });

  kb.command('list')
    .description('list knowledge bases')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      await withService(async (service) => {
        const bases = await service.list();
        if (options.json) return printJson(bases);
        if (!bases.length) return void process.stdout.write('no knowledge bases yet (skynette kb create NAME)\n');
        const width = Math.max(...bases.map((b) => b.name.length)) + 2;
        for (const b of bases) {
          process.stdout.write(`${b.name.padEnd(width)} ${String(b.documents).padStart(5)} docs ${String(b.chunks).padStart(7)} chunks  ${color.gray(b.embedding_model ?? 'keyword only')}\n`);
        }
      });
    });

  kb.command('add')
    .description('add files, folders (recursively) and URLs; changed documents are replaced, unchanged ones skipped')
    .argument('<name>', 'knowledge base')
    .argument('<paths...>', 'files, folders or http(s) URLs')
    .option('--include <glob>', 'in folders, only files matching (repeatable; default: every supported type)', collect)
    .option('--exclude <glob>', 'in folders, leave out files matching (repeatable; default: hidden files, node_modules)', collect)
    .option('--max-size-mb <n>', 'refuse larger documents (default 64)', Number)
    .option('--json', 'print the report as JSON')
    .action(async (name: string, paths: string[], options: { include?: string[]; exclude?: string[]; maxSizeMb?: number; json?: boolean }) => {
      if (options.maxSizeMb !== undefined && !(options.maxSizeMb > 0)) fail('--max-size-mb must be a positive number');
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      let bar: ProgressBar | undefined;
      try {
        const report = await withService((service) =>
          service.add(name, paths, {
            include: options.include,
            exclude: options.exclude,
            maxBytes: options.maxSizeMb ? Math.round(options.maxSizeMb * 1024 * 1024) : undefined,
            signal: controller.signal,
            onProgress: (p) => {
              bar ??= new ProgressBar({ label: `adding to ${name}`, total: p.total });
              bar.update(p.done, p.source);
            },
          }),
        );
        bar?.finish();
        if (options.json) printJson(report);
        else printIngestReport(report);
        // Partial success is not silent: 2 when some documents failed, 1 when none could be added.
        if (report.failed) process.exitCode = report.added + report.updated + report.unchanged > 0 ? 2 : 1;
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });

  kb.command('search')
    .description('search a knowledge base (hybrid: vector + keyword, fused by reciprocal rank)')
    .argument('<name>', 'knowledge base')
    .argument('<query>', 'what to look for')
    .option('--mode <mode>', 'hybrid (default), vector or keyword', 'hybrid')
    .option('-k, --top <k>', 'how many results (default 5)', integer('-k'))
    .option('--filter <key=value>', 'only chunks whose metadata has this value (repeatable): type=pdf, source=..., heading_path=..., page=3', collect)
    .option('--json', 'print as JSON')
    .action(async (name: string, query: string, options: { mode: string; top?: number; filter?: string[]; json?: boolean }) => {
      if (!['hybrid', 'vector', 'keyword'].includes(options.mode)) fail(`--mode must be hybrid, vector or keyword (got "${options.mode}")`);
      await withService(async (service) => {
        const result = await service.search(name, query, { mode: options.mode as SearchMode, k: options.top ?? 5, filter: parseFilters(options.filter) });
        if (result.notice) process.stderr.write(`${color.yellow('note')}: ${result.notice}\n`);
        if (options.json) return printJson(result);
        process.stdout.write(formatSearchResult(result));
      });
    });

  kb.command('docs')
    .description('list the documents of a knowledge base')
    .argument('<name>', 'knowledge base')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withService(async (service) => {
        const docs = await service.documents(name);
        if (options.json) return printJson(docs);
        if (!docs.length) return void process.stdout.write(`${name} has no documents yet (skynette kb add ${name} PATH)\n`);
        for (const d of docs) {
          process.stdout.write(`${d.source}  ${color.gray(`${d.type}, ${d.chunk_count} chunks, ${formatSize(d.size_bytes)}, ${d.id}`)}\n`);
        }
      });
    });

  kb.command('remove')
    .description('remove a document (from both indexes)')
    .argument('<name>', 'knowledge base')
    .argument('<document>', 'the document: its path, URL, file name or id (see kb docs)')
    .action(async (name: string, ref: string) => {
      await withService(async (service) => {
        const removed = await service.removeDocument(name, ref);
        process.stdout.write(`removed ${removed.source} (${removed.chunk_count} chunks) from ${name}\n`);
      });
    });

  kb.command('stats')
    .description('show a knowledge base: model, chunking, documents, index sizes')
    .argument('<name>', 'knowledge base')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withService(async (service) => {
        const s = await service.stats(name);
        if (options.json) return printJson(s);
        const lines = [
          `${color.bold(s.name)}${s.description ? ` — ${s.description}` : ''}`,
          `model:      ${s.embedding_model ? `${s.embedding_model} (${s.dimensions} dimensions${s.max_tokens ? `, window ${s.max_tokens} tokens` : ''})` : 'none — keyword search only'}`,
          `chunking:   ${s.chunking.size} ${s.chunking.unit}, overlap ${s.chunking.overlap}, markdown ${s.chunking.markdown}`,
          `documents:  ${s.documents} (${Object.entries(s.types).map(([t, n]) => `${n} ${t}`).join(', ') || 'none'}), ${formatSize(s.size_bytes)}`,
          `chunks:     ${s.chunks}`,
          `indexes:    ${s.indexes.storage}: ${s.indexes.vector} vectors, ${s.indexes.keyword} keyword entries`,
          `search:     ${s.search_modes.join(', ')}`,
          `updated:    ${s.updated_at}`,
        ];
        process.stdout.write(lines.join('\n') + '\n');
      });
    });

  kb.command('delete')
    .description('delete a knowledge base with all its documents and indexes')
    .argument('<name>', 'knowledge base')
    .action(async (name: string) => {
      await withService(async (service) => {
        await service.delete(name);
        process.stdout.write(`deleted knowledge base ${name}\n`);
      });
    });
}
