/**
 * Renders the built-in function reference of docs/expressions.md from the function table, so the
 * docs cannot drift from the code (test/expressions/docs.test.ts compares the two).
 */
import { functionGroups } from './functions/registry.js';

export const REFERENCE_START = '<!-- function-reference:start (generated from src/expressions/functions) -->';
export const REFERENCE_END = '<!-- function-reference:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function example(text: string): string {
  const [expression, result] = text.split(' → ');
  return result === undefined ? `\`${cell(expression)}\`` : `\`${cell(expression)}\` → \`${cell(result)}\``;
}

export function renderFunctionReference(): string {
  const lines: string[] = [REFERENCE_START];
  for (const group of functionGroups) {
    lines.push('', `### ${group.title}`, '', '| Function | What it does | Example |', '| --- | --- | --- |');
    for (const fn of group.functions) {
      lines.push(`| \`${cell(fn.signature)}\` | ${cell(fn.description)} | ${example(fn.example)} |`);
    }
  }
  lines.push('', REFERENCE_END);
  return lines.join('\n');
}
