import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { evaluateExpression, expressionFunctionDocs } from '../../src/expressions/index.js';
import { REFERENCE_END, REFERENCE_START, renderFunctionReference } from '../../src/expressions/function-reference.js';

const REQUIRED = [
  'now', 'uuid', 'date', 'time', 'timestamp', 'json', 'parse_json', 'length', 'string', 'number', 'int', 'bool',
  'lower', 'upper', 'trim', 'split', 'join', 'first', 'last', 'reverse', 'sort', 'unique', 'keys', 'values',
  'default', 'hash', 'md5', 'base64_encode', 'base64_decode', 'abs', 'round', 'floor', 'ceil', 'min', 'max', 'sum',
  'avg', 'range', 'slice', 'contains', 'starts_with', 'ends_with', 'replace', 'format', 'typeof', 'empty',
  'not_empty', 'ternary', 'format_date', 'add_days', 'diff_days', 'regex_test', 'regex_match', 'regex_replace',
  'url_encode', 'url_decode',
];

const NON_DETERMINISTIC = new Set(['now', 'uuid']);

describe('function docs', () => {
  it('cover every function of the language', () => {
    const names = expressionFunctionDocs.map((d) => d.name);
    for (const name of REQUIRED) assert.ok(names.includes(name), `missing ${name}`);
    for (const doc of expressionFunctionDocs) {
      assert.ok(doc.signature.startsWith(`${doc.name}(`), doc.name);
      assert.ok(doc.description.length > 10, doc.name);
      assert.ok(doc.example.includes(`${doc.name}(`), doc.name);
    }
  });

  it('give examples that evaluate to what they show', () => {
    for (const doc of expressionFunctionDocs) {
      const [expression, shown] = doc.example.split(' → ');
      const result = evaluateExpression(expression, {});
      if (NON_DETERMINISTIC.has(doc.name)) continue;
      assert.deepEqual(result, JSON.parse(shown), doc.example);
    }
  });

  it('match the reference in docs/expressions.md', () => {
    const markdown = readFileSync('docs/expressions.md', 'utf8');
    const start = markdown.indexOf(REFERENCE_START);
    const end = markdown.indexOf(REFERENCE_END);
    assert.ok(start !== -1 && end > start, 'docs/expressions.md lacks the function reference markers');
    const current = markdown.slice(start, end + REFERENCE_END.length);
    assert.equal(current, renderFunctionReference(), 'docs/expressions.md is out of date: paste renderFunctionReference() output');
  });
});
