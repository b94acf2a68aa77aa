/** `-d JSON` or `-d @file.json`: the trigger data a CLI run starts with. */
import { readFileSync } from 'node:fs';
import { fail } from './output.js';

export function parseInputData(text: string | undefined): unknown {
  if (text === undefined) return {};
  let source = text;
  let where = '-d';
  if (text.startsWith('@')) {
    where = text.slice(1);
    try {
      source = readFileSync(where, 'utf8');
    } catch {
      fail(`-d ${text}: cannot read the file ${where}`);
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    fail(`${where}: the data is not valid JSON (${(error as Error).message}); example: -d '{"name": "Ada"}'`);
  }
}
