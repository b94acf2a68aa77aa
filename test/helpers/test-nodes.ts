/**
 * Nodes that exist only in tests: one that always fails, one that fails N times then succeeds,
 * one that ignores its abort signal. Registered into the real registry for engine tests.
 */
import { defineNode, field } from '../../src/nodes/sdk.js';
import { allNodes, registerNode } from '../../src/nodes/registry.js';
import { SkynetteError } from '../../src/util/errors.js';

const attemptsByKey = new Map<string, number>();

export const testNodes = [
  defineNode<{ message: string }>({
    type: 'test_fail',
    name: 'Test: fail',
    description: 'always fails',
    category: 'utility',
    fields: { message: field.string({ default: 'failed on purpose' }) },
    run: ({ config }) => {
      throw new SkynetteError('TEST_FAILURE', config.message);
    },
  }),
  defineNode<{ fail_times: number; key: string }>({
    type: 'test_flaky',
    name: 'Test: flaky',
    description: 'fails fail_times times per key, then succeeds',
    category: 'utility',
    fields: { fail_times: field.number({ default: 1 }), key: field.string({ required: true }) },
    run: ({ config }) => {
      const attempt = (attemptsByKey.get(config.key) ?? 0) + 1;
      attemptsByKey.set(config.key, attempt);
      if (attempt <= config.fail_times) throw new SkynetteError('FLAKY', `attempt ${attempt} failed`);
      return { attempt };
    },
  }),
  defineNode({
    type: 'test_ignore_abort',
    name: 'Test: ignore abort',
    description: 'waits 5 s whatever happens',
    category: 'utility',
    fields: {},
    run: () => new Promise((resolve) => setTimeout(() => resolve('late'), 5000).unref()),
  }),
];

export function registerTestNodes(): void {
  for (const node of testNodes) if (!allNodes.includes(node)) registerNode(node);
}
