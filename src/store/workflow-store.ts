/**
 * The workflow library: every save that changes a workflow adds an immutable version; the
 * workflows row points at the current one. Workflows are found by id, name (any case) or slug.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import { SkynetteError } from '../util/errors.js';
import type { Workflow } from '../workflow/model.js';
import { slugifyName } from '../workflow/serialize.js';
import type { Database } from './database.js';
import { canonicalJson, fromJson, sha256, toJson } from './json.js';
import type { Schema, WorkflowsTable } from './schema.js';

export interface WorkflowSummary {
  id: string;
  name: string;
  slug: string;
  description: string;
  current_version: number;
  active: boolean;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export interface StoredWorkflow extends WorkflowSummary {
  /** The current version's definition. */
  workflow: Workflow;
}

export interface WorkflowVersionInfo {
  workflow_id: string;
  version: number;
  checksum: string;
  source: string;
  created_at: string;
}

export interface WorkflowVersion extends WorkflowVersionInfo {
  workflow: Workflow;
}

export interface SaveWorkflowResult {
  /** The stored definition (version and timestamps as stored). */
  workflow: Workflow;
  version: number;
  /** false when the content was unchanged and no version was added. */
  changed: boolean;
}

export interface ListWorkflowsOptions {
  /** Part of the name, any case. */
  search?: string;
  /** An exact tag. */
  tag?: string;
  limit?: number;
  offset?: number;
}

export interface WorkflowStore {
  save(workflow: Workflow, source?: string): Promise<SaveWorkflowResult>;
  /** By id, else by name (any case), else by slug; null when none matches. */
  get(ref: string): Promise<StoredWorkflow | null>;
  /** As get, but a missing workflow is a WORKFLOW_NOT_FOUND error. */
  require(ref: string): Promise<StoredWorkflow>;
  list(options?: ListWorkflowsOptions): Promise<{ items: WorkflowSummary[]; total: number }>;
  /** Deletes the workflow and its versions (its executions stay). false when none matched. */
  delete(ref: string): Promise<boolean>;
  /** Versions, newest first. */
  history(ref: string): Promise<WorkflowVersionInfo[]>;
  getVersion(ref: string, version: number): Promise<WorkflowVersion | null>;
  setActive(ref: string, active: boolean): Promise<void>;
}

/** What a version is compared on: the workflow without its version number and timestamps. */
export function workflowChecksum(workflow: Workflow): string {
  const { version: _version, created_at: _created, updated_at: _updated, ...content } = workflow;
  return sha256(canonicalJson(content));
}

/** The file-name form of a workflow name; one definition, shared with the workflow files. */
export const slugify = slugifyName;

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

type WorkflowRow = Selectable<WorkflowsTable>;

