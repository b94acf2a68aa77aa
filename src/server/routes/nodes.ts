/**
 * /api/v1/nodes: the node catalog, with each node's fields as a form needs them.
 */
import type { FastifyInstance } from 'fastify';
import { commonSettingsDescription, describeNode, nodeCatalog } from '../../nodes/catalog.js';
import { findNode } from '../../nodes/registry.js';
import { ApiError } from '../http-errors.js';
import { page } from './route-helpers.js';

export function registerNodeRoutes(app: FastifyInstance): void {
  app.get('/api/v1/nodes', async () => page(nodeCatalog()));

  app.get<{ Params: { type: string } }>('/api/v1/nodes/:type', async (request) => {
    const node = findNode(request.params.type);
    if (!node) throw new ApiError(404, 'NODE_TYPE_NOT_FOUND', `no node type "${request.params.type}"; GET /api/v1/nodes lists them`);
    // Settings every node takes (on_error, retries, timeout) are form fields too.
    return { ...describeNode(node), common_fields: commonSettingsDescription };
  });
}
