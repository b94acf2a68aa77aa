#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm install` builds it (the "prepare" script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('skynette: the CLI is not built yet. Run `npm install` (or `npm run build`) in ' + root + '\n');
  process.exit(1);
}
await import(pathToFileURL(compiled).href);
