import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field } from '../../sdk.js';

interface SetVariableConfig {
  variable_name: string;
  value: unknown;
  value_type: 'auto' | 'string' | 'number' | 'boolean' | 'json' | 'array';
}

function convert(value: unknown, type: SetVariableConfig['value_type'], name: string): unknown {
  const fail = (what: string) => new SkynetteError('INVALID_VALUE', `config.value: cannot turn ${JSON.stringify(value)} into ${what} for variable "${name}"`);
  switch (type) {
    case 'auto':
      return value;
    case 'string':
      return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw fail('a number');
      return n;
    }
    case 'boolean':
      if (typeof value === 'string') return ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase());
      return Boolean(value);
    case 'json':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value);
      } catch {
        throw fail('JSON');
      }
    case 'array':
      if (Array.isArray(value)) return value;
      if (typeof value === 'string') {
        try {
          const parsed: unknown = JSON.parse(value);
          return Array.isArray(parsed) ? parsed : [parsed];
        } catch {
          return [value];
        }
      }
      return value === null || value === undefined ? [] : [value];
  }
}

/**
 * `previous` carries the data that flowed into a chain of set_variable nodes, not the output of the
 * set_variable before it: otherwise each node of a chain would nest all the ones before it.
 */
function dataBeforeVariables(input: unknown): unknown {
  let data = input;
  while (data && typeof data === 'object' && !Array.isArray(data)) {
    const keys = Object.keys(data);
    if (keys.length !== 3 || !('name' in data) || !('value' in data) || !('previous' in data)) break;
    data = (data as { previous: unknown }).previous;
  }
  return data;
}

export const setVariable = defineNode<SetVariableConfig>({
  type: 'set_variable',
  name: 'Set Variable',
  description: 'Sets a workflow variable ($vars.<name>) for the nodes that run after it.',
  category: 'data',
  replayable: true,
  fields: {
    variable_name: field.string({ required: true, placeholder: 'my_variable' }),
    value: field.expression({ required: true, description: 'the value; expressions allowed' }),
    value_type: field.select(['auto', 'string', 'number', 'boolean', 'json', 'array'], { default: 'auto' }),
  },
  run(ctx) {
    const name = ctx.config.variable_name;
    const value = convert(ctx.config.value, ctx.config.value_type, name);
    ctx.setVariable(name, value);
    return { name, value, previous: dataBeforeVariables(ctx.input) };
  },
});
