/**
 * /api/v1/credentials: the vault over HTTP. Values always come back masked; the only way to read
 * a secret in full stays `skynette credentials export --decrypted` on the machine itself.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findCredentialType, maskSecrets, type Credential, type CredentialSummary } from '../../secrets/index.js';
import type { ServerContext } from '../context.js';
import { testCredential } from '../credential-test.js';
import { page, parseInput } from './route-helpers.js';

const metaSchema = z.record(z.string(), z.unknown());

const createBody = z
  .object({
    type: z.string().min(1),
    name: z.string().min(1),
    fields: z.record(z.string(), z.unknown()),
    meta: metaSchema.optional(),
  })
  .strict();

const updateBody = z
  .object({
    name: z.string().min(1).optional(),
    /** Merged into the stored fields; a field set to null is removed. */
    fields: z.record(z.string(), z.unknown()).optional(),
    replace_fields: z.boolean().optional(),
    meta: metaSchema.optional(),
  })
  .strict();

function masked(credential: Credential): CredentialSummary & { fields: Record<string, unknown> } {
  const secret = findCredentialType(credential.type)?.secret ?? Object.keys(credential.fields);
  return { ...summaryOf(credential), fields: maskSecrets(credential.fields, secret) };
}

function summaryOf(c: CredentialSummary): CredentialSummary {
  return { id: c.id, name: c.name, type: c.type, field_names: c.field_names, key_id: c.key_id, meta: c.meta, created_at: c.created_at, updated_at: c.updated_at };
}

export function registerCredentialRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const vault = ctx.data.vault;
  // A changed credential may be a webhook's secret: drop the cached ones.
  const changed = () => ctx.secrets.clear();

  app.get('/api/v1/credentials', async () => page((await vault.list()).map(summaryOf)));

  app.post('/api/v1/credentials', async (request, reply) => {
    const body = parseInput(createBody, request.body, 'body');
    const created = await vault.add(body.type, body.name, body.fields, body.meta);
    changed();
    return reply.code(201).header('location', `/api/v1/credentials/${created.id}`).send(masked(await vault.get(created.id)));
  });

  app.get<{ Params: { id: string } }>('/api/v1/credentials/:id', async (request) => masked(await vault.get(request.params.id)));

  app.put<{ Params: { id: string } }>('/api/v1/credentials/:id', async (request) => {
    const body = parseInput(updateBody, request.body, 'body');
    const updated = await vault.update(request.params.id, { name: body.name, fields: body.fields, replaceFields: body.replace_fields, meta: body.meta });
    changed();
    return masked(await vault.get(updated.id));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/credentials/:id', async (request, reply) => {
    await vault.delete(request.params.id);
    changed();
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/v1/credentials/:id/test', async (request) => testCredential(vault, request.params.id, ctx.runDataDir));
}
