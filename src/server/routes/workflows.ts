/**
 * /api/v1/workflows: the workflow library over HTTP. A workflow travels as the same object as its
 * YAML file (JSON, or YAML text with a YAML content type), checked by the same parser and
 * validator as `skynette validate`. Saving goes through the library, so the YAML mirror in the
 * data dir follows; an active workflow serves its new version at once.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { compileWorkflow } from '../../engine/compile.js';
import { validateWorkflow } from '../../engine/validate.js';
import type { Problem } from '../../util/errors.js';
import type { Workflow } from '../../workflow/model.js';
import { normalizeWorkflow, parseWorkflowData } from '../../workflow/parse.js';
import { workflowToObject } from '../../workflow/serialize.js';
import type { WorkflowSummary } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import { ApiError, validationError } from '../http-errors.js';
import { booleanParam, conflict, decodeOffsetCursor, encodeOffsetCursor, limitSchema, page, parseInput } from './route-helpers.js';

const listQuery = z.object({
  search: z.string().optional(),
  tag: z.string().optional(),
  limit: limitSchema,
  cursor: z.string().optional(),
});

const getQuery = z.object({ version: z.coerce.number().int().min(1).optional() });
const runQuery = z.object({ wait: booleanParam });

/** A workflow from a request body (an object, or YAML/JSON text), or 400 with every problem. */
export function workflowFromBody(body: unknown): { workflow: Workflow; warnings: Problem[] } {
  let data = body;
  if (typeof body === 'string') {
    const parsed = parseWorkflowData(body);
    if (parsed.errors.length) throw validationError(parsed.errors, 'the workflow');
    data = parsed.data;
  }
  if (data === undefined || data === null) throw validationError([{ path: '(root)', message: 'the request has no workflow in its body' }], 'the workflow');
  const normalized = normalizeWorkflow(data);
  if (!normalized.workflow || normalized.errors.length) throw validationError(normalized.errors, 'the workflow');
  const checked = validateWorkflow(normalized.workflow);
  if (checked.errors.length) throw validationError(checked.errors, 'the workflow');
  return { workflow: normalized.workflow, warnings: [...normalized.warnings, ...checked.warnings] };
}

function warningsHeader(warnings: Problem[]): string | undefined {
  if (warnings.length === 0) return undefined;
  return JSON.stringify(warnings.slice(0, 20).map((w) => ({ path: w.path, message: w.message })));
}

export function registerWorkflowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { workflowStore } = ctx.data.store;
  const library = ctx.data.library;

  const summary = (w: WorkflowSummary) => ({
    id: w.id,
    name: w.name,
    description: w.description,
    version: w.current_version,
    active: w.active,
    tags: w.tags,
    created_at: w.created_at,
    updated_at: w.updated_at,
    schedules: ctx.runtime.schedulesOf(w.id),
  });

  app.get('/api/v1/workflows', async (request) => {
    const query = parseInput(listQuery, request.query, 'query');
    const offset = decodeOffsetCursor(query.cursor);
    const { items, total } = await workflowStore.list({ search: query.search, tag: query.tag, limit: query.limit, offset });
    const next = offset + items.length < total ? encodeOffsetCursor(offset + items.length) : null;
    return page(items.map(summary), next);
  });

  app.post('/api/v1/workflows', async (request, reply) => {
    const { workflow, warnings } = workflowFromBody(request.body);
    if (await workflowStore.get(workflow.id)) {
      throw conflict('WORKFLOW_EXISTS', `a workflow with the id "${workflow.id}" exists already; change it with PUT /api/v1/workflows/${workflow.id}`);
    }
    const saved = await library.save(workflow, 'api');
    const header = warningsHeader(warnings);
    if (header) reply.header('x-skynette-warnings', header);
    return reply.code(201).header('location', `/api/v1/workflows/${saved.workflow.id}`).send(workflowToObject(saved.workflow));
  });

  app.get<{ Params: { id: string } }>('/api/v1/workflows/:id', async (request, reply) => {
    const query = parseInput(getQuery, request.query, 'query');
    const stored = await workflowStore.require(request.params.id);
    let workflow = stored.workflow;
    if (query.version !== undefined && query.version !== stored.current_version) {
      const version = await workflowStore.getVersion(stored.id, query.version);
      if (!version) throw new ApiError(404, 'WORKFLOW_VERSION_NOT_FOUND', `workflow "${stored.name}" has no version ${query.version}; see GET /api/v1/workflows/${stored.id}/versions`);
      workflow = version.workflow;
    }
    reply.header('x-skynette-active', String(stored.active));
    return workflowToObject(workflow);
  });

  app.put<{ Params: { id: string } }>('/api/v1/workflows/:id', async (request, reply) => {
    const stored = await workflowStore.require(request.params.id);
    const { workflow, warnings } = workflowFromBody(request.body);
    const given = request.body && typeof request.body === 'object' ? (request.body as { id?: unknown }).id : undefined;
    if (typeof given === 'string' && given !== '' && given !== stored.id) {
      throw validationError([{ path: 'id', message: `the body is workflow "${given}" but the URL names "${stored.id}"` }], 'the workflow');
    }
    workflow.id = stored.id;
    ctx.runtime.checkUpdate(workflow);
    const saved = await library.save(workflow, 'api');
    if (saved.changed) ctx.runtime.updated({ ...stored, current_version: saved.version, workflow: saved.workflow });
    const header = warningsHeader(warnings);
    if (header) reply.header('x-skynette-warnings', header);
    return workflowToObject(saved.workflow);
  });

  app.delete<{ Params: { id: string } }>('/api/v1/workflows/:id', async (request, reply) => {
    const stored = await workflowStore.require(request.params.id);
    ctx.runtime.deleted(stored.id);
    await library.delete(stored.id);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/api/v1/workflows/:id/versions', async (request) => {
    const query = parseInput(z.object({ limit: limitSchema, cursor: z.string().optional() }), request.query, 'query');
    const offset = decodeOffsetCursor(query.cursor);
    const versions = await workflowStore.history(request.params.id);
    const slice = versions.slice(offset, offset + query.limit);
    const next = offset + slice.length < versions.length ? encodeOffsetCursor(offset + slice.length) : null;
    return page(slice, next);
  });

  app.post<{ Params: { id: string } }>('/api/v1/workflows/:id/activate', async (request) => ctx.runtime.activate(request.params.id));

  app.post<{ Params: { id: string } }>('/api/v1/workflows/:id/deactivate', async (request) => ctx.runtime.deactivate(request.params.id));

  app.post<{ Params: { id: string } }>('/api/v1/workflows/:id/run', async (request, reply) => {
    const query = parseInput(runQuery, request.query, 'query');
    const stored = await workflowStore.require(request.params.id);
    const workflow = ctx.runtime.servedWorkflow(stored.id)?.version === stored.current_version ? ctx.runtime.servedWorkflow(stored.id)! : stored.workflow;
    try {
      compileWorkflow(workflow);
    } catch (error) {
      const details = (error as { details?: unknown }).details ?? null;
      throw new ApiError(422, 'WORKFLOW_INVALID', `workflow "${stored.name}" cannot run: ${(error as Error).message}`, details);
    }
    const handle = ctx.executions.start({
      workflow,
      mode: 'api',
      trigger: request.body ?? {},
      save: workflow.settings.save_executions !== false,
    });
    if (query.wait) return reply.code(200).send(await handle.done);
    await handle.accepted;
    return reply.code(202).header('location', `/api/v1/executions/${handle.id}`).send({ execution_id: handle.id, workflow_id: workflow.id, status: 'running' });
  });
}
