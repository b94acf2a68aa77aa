import { SkynetteError } from '../../../util/errors.js';
import { defineNode, field, route } from '../../sdk.js';

interface LoopConfig {
  items: unknown;
  max_items: number;
}

/**
 * Runs the nodes connected to its `item` port once per element ($item, $index), then sends the list
 * of each iteration's final output out of `done`. The body may connect back into the loop node.
 */
export const loop = defineNode<LoopConfig>({
  type: 'loop',
  name: 'Loop',
  description: 'Runs the nodes on its "item" port once per element of a list, then emits the results on "done".',
  category: 'flow',
  kind: 'loop',
  outputs: ['item', 'done'],
  fields: {
    items: field.expression({ required: true, placeholder: '{{ $prev.items }}', description: 'an expression giving the list to loop over' }),
    max_items: field.number({ default: 10_000, min: 1, integer: true, description: 'refuse lists longer than this' }),
  },
  async run(ctx) {
    let items = ctx.config.items;
    if (items && typeof items === 'object' && !Array.isArray(items)) items = Object.entries(items).map(([key, value]) => ({ key, value }));
    if (!Array.isArray(items)) {
      throw new SkynetteError('LOOP_NOT_A_LIST', `config.items: expected a list to loop over, got ${items === null ? 'null' : typeof items}`);
    }
    if (items.length > ctx.config.max_items) {
      throw new SkynetteError('LOOP_TOO_LONG', `config.items: the list has ${items.length} elements, more than max_items (${ctx.config.max_items})`);
    }
    const results: unknown[] = [];
    for (let i = 0; i < items.length; i++) results.push(await ctx.runBody(items[i], i));
    return route('done', results);
  },
});
