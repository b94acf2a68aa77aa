import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field } from '../../sdk.js';

interface MergeConfig {
  mode: 'append' | 'merge' | 'pick';
  deep: boolean;
  pick_index: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeObjects(target: Record<string, unknown>, source: Record<string, unknown>, deep: boolean): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    const current = target[key];
    target[key] = deep && isObject(current) && isObject(value) ? mergeObjects({ ...current }, value, true) : value;
  }
  return target;
}

/** The engine runs merge once every connected input on the active path has arrived. */
export const merge = defineNode<MergeConfig>({
  type: 'merge',
  name: 'Merge',
  description: 'Waits for every active input, then combines them: append lists, merge objects, or pick one input.',
  category: 'flow',
  replayable: true,
  inputs: ['input', 'input_1', 'input_2', 'input_3', 'input_4'],
  fields: {
    mode: field.select(['append', 'merge', 'pick'], { default: 'append' }),
    deep: field.boolean({ default: false, description: 'merge mode: merge nested objects too', show_if: { mode: ['merge'] } }),
    pick_index: field.number({ default: 0, integer: true, description: 'pick mode: which arrived input (0 = first connected); negative counts from the end', show_if: { mode: ['pick'] } }),
  },
  run({ config, inputs }) {
    const values = inputs.map((i) => i.data);
    if (config.mode === 'pick') {
      const index = config.pick_index < 0 ? values.length + config.pick_index : config.pick_index;
      if (index < 0 || index >= values.length) {
        throw new SkynetteError('INVALID_CONFIG', `config.pick_index: ${config.pick_index} is out of range; ${values.length} input(s) arrived`);
      }
      return values[index];
    }
    if (config.mode === 'merge') {
      const merged: Record<string, unknown> = {};
      values.forEach((v, i) => {
        if (!isObject(v)) throw new SkynetteError('MERGE_NOT_OBJECT', `input ${i} (from "${inputs[i].from}") is not an object; merge mode combines objects — use append for lists`);
        mergeObjects(merged, v, config.deep);
      });
      return merged;
    }
    const list: unknown[] = [];
    for (const v of values) {
      if (Array.isArray(v)) list.push(...v);
      else list.push(v);
    }
    return list;
  },
});
