/**
 * Reading a model's JSON reply: finding the JSON in the text (models wrap it in ``` fences or a
 * sentence), and checking it against the JSON schema that was asked for. The checker covers the
 * schema keywords structured output uses: type, properties, required, additionalProperties, items,
 * enum, const, minimum/maximum, minLength/maxLength, minItems/maxItems, anyOf/oneOf.
 */

export type JsonSchema = Record<string, unknown>;

/** The JSON value in a reply, or an explanation of why there is none. */
export function parseJsonReply(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'the reply is empty' };
  const candidates: string[] = [trimmed];
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(trimmed);
  if (fenced) candidates.push(fenced[1].trim());
  const start = trimmed.search(/[[{]/);
  if (start >= 0) {
    const open = trimmed[start];
    const close = open === '{' ? '}' : ']';
    const end = trimmed.lastIndexOf(close);
    if (end > start) candidates.push(trimmed.slice(start, end + 1));
  }
  let firstError = '';
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(candidate) };
    } catch (error) {
      if (!firstError) firstError = (error as Error).message;
    }
  }
  return { ok: false, error: `the reply is not valid JSON (${firstError})` };
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

function pathText(path: string): string {
  return path || '(root)';
}

/** Every problem of `value` against `schema`, as `path: problem` lines (empty when valid). */
export function validateJson(value: unknown, schema: JsonSchema, path = ''): string[] {
  const problems: string[] = [];
  const at = pathText(path);
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const options = (schema.anyOf ?? schema.oneOf) as JsonSchema[];
    if (!options.some((option) => validateJson(value, option, path).length === 0)) problems.push(`${at}: matches none of the allowed shapes`);
    return problems;
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    problems.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))) {
    problems.push(`${at}: must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? (schema.type as string[]) : [String(schema.type)];
  if (types.length && !types.some((t) => matchesType(value, t))) {
    problems.push(`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
    return problems;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${at}: must be at least ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${at}: must be at most ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`${at}: must be at least ${schema.minLength} characters`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`${at}: must be at most ${schema.maxLength} characters`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${at}: needs at least ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) problems.push(`${at}: takes at most ${schema.maxItems} items`);
    if (schema.items && typeof schema.items === 'object') {
      value.forEach((item, i) => problems.push(...validateJson(item, schema.items as JsonSchema, `${path}[${i}]`)));
    }
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (object[name] === undefined) problems.push(`${path ? `${path}.` : ''}${name}: required`);
    }
    for (const [name, child] of Object.entries(object)) {
      const childPath = path ? `${path}.${name}` : name;
      if (properties[name]) problems.push(...validateJson(child, properties[name], childPath));
      else if (schema.additionalProperties === false) problems.push(`${childPath}: not allowed`);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        problems.push(...validateJson(child, schema.additionalProperties as JsonSchema, childPath));
      }
    }
  }
  return problems;
}

/** Parses and validates; the error text is what a retry tells the model. */
export function readJsonReply(text: string, schema: JsonSchema | undefined): { ok: true; value: unknown } | { ok: false; error: string } {
  const parsed = parseJsonReply(text);
  if (!parsed.ok || !schema) return parsed;
  const problems = validateJson(parsed.value, schema);
  if (problems.length) return { ok: false, error: `the JSON does not match the schema: ${problems.slice(0, 10).join('; ')}` };
  return parsed;
}

/**
 * A JSON schema from a simple field list: `{name: 'string', age: 'number', tags: 'string[]'}` or a
 * list of names (text). Every field is required but may be null, for facts the text does not hold.
 */
export function schemaFromFields(fields: Record<string, unknown> | string[]): JsonSchema {
  const entries: Array<[string, unknown]> = Array.isArray(fields) ? fields.map((name) => [name, 'string']) : Object.entries(fields);
  const properties: Record<string, JsonSchema> = {};
  for (const [name, spec] of entries) {
    if (typeof spec === 'string') {
      const type = spec.trim().toLowerCase();
      if (type.endsWith('[]')) properties[name] = { type: ['array', 'null'], items: { type: normalType(type.slice(0, -2)) } };
      else properties[name] = { type: [normalType(type), 'null'] };
    } else if (spec && typeof spec === 'object') {
      properties[name] = spec as JsonSchema;
    } else {
      properties[name] = {};
    }
  }
  return { type: 'object', properties, required: entries.map(([name]) => name), additionalProperties: false };
}

function normalType(type: string): string {
  switch (type) {
    case 'int':
    case 'integer':
      return 'integer';
    case 'number':
    case 'float':
    case 'decimal':
      return 'number';
    case 'bool':
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    case 'array':
    case 'list':
      return 'array';
    default:
      return 'string';
  }
}