function toSummary(row: WorkflowRow): WorkflowSummary {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    current_version: Number(row.current_version),
    active: Boolean(row.active),
    tags: fromJson<string[]>(row.tags, [], `workflows[${row.id}].tags`),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function createWorkflowStore(database: Database): WorkflowStore {
  const { db, dialect } = database;

  async function findRow(q: Kysely<Schema>, ref: string): Promise<WorkflowRow | undefined> {
    const byId = await q.selectFrom('workflows').selectAll().where('id', '=', ref).executeTakeFirst();
    if (byId) return byId;
    const byName = await q
      .selectFrom('workflows')
      .selectAll()
      .where(sql`lower(name)`, '=', sql`lower(${ref})`)
      .orderBy('created_at')
      .executeTakeFirst();
    if (byName) return byName;
    const slug = slugify(ref);
    return slug ? q.selectFrom('workflows').selectAll().where('slug', '=', slug).executeTakeFirst() : undefined;
  }

  async function loadVersion(workflowId: string, version: number): Promise<WorkflowVersion | null> {
    const row = await db.selectFrom('workflow_versions').selectAll().where('workflow_id', '=', workflowId).where('version', '=', version).executeTakeFirst();
    if (!row) return null;
    return {
      workflow_id: row.workflow_id,
      version: Number(row.version),
      checksum: row.checksum,
      source: row.source,
      created_at: row.created_at,
      workflow: fromJson<Workflow>(row.definition, null as never, `workflow_versions[${workflowId}@${version}].definition`),
    };
  }

  async function requireRow(ref: string): Promise<WorkflowRow> {
    const row = await findRow(db, ref);
    if (!row) throw notFound(ref);
    return row;
  }

  const store: WorkflowStore = {
    async save(workflow, source = 'api') {
      if (!workflow || typeof workflow.id !== 'string' || workflow.id.trim() === '') {
        throw new SkynetteError('WORKFLOW_INVALID', 'the workflow has no id; load it through the workflow parser, which assigns one', { path: 'id' });
      }
      if (typeof workflow.name !== 'string' || workflow.name.trim() === '') {
        throw new SkynetteError('WORKFLOW_INVALID', 'the workflow needs a name', { path: 'name' });
      }
      const checksum = workflowChecksum(workflow);
      const slug = slugify(workflow.name) || `workflow-${slugify(workflow.id) || sha256(workflow.id).slice(0, 12)}`;
      return db.transaction().execute(async (trx) => {
        let current = trx.selectFrom('workflows').selectAll().where('id', '=', workflow.id);
        // Two saves of one workflow at once on Postgres: the second waits, then adds the next version.
        if (dialect === 'postgres') current = current.forUpdate();
        const existing = await current.executeTakeFirst();
        const clash = await trx.selectFrom('workflows').select(['id', 'name']).where('slug', '=', slug).where('id', '!=', workflow.id).executeTakeFirst();
        if (clash) {
          throw new SkynetteError(
            'WORKFLOW_NAME_TAKEN',
            `another workflow, "${clash.name}" (id ${clash.id}), already uses the name "${workflow.name}" (file name ${slug}.yaml); rename one of them`,
            { path: 'name' },
          );
        }
        if (existing) {
          const latest = await trx
            .selectFrom('workflow_versions')
            .select(['checksum', 'definition'])
            .where('workflow_id', '=', workflow.id)
            .where('version', '=', existing.current_version)
            .executeTakeFirst();
          if (latest && latest.checksum === checksum) {
            return { workflow: fromJson<Workflow>(latest.definition, workflow, `workflow_versions[${workflow.id}]`), version: Number(existing.current_version), changed: false };
          }
        }
        const now = new Date().toISOString();
        const version = (existing ? Number(existing.current_version) : 0) + 1;
        const createdAt = existing?.created_at ?? (workflow.created_at || now);
        const stored: Workflow = { ...workflow, version, created_at: createdAt, updated_at: now };
        const row = {
          name: workflow.name,
          slug,
          description: workflow.description ?? '',
          current_version: version,
          tags: toJson(workflow.tags ?? []),
          updated_at: now,
        };
        if (existing) await trx.updateTable('workflows').set(row).where('id', '=', workflow.id).execute();
        else await trx.insertInto('workflows').values({ id: workflow.id, ...row, created_at: createdAt }).execute();
        await trx
          .insertInto('workflow_versions')
          .values({ workflow_id: workflow.id, version, definition: toJson(stored), checksum, source, created_at: now })
          .execute();
        return { workflow: stored, version, changed: true };
      });
    },

    async get(ref) {
      const row = await findRow(db, ref);
      if (!row) return null;
      const version = await loadVersion(row.id, Number(row.current_version));
      if (!version) throw new SkynetteError('DB_DATA_DAMAGED', `workflow "${row.name}" points at version ${row.current_version}, which is missing`);
      return { ...toSummary(row), workflow: version.workflow };
    },

    async require(ref) {
      const found = await store.get(ref);
      if (!found) throw notFound(ref);
      return found;
    },

    async list(options = {}) {
      let query = db.selectFrom('workflows');
      if (options.search) query = query.where(sql<boolean>`lower(name) like lower(${'%' + escapeLike(options.search) + '%'}) escape '\\'`);
      if (options.tag) query = query.where(sql<boolean>`tags like ${'%' + escapeLike(JSON.stringify(options.tag)) + '%'} escape '\\'`);
      const [rows, count] = await Promise.all([
        query
          .selectAll()
          .orderBy(sql`lower(name)`)
          .orderBy('id')
          .limit(options.limit ?? 100)
          .offset(options.offset ?? 0)
          .execute(),
        query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toSummary), total: Number(count.n) };
    },

    async delete(ref) {
      const row = await findRow(db, ref);
      if (!row) return false;
      const result = await db.deleteFrom('workflows').where('id', '=', row.id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async history(ref) {
      const row = await requireRow(ref);
      const rows = await db
        .selectFrom('workflow_versions')
        .select(['workflow_id', 'version', 'checksum', 'source', 'created_at'])
        .where('workflow_id', '=', row.id)
        .orderBy('version', 'desc')
        .execute();
      return rows.map((r) => ({ ...r, version: Number(r.version) }));
    },

    async getVersion(ref, version) {
      const row = await requireRow(ref);
      return loadVersion(row.id, version);
    },

    async setActive(ref, active) {
      const row = await requireRow(ref);
      await db.updateTable('workflows').set({ active, updated_at: new Date().toISOString() }).where('id', '=', row.id).execute();
    },
  };
  return store;
}

function notFound(ref: string): SkynetteError {
  return new SkynetteError('WORKFLOW_NOT_FOUND', `no workflow with the id or name "${ref}"; list them with: skynette workflows list`);
}
