/**
 * `skynette credentials ...`: the encrypted credential vault from the command line. Secrets are
 * shown masked; the only way to see them in full is `export --decrypted`.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { openVault, type OpenedVault } from '../../secrets/open.js';
import type { CredentialVault, CredentialSummary } from '../../secrets/vault.js';
import { maskSecret } from '../../secrets/mask.js';
import { credentialTypes, describeCredentialFields, findCredentialType, getCredentialType } from '../../secrets/types/registry.js';
import { ENCRYPTION_KEY_ENV } from '../../secrets/master-key.js';
import { errorMessage } from '../../util/errors.js';
import { color, fail, printJson } from '../output.js';

interface FieldOptions {
  field: string[];
  fieldsJson?: string;
  stdin?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Node modules and the AI providers declare their credential types when they load. */
async function loadCredentialTypes(): Promise<void> {
  await Promise.all([import('../../nodes/registry.js'), import('../../ai/credentials.js')]);
}

async function withVault<T>(work: (vault: CredentialVault) => Promise<T>): Promise<T> {
  const opened: OpenedVault = await openVault();
  try {
    return await work(opened.vault);
  } finally {
    await opened.close();
  }
}

function readTextFile(path: string, what: string): string {
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    fail(`${what}: cannot read ${path === '-' ? 'standard input' : path} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
}

/** Reads one secret: piped stdin as is (one trailing newline dropped), or typed at a hidden prompt. */
async function readSecret(fieldName: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const text = readFileSync(0, 'utf8');
    return text.replace(/\r?\n$/, '');
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = await new Promise<string>((resolve) => {
    rl.question(`${fieldName}: `, resolve);
    muted = true;
  });
  rl.close();
  process.stderr.write('\n');
  return answer;
}

async function gatherFields(type: string, options: FieldOptions): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  if (options.fieldsJson !== undefined) {
    const source = options.fieldsJson.startsWith('@') ? readTextFile(options.fieldsJson.slice(1), '--fields-json') : options.fieldsJson;
    let parsed: unknown;
    try {
      parsed = JSON.parse(source);
    } catch {
      fail(`--fields-json: not valid JSON; example: --fields-json '{"host": "smtp.example.com", "port": 587}'`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) fail('--fields-json: expected a JSON object of fields');
    Object.assign(fields, parsed);
  }
  const fromCommandLine: string[] = [];
  for (const pair of options.field) {
    const at = pair.indexOf('=');
    if (at <= 0) fail(`--field ${pair.includes('=') ? pair.split('=')[0] + '=' : pair}: expected NAME=VALUE, e.g. --field host=smtp.example.com`);
    const name = pair.slice(0, at);
    fields[name] = pair.slice(at + 1);
    fromCommandLine.push(name);
  }
  if (options.stdin) fields[options.stdin] = await readSecret(options.stdin);
  const definition = findCredentialType(type);
  const exposed = fromCommandLine.filter((name) => definition?.secret.includes(name));
  if (exposed.length) {
    process.stderr.write(color.gray(`note: ${exposed.join(', ')} given with --field stays in your shell history; --stdin ${exposed[0]} reads it from standard input instead\n`));
  }
  return fields;
}

/** Writes a file only its owner can read, in one step: a reader never sees half of it. */
function writePrivateFile(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    fail(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
  }
}

function fieldList(c: CredentialSummary): string {
  return c.field_names.filter((n) => n !== 'base_url').join(', ') + (c.field_names.includes('base_url') ? ', base_url' : '');
}

function printSummaryTable(list: CredentialSummary[]): void {
  const nameWidth = Math.max(4, ...list.map((c) => c.name.length)) + 2;
  const typeWidth = Math.max(4, ...list.map((c) => c.type.length)) + 2;
  process.stdout.write(color.gray(`${'NAME'.padEnd(nameWidth)}${'TYPE'.padEnd(typeWidth)}${'UPDATED'.padEnd(22)}FIELDS SET`) + '\n');
  for (const c of list) {
    process.stdout.write(`${c.name.padEnd(nameWidth)}${color.cyan(c.type.padEnd(typeWidth))}${c.updated_at.slice(0, 19).replace('T', ' ').padEnd(22)}${color.gray(fieldList(c))}\n`);
  }
}

export function registerCredentialsCommand(program: Command): void {
  const credentials = program
    .command('credentials')
    .description(`the encrypted credential vault (master key: ${ENCRYPTION_KEY_ENV}, the OS keyring, or <data dir>/vault.key)`)
    .hook('preAction', loadCredentialTypes);

  credentials
    .command('list')
    .description('list credentials: name, type and which fields are set (never values)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const list = await withVault((vault) => vault.list());
      if (options.json) return printJson(list);
      if (list.length === 0) {
        process.stdout.write('no credentials yet; add one with `skynette credentials add TYPE NAME --field key=value` (see `skynette credentials types`)\n');
        return;
      }
      printSummaryTable(list);
    });

  credentials
    .command('types')
    .description('the credential types and their fields')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const types = credentialTypes().map((t) => ({ type: t.type, name: t.name, description: t.description, fields: describeCredentialFields(t) }));
      if (options.json) return printJson(types);
      for (const t of types) {
        process.stdout.write(`${color.bold(t.type)} — ${t.description}\n`);
        for (const f of t.fields) {
          const flags = [f.required ? 'required' : '', f.secret ? 'secret' : ''].filter(Boolean).join(', ');
          process.stdout.write(`  ${f.name.padEnd(22)}${color.gray(`${flags ? `(${flags}) ` : ''}${f.description ?? ''}`)}\n`);
        }
      }
    });

  credentials
    .command('add')
    .description('add a credential; secret fields are encrypted before they are stored')
    .argument('<type>', 'credential type (see `skynette credentials types`)')
    .argument('<name>', 'the name workflows use to refer to it')
    .option('-f, --field <name=value>', 'a field; repeat for more', collect, [])
    .option('--fields-json <json>', 'fields as a JSON object, or @file.json')
    .option('--stdin <field>', 'read this field from standard input (or a hidden prompt): keeps secrets out of shell history')
    .addHelpText('after', '\nexamples:\n  skynette credentials add bearer github --stdin token < token.txt\n  skynette credentials add smtp mailer -f host=smtp.example.com -f port=587 -f username=me --stdin password\n')
    .action(async (type: string, name: string, options: FieldOptions) => {
      getCredentialType(type);
      const fields = await gatherFields(type, options);
      const added = await withVault((vault) => vault.add(type, name, fields));
      process.stdout.write(`${color.green('✓')} added ${added.type} credential "${added.name}" (${fieldList(added)})\n`);
    });

  credentials
    .command('update')
    .description('change fields of a credential (others are kept; --field name= with no value removes one)')
    .argument('<name>', 'credential name or id')
    .option('-f, --field <name=value>', 'a field; repeat for more', collect, [])
    .option('--fields-json <json>', 'fields as a JSON object, or @file.json')
    .option('--stdin <field>', 'read this field from standard input (or a hidden prompt)')
    .option('--rename <new-name>', 'give the credential a new name')
    .action(async (name: string, options: FieldOptions & { rename?: string }) => {
      const updated = await withVault(async (vault) => {
        const current = (await vault.list()).find((c) => c.name === name || c.id === name);
        if (!current) fail(`no credential named "${name}" (see \`skynette credentials list\`)`);
        const fields = await gatherFields(current.type, options);
        // an empty value removes an optional field
        for (const [k, v] of Object.entries(fields)) if (v === '') fields[k] = null;
        return vault.update(current.id, { fields, name: options.rename });
      });
      process.stdout.write(`${color.green('✓')} updated credential "${updated.name}" (${fieldList(updated)})\n`);
    });

  credentials
    .command('show')
    .description('show a credential with its secrets masked')
    .argument('<name>', 'credential name or id')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const credential = await withVault((vault) => vault.get(name));
      const definition = findCredentialType(credential.type);
      const isSecret = (field: string) => !definition || definition.secret.includes(field);
      const shown = Object.fromEntries(Object.entries(credential.fields).map(([k, v]) => [k, isSecret(k) ? maskSecret(v) : v]));
      if (options.json) return printJson({ ...credential, fields: shown });
      const width = Math.max(...Object.keys(shown).map((k) => k.length), 8) + 2;
      const lines = [
        `${color.bold(credential.name)} ${color.gray(`(${credential.type})`)}`,
        `${'id'.padEnd(width)}${credential.id}`,
        `${'key id'.padEnd(width)}${credential.key_id}`,
        `${'created'.padEnd(width)}${credential.created_at}`,
        `${'updated'.padEnd(width)}${credential.updated_at}`,
        ...(Object.keys(credential.meta).length ? [`${'meta'.padEnd(width)}${JSON.stringify(credential.meta)}`] : []),
        'fields:',
        ...Object.entries(shown).map(([k, v]) => `  ${k.padEnd(width)}${isSecret(k) ? color.yellow(String(v)) : typeof v === 'string' ? v : JSON.stringify(v)}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });

  credentials
    .command('delete')
    .description('delete a credential')
    .argument('<name>', 'credential name or id')
    .action(async (name: string) => {
      const deleted = await withVault((vault) => vault.delete(name));
      process.stdout.write(`${color.green('✓')} deleted credential "${deleted.name}" (${deleted.type})\n`);
    });

  credentials
    .command('export')
    .description('export every credential as JSON: encrypted (readable only with this master key) unless --decrypted')
    .option('--decrypted', 'plain text secrets: keep the file safe and delete it when done')
    .option('-o, --output <file>', 'write to a file (mode 0600) instead of standard output')
    .action(async (options: { decrypted?: boolean; output?: string }) => {
      const exported = await withVault((vault) => vault.export({ decrypted: options.decrypted }));
      const text = JSON.stringify(exported, null, 2) + '\n';
      if (options.decrypted) process.stderr.write(color.yellow('warning: this export holds every secret in plain text; keep it safe and delete it when done\n'));
      if (!options.output) {
        process.stdout.write(text);
        return;
      }
      writePrivateFile(options.output, text);
      process.stderr.write(`${color.green('✓')} exported ${exported.credentials.length} credential(s) to ${options.output}${exported.encrypted ? ` (encrypted, key id ${exported.key_id ?? 'mixed'})` : ''}\n`);
    });

  credentials
    .command('import')
    .description('import credentials from an export file (- for standard input); all or nothing')
    .argument('<file>', 'a file written by `skynette credentials export`')
    .option('--overwrite', 'replace credentials that have the same name')
    .action(async (file: string, options: { overwrite?: boolean }) => {
      const text = readTextFile(file, 'import');
      const result = await withVault((vault) => vault.import(text, { overwrite: options.overwrite }));
      const parts = [`${result.added.length} added`, ...(result.replaced.length ? [`${result.replaced.length} replaced`] : [])];
      process.stdout.write(`${color.green('✓')} imported ${parts.join(', ')}${[...result.added, ...result.replaced].length ? `: ${[...result.added, ...result.replaced].join(', ')}` : ''}\n`);
    });

  credentials
    .command('rotate-key')
    .description('re-encrypt every credential under a new master key, in one transaction')
    .option('--new-key-file <file>', 'the new key: base64 or hex of 32 bytes, or a passphrase (default: a new random key)')
    .action(async (options: { newKeyFile?: string }) => {
      const newKey = options.newKeyFile === undefined ? undefined : readTextFile(options.newKeyFile, '--new-key-file');
      const result = await withVault((vault) => vault.rotateKey(newKey));
      const was = result.old_key_id ? ` (was ${result.old_key_id})` : '';
      process.stdout.write(`${color.green('✓')} re-encrypted ${result.count} credential(s) under key id ${result.new_key_id}${was}\n`);
      if (result.stored.startsWith('set ')) {
        process.stdout.write(color.yellow(`now set ${ENCRYPTION_KEY_ENV} to the content of ${options.newKeyFile}: the old key no longer opens the vault\n`));
      } else {
        process.stdout.write(`the new key is in ${result.stored}\n`);
      }
      if (result.warning) process.stderr.write(color.yellow(`warning: ${result.warning}\n`));
    });
}
