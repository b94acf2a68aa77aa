import { defineNode } from '../../sdk.js';

export const manualTrigger = defineNode({
  type: 'manual_trigger',
  name: 'Manual Trigger',
  description: 'Starts the workflow by hand (CLI, API or editor); hands on the data given at start.',
  category: 'trigger',
  replayable: true,
  kind: 'trigger',
  fields: {},
  run: ({ trigger }) => trigger,
});
