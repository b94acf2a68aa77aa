/**
 * /api/v1/executions: list (filters, cursor paging), one with every node's result, delete,
 * cancel a running one, and retry a finished one as a new execution.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExecutionStatus } from '../../engine/execution.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../http-errors.js';
import { planRetry } from '../../executions/retry-plan.js';
import { booleanParam, conflict, limitSchema, page, parseInput } from './route-helpers.js';

const STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

const listQuery = z.object({
  workflow: z.string().min(1).optional(),
  status: z
    .string()
    .optional()
    .transform((v, c) => {
      if (v === undefined || v === '') return undefined;
      const list = v.split(',').map((s) => s.trim());
      const bad = list.filter((s) => !(STATUSES as readonly string[]).includes(s));
      if (bad.length) {
        c.addIssue({ code: 'custom', message: `unknown status ${bad.join(', ')}; expected ${STATUSES.join(', ')}` });
        return z.NEVER;
      }
      return list as ExecutionStatus[];
    }),
  since: z
    .string()
    .optional()
    .refine((v) => v === undefined || !Number.isNaN(new Date(v).getTime()), { message: 'expected an ISO date or time, e.g. 2030-01-31T00:00:00Z' }),
  limit: limitSchema,
  cursor: z.string().optional(),
});

const retryBody = z
  .object({
    from_node: z.string().min(1).optional(),
    version: z.enum(['same', 'latest']).default('same'),
  })
  .strict();

const CANCEL_WAIT_MS = 10_000;

export function registerExecutionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { executionStore } = ctx.data.store;

  app.get('/api/v1/executions', async (request) => {
    const query = parseInput(listQuery, request.query, 'query');
    const result = await executionStore.list({ workflow: query.workflow, status: query.status, since: query.since, limit: query.limit, cursor: query.cursor });
    return page(result.items, result.nextCursor);
  });

  app.get<{ Params: { id: string } }>('/api/v1/executions/:id', async (request) => executionStore.require(request.params.id));

  app.delete<{ Params: { id: string } }>('/api/v1/executions/:id', async (request, reply) => {
    const id = request.params.id;
    if (ctx.executions.isRunning(id)) throw conflict('EXECUTION_RUNNING', `execution ${id} is running; cancel it first (POST /api/v1/executions/${id}/cancel)`);
    if (!(await executionStore.delete(id))) throw new ApiError(404, 'EXECUTION_NOT_FOUND', `no execution with the id "${id}"`);
    await rm(join(ctx.runDataDir, 'webhook-files', id), { recursive: true, force: true });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/v1/executions/:id/cancel', async (request) => {
    const id = request.params.id;
    const done = ctx.executions.waitFor(id);
    if (!done) {
      const record = await executionStore.require(id);
      throw conflict('EXECUTION_NOT_RUNNING', `execution ${id} is ${record.status}, not running`);
    }
    ctx.executions.cancel(id);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      done,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), CANCEL_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    // A node that ignores cancellation may hold the run a little longer; report what is stored.
    return finished ?? (await executionStore.require(id));
  });

  app.post<{ Params: { id: string } }>('/api/v1/executions/:id/retry', async (request, reply) => {
    const query = parseInput(z.object({ wait: booleanParam }), request.query, 'query');
    const body = parseInput(retryBody, request.body ?? {}, 'body');
    const record = await executionStore.require(request.params.id);
    const plan = await planRetry(ctx.data.store.workflowStore, record, { fromNode: body.from_node, latest: body.version === 'latest' });
    const handle = ctx.executions.start({
      workflow: plan.workflow,
      mode: 'retry',
      resumeFrom: plan.start,
      save: plan.workflow.settings.save_executions !== false,
    });
    if (query.wait) return reply.code(200).send(await handle.done);
    await handle.accepted;
    return reply.code(202).header('location', `/api/v1/executions/${handle.id}`).send({ execution_id: handle.id, retry_of: record.id, status: 'running' });
  });
}
