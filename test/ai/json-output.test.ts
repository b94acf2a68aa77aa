import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonReply, readJsonReply, schemaFromFields, validateJson } from '../../src/ai/json-output.js';
import { describeErrorBody } from '../../src/ai/errors.js';

describe('reading JSON replies', () => {
  it('finds JSON in fences or prose', () => {
    assert.deepEqual(parseJsonReply('{"a": 1}'), { ok: true, value: { a: 1 } });
    assert.deepEqual(parseJsonReply('Sure!\n```json\n{"a": [1, 2]}\n```\nDone.'), { ok: true, value: { a: [1, 2] } });
    assert.deepEqual(parseJsonReply('The answer is {"a": true} as asked.'), { ok: true, value: { a: true } });
    assert.deepEqual(parseJsonReply('[1, 2]'), { ok: true, value: [1, 2] });
    const broken = parseJsonReply('{"a": ');
    assert.equal(broken.ok, false);
    assert.match((broken as { error: string }).error, /not valid JSON/);
    assert.deepEqual(parseJsonReply('  '), { ok: false, error: 'the reply is empty' });
  });

  it('checks the schema keywords structured output uses, with paths', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 2 },
        age: { type: 'integer', minimum: 0, maximum: 150 },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
        kind: { enum: ['a', 'b'] },
        nested: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['name', 'age'],
      additionalProperties: false,
    };
    assert.deepEqual(validateJson({ name: 'Ada', age: 36, tags: ['x'], kind: 'a', nested: { ok: true }, either: null }, schema), []);
    assert.deepEqual(validateJson({ name: 'A', age: 36.5, tags: ['x', 'y', 'z'], kind: 'c', nested: {}, either: 3, extra: 1 }, schema), [
      'name: must be at least 2 characters',
      'age: expected integer, got number',
      'tags: takes at most 2 items',
      'kind: must be one of "a", "b"',
      'nested.ok: required',
      'either: matches none of the allowed shapes',
      'extra: not allowed',
    ]);
    assert.deepEqual(validateJson([1], { type: 'object' }), ['(root): expected object, got array']);
  });

  it('explains what is wrong for a retry', () => {
    const result = readJsonReply('{"a": "x"}', { type: 'object', properties: { a: { type: 'number' } } });
    assert.deepEqual(result, { ok: false, error: 'the JSON does not match the schema: a: expected number, got string' });
  });

  it('builds a schema from a field list', () => {
    assert.deepEqual(schemaFromFields(['name']), {
      type: 'object',
      properties: { name: { type: ['string', 'null'] } },
      required: ['name'],
      additionalProperties: false,
    });
    const schema = schemaFromFields({ total: 'number', items: 'string[]', when: { type: 'string', format: 'date' } });
    assert.deepEqual(schema.properties, {
      total: { type: ['number', 'null'] },
      items: { type: ['array', 'null'], items: { type: 'string' } },
      when: { type: 'string', format: 'date' },
    });
  });
});

describe('error bodies', () => {
  it('shortens HTML pages and finds the message of JSON errors', () => {
    assert.match(describeErrorBody('<html><head><title>503 Service Unavailable</title></head></html>'), /HTML page instead of an API reply \("503 Service Unavailable"\)/);
    assert.equal(describeErrorBody({ error: { message: 'bad key', type: 'x' } }), 'bad key');
    assert.equal(describeErrorBody({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), 'Overloaded');
    assert.equal(describeErrorBody('{"error": "model not found"}'), 'model not found');
    assert.equal(describeErrorBody(''), '');
  });
});
