/**
 * Executions and their per-node results. The engine's hooks call create / saveNodes / finish;
 * each write is one transaction that keeps the node rows and the execution row (status,
 * variables, updated_at) in step, so a crash leaves a resumable record.
 * Large node outputs live in execution_data, out of the rows that are listed and scanned.
 */
import { sql, type CompiledQuery, type Selectable } from 'kysely';
import type { ExecutionErrorInfo, ExecutionRecord, ExecutionStatus, NodeLogLine, NodeResult, NodeStatus } from '../engine/execution.js';
import { SkynetteError } from '../util/errors.js';
import { databaseFileSize, shrinkSqliteFile, type Database } from './database.js';
import { fromJson, toJson, toJsonOrNull } from './json.js';
import { compileTemplate, param } from './query-template.js';
import type { ExecutionNodesTable, ExecutionsTable } from './schema.js';
import { createWriteBatch } from './write-batch.js';

/** Outputs whose JSON is longer than this (characters) are kept in execution_data. */
export const LARGE_OUTPUT_CHARS = 64 * 1024;

const UNFINISHED: ExecutionStatus[] = ['running', 'queued'];
const PRUNE_BATCH = 500;

export type ExecutionSummary = Omit<ExecutionRecord, 'node_results' | 'variables' | 'trigger_data'> & { updated_at: string };

export interface ListExecutionsOptions {
  /** A workflow id or name (any case). */
  workflow?: string;
  status?: ExecutionStatus | ExecutionStatus[];
  /** Started at or after (ISO time or Date). */
  since?: string | Date;
  limit?: number;
  /** From a previous page's nextCursor. */
  cursor?: string;
}

export interface ExecutionPage {
  items: ExecutionSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface PruneOptions {
  /** Delete finished executions that started more than this many days ago (0 or undefined: no age limit). */
  maxAgeDays?: number;
  /** Keep at most this many finished executions, deleting the oldest (0 or undefined: no count limit). */
  maxCount?: number;
  now?: Date;
}

export interface PruneResult {
  deleted: number;
  /** The ids deleted, so files kept beside the database can go too. */
  deletedIds: string[];
  /** SQLite: the file size before and after (after the incremental vacuum); null on Postgres. */
  fileSizeBefore: number | null;
  fileSizeAfter: number | null;
}

export interface SaveNodesOptions {
  /** Also create the execution row (with the record's other node results), as create() would: one commit for both. */
  createExecution?: boolean;
}

export interface ExecutionStoreOptions {
  largeOutputChars?: number;
}

export interface ExecutionStore {
  /** Saves a starting execution (and any node results it already carries, as on resume). */
  create(record: ExecutionRecord): Promise<void>;
  /** The node is about to run an attempt: stored as running, counting that attempt. */
  saveNodeStart(record: ExecutionRecord, result: NodeResult): Promise<void>;
  /** The node finished (or was skipped): its result, and the execution's variables. */
  saveCheckpoint(record: ExecutionRecord, result: NodeResult): Promise<void>;
  /**
   * Finished node results and, optionally, the node about to start, with the execution's
   * variables, in one transaction (what checkpointHooks uses: one commit per node start).
   */
  saveNodes(record: ExecutionRecord, finished: readonly NodeResult[], starting?: NodeResult, options?: SaveNodesOptions): Promise<void>;
  /** The final status, timings, error and variables, with any node results not saved yet, in one transaction. */
  finish(record: ExecutionRecord, finished?: readonly NodeResult[]): Promise<void>;
  /** The whole record (execution and every node result) in one transaction. */
  save(record: ExecutionRecord): Promise<void>;
  get(id: string): Promise<ExecutionRecord | null>;
  require(id: string): Promise<ExecutionRecord>;
  list(options?: ListExecutionsOptions): Promise<ExecutionPage>;
  delete(id: string): Promise<boolean>;
  /** Executions left running or queued (by a process that died): full records, oldest first. */
  findInterrupted(): Promise<ExecutionRecord[]>;
  prune(options: PruneOptions): Promise<PruneResult>;
}

interface NodeEntry {
  result: NodeResult;
  seq: number;
  attempts: number;
}

type NodeValues = Omit<Selectable<ExecutionNodesTable>, 'continued'> & { continued: boolean };
type ExecutionValues = Selectable<ExecutionsTable>;

export function createExecutionStore(database: Database, options: ExecutionStoreOptions = {}): ExecutionStore {
  const { db } = database;
  const largeOutputChars = options.largeOutputChars ?? LARGE_OUTPUT_CHARS;
  const writeBatch = createWriteBatch(database);

  const nodeColumns = ['seq', 'node_id', 'node_name', 'node_type', 'status', 'output', 'output_ref', 'ports', 'error', 'continued', 'attempts', 'started_at', 'finished_at', 'duration_ms', 'logs'] as const;
  const upsertNode = compileTemplate<NodeValues>(
    db
      .insertInto('execution_nodes')
      .values({
        execution_id: param('execution_id'),
        key: param('key'),
        ...Object.fromEntries(nodeColumns.map((c) => [c, param(c)])),
      } as never)
      .onConflict((oc) => oc.columns(['execution_id', 'key']).doUpdateSet(Object.fromEntries(nodeColumns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never)),
  );
  const upsertData = compileTemplate<{ id: string; execution_id: string; data: string }>(
    db
      .insertInto('execution_data')
      .values({ id: param('id'), execution_id: param('execution_id'), data: param('data') })
      .onConflict((oc) => oc.column('id').doUpdateSet({ data: (eb) => eb.ref('excluded.data') })),
  );
  const touchExecution = compileTemplate<{ id: string; status: string; variables: string; updated_at: string }>(
    db.updateTable('executions').set({ status: param('status'), variables: param('variables'), updated_at: param('updated_at') }).where('id', '=', param('id')),
  );
  // Rewriting an unchanged status still rewrites its index entry: a third of a checkpoint's cost on SQLite.
  const touchVariables = compileTemplate<{ id: string; variables: string; updated_at: string }>(
    db.updateTable('executions').set({ variables: param('variables'), updated_at: param('updated_at') }).where('id', '=', param('id')),
  );
  /** The status last written for each execution this store is writing, to skip rewriting it. */
  const writtenStatus = new Map<string, string>();
  const executionColumns = ['workflow_id', 'workflow_version', 'workflow_name', 'status', 'mode', 'trigger_data', 'started_at', 'finished_at', 'duration_ms', 'error', 'variables', 'updated_at'] as const;
  const upsertExecution = compileTemplate<ExecutionValues>(
    db
      .insertInto('executions')
      .values({ id: param('id'), ...Object.fromEntries(executionColumns.map((c) => [c, param(c)])) } as never)
      .onConflict((oc) => oc.column('id').doUpdateSet(Object.fromEntries(executionColumns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never)),
  );
  const finalColumns = ['status', 'finished_at', 'duration_ms', 'error', 'variables', 'updated_at'] as const;
  // An upsert, so finishing a record that was never created (hooks attached late) stores it whole.
  const finishExecution = compileTemplate<ExecutionValues>(
    db
      .insertInto('executions')
      .values({ id: param('id'), ...Object.fromEntries(executionColumns.map((c) => [c, param(c)])) } as never)
      .onConflict((oc) => oc.column('id').doUpdateSet(Object.fromEntries(finalColumns.map((c) => [c, sql.ref(`excluded.${c}`)])) as never)),
  );

  /**
   * Node rows for several results. A key may come twice (the engine appends a fresh result for a
   * branch it skips again on resume): the last one is the row, and a combined Postgres statement
   * may not touch one row twice.
   */
  function pushNodes(executionId: string, entries: NodeEntry[], into: CompiledQuery[]): void {
    for (let i = 0; i < entries.length; i++) {
      const { result, seq, attempts } = entries[i];
      let superseded = false;
      for (let j = i + 1; j < entries.length && !superseded; j++) superseded = entries[j].result.key === result.key;
      if (!superseded) nodeQueries(executionId, result, seq, attempts, into);
    }
  }

  /** The node row (and its large-output row, if any) for a result. */
  function nodeQueries(executionId: string, result: NodeResult, seq: number, attempts: number, into: CompiledQuery[]): void {
    const output = toJson(result.output);
    let ref: string | null = null;
    if (output.length > largeOutputChars) {
      ref = `${executionId}/${result.key}`;
      into.push(upsertData({ id: ref, execution_id: executionId, data: output }));
    }
    into.push(
      upsertNode({
        execution_id: executionId,
        key: result.key,
        seq,
        node_id: result.node_id,
        node_name: result.node_name,
        node_type: result.node_type,
        status: result.status,
        output: ref ? null : output,
        output_ref: ref,
        ports: toJson(result.ports ?? []),
        error: toJsonOrNull(result.error),
        continued: result.continued === true,
        attempts,
        started_at: result.started_at,
        finished_at: result.finished_at,
        duration_ms: result.duration_ms,
        logs: toJson(result.logs ?? []),
      }),
    );
  }

  function executionValues(record: ExecutionRecord, now: string): ExecutionValues {
    return {
      id: record.id,
      workflow_id: record.workflow_id,
      workflow_version: record.workflow_version,
      workflow_name: record.workflow_name,
      status: record.status,
      mode: record.mode,
      trigger_data: toJson(record.trigger_data),
      started_at: record.started_at,
      finished_at: record.finished_at,
      duration_ms: record.duration_ms,
      error: toJsonOrNull(record.error),
      variables: toJson(record.variables),
      updated_at: now,
    };
  }

  async function writeNodes(record: ExecutionRecord, finished: readonly NodeResult[], starting: NodeResult | undefined, createExecution = false): Promise<void> {
    const queries: CompiledQuery[] = [];
    const entries: NodeEntry[] = [];
    if (createExecution) {
      queries.push(upsertExecution(executionValues(record, new Date().toISOString())));
      record.node_results.forEach((result, seq) => {
        if (result !== starting && !finished.includes(result)) entries.push({ result, seq, attempts: result.attempts });
      });
    }
    for (const result of finished) entries.push({ result, seq: seqOf(record, result), attempts: result.attempts });
    // The engine counts an attempt only after the start hook; the stored row counts it already, so a
    // crash mid-node shows that the node (and any side effect) may have run.
    if (starting) entries.push({ result: starting, seq: seqOf(record, starting), attempts: starting.attempts + 1 });
    pushNodes(record.id, entries, queries);
    if (queries.length === 0) return;
    if (createExecution) {
      // The execution row was just written whole: no separate update of it needed.
      await writeBatch(queries);
      writtenStatus.set(record.id, record.status);
      return;
    }
    const touch = { id: record.id, status: record.status, variables: toJson(record.variables), updated_at: new Date().toISOString() };
    const statusWritten = writtenStatus.get(record.id) === record.status;
    queries.push(statusWritten ? touchVariables(touch) : touchExecution(touch));
    await writeBatch(queries);
    if (!statusWritten) writtenStatus.set(record.id, record.status);
  }

  async function loadNodes(executionId: string): Promise<NodeResult[]> {
    const rows = await db
      .selectFrom('execution_nodes as n')
      .leftJoin('execution_data as d', 'd.id', 'n.output_ref')
      .selectAll('n')
      .select('d.data')
      .where('n.execution_id', '=', executionId)
      .orderBy('n.seq')
      .orderBy('n.key')
      .execute();
    return rows.map((row) => {
      const where = `execution_nodes[${executionId}/${row.key}]`;
      const result: NodeResult = {
        key: row.key,
        node_id: row.node_id,
        node_name: row.node_name,
        node_type: row.node_type,
        status: row.status as NodeStatus,
        output: row.output_ref ? fromJson(row.data, null, `${where}.output (execution_data)`) : fromJson(row.output, null, `${where}.output`),
        ports: fromJson<string[]>(row.ports, [], `${where}.ports`),
        error: fromJson<ExecutionErrorInfo | null>(row.error, null, `${where}.error`),
        attempts: Number(row.attempts),
        started_at: row.started_at,
        finished_at: row.finished_at,
        duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
        logs: fromJson<NodeLogLine[]>(row.logs, [], `${where}.logs`),
      };
      if (row.continued) result.continued = true;
      return result;
    });
  }

  function toSummary(row: ExecutionValues): ExecutionSummary {
    return {
      id: row.id,
      workflow_id: row.workflow_id,
      workflow_name: row.workflow_name,
      workflow_version: Number(row.workflow_version),
      status: row.status as ExecutionStatus,
      mode: row.mode,
      started_at: row.started_at,
      finished_at: row.finished_at,
      duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
      error: fromJson<ExecutionErrorInfo | null>(row.error, null, `executions[${row.id}].error`),
      updated_at: row.updated_at,
    };
  }

  async function toRecord(row: ExecutionValues): Promise<ExecutionRecord> {
    const { updated_at: _updated, ...summary } = toSummary(row);
    return {
      ...summary,
      trigger_data: fromJson(row.trigger_data, null, `executions[${row.id}].trigger_data`),
      node_results: await loadNodes(row.id),
      variables: fromJson<Record<string, unknown>>(row.variables, {}, `executions[${row.id}].variables`),
    };
  }

  async function deleteIds(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await db.deleteFrom('executions').where('id', 'in', ids).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  const finishedOnly = sql<boolean>`status not in ('running', 'queued')`;

  const store: ExecutionStore = {
    async create(record) {
      const queries = [upsertExecution(executionValues(record, new Date().toISOString()))];
      pushNodes(record.id, record.node_results.map((result, seq) => ({ result, seq, attempts: result.attempts })), queries);
      await writeBatch(queries);
      writtenStatus.set(record.id, record.status);
    },

    saveNodeStart(record, result) {
      return writeNodes(record, [], result);
    },

    saveCheckpoint(record, result) {
      return writeNodes(record, [result], undefined);
    },

    saveNodes(record, finished, starting, options = {}) {
      return writeNodes(record, finished, starting, options.createExecution);
    },

    async finish(record, finished = []) {
      writtenStatus.delete(record.id);
      const queries: CompiledQuery[] = [];
      pushNodes(record.id, finished.map((result) => ({ result, seq: seqOf(record, result), attempts: result.attempts })), queries);
      // Node rows reference the execution row, so it goes first.
      queries.unshift(finishExecution(executionValues(record, new Date().toISOString())));
      await writeBatch(queries);
    },

    save(record) {
      return store.create(record);
    },

    async get(id) {
      const row = await db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async require(id) {
      const found = await store.get(id);
      if (!found) throw new SkynetteError('EXECUTION_NOT_FOUND', `no execution with the id "${id}"; list them with: skynette executions list`);
      return found;
    },

    async list(options = {}) {
      const limit = Math.max(1, Math.min(options.limit ?? 50, 1000));
      let query = db.selectFrom('executions').selectAll();
      if (options.workflow) {
        const ref = options.workflow;
        query = query.where((eb) => eb.or([eb('workflow_id', '=', ref), eb(sql`lower(workflow_name)`, '=', sql`lower(${ref})`)]));
      }
      if (options.status) {
        const statuses = Array.isArray(options.status) ? options.status : [options.status];
        query = query.where('status', 'in', statuses);
      }
      if (options.since) query = query.where('started_at', '>=', toIso(options.since, 'since'));
      if (options.cursor) {
        const [startedAt, id] = decodeCursor(options.cursor);
        query = query.where((eb) => eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('id', '<', id)])]));
      }
      const rows = await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
      const items = rows.slice(0, limit).map(toSummary);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.started_at, last.id) : null };
    },

    async delete(id) {
      writtenStatus.delete(id);
      return (await deleteIds([id])) > 0;
    },

    async findInterrupted() {
      const rows = await db.selectFrom('executions').selectAll().where('status', 'in', UNFINISHED).orderBy('started_at').orderBy('id').execute();
      const records: ExecutionRecord[] = [];
      for (const row of rows) records.push(await toRecord(row));
      return records;
    },

    async prune({ maxAgeDays, maxCount, now = new Date() }) {
      const fileSizeBefore = databaseFileSize(database);
      let deleted = 0;
      const deletedIds: string[] = [];
      // Short batches: another process's checkpoints get the write lock between them.
      if (maxAgeDays !== undefined && maxAgeDays > 0) {
        const cutoff = new Date(now.getTime() - maxAgeDays * 86_400_000).toISOString();
        for (;;) {
          const rows = await db.selectFrom('executions').select('id').where(finishedOnly).where('started_at', '<', cutoff).orderBy('started_at').limit(PRUNE_BATCH).execute();
          deleted += await deleteIds(rows.map((r) => r.id));
          deletedIds.push(...rows.map((r) => r.id));
          if (rows.length < PRUNE_BATCH) break;
        }
      }
      if (maxCount !== undefined && maxCount > 0) {
        for (;;) {
          const count = await db.selectFrom('executions').select((eb) => eb.fn.countAll<number | string>().as('n')).where(finishedOnly).executeTakeFirstOrThrow();
          const excess = Number(count.n) - maxCount;
          if (excess <= 0) break;
          const rows = await db
            .selectFrom('executions')
            .select('id')
            .where(finishedOnly)
            .orderBy('started_at')
            .orderBy('id')
            .limit(Math.min(excess, PRUNE_BATCH))
            .execute();
          if (rows.length === 0) break;
          deleted += await deleteIds(rows.map((r) => r.id));
          deletedIds.push(...rows.map((r) => r.id));
        }
      }
      if (database.sqlite && deleted > 0) await shrinkSqliteFile(database);
      return { deleted, deletedIds, fileSizeBefore, fileSizeAfter: databaseFileSize(database) };
    },
  };
  return store;
}

/** A node's start order: its place in the record (almost always the last one pushed). */
function seqOf(record: ExecutionRecord, result: NodeResult): number {
  const results = record.node_results;
  const last = results.length - 1;
  if (results[last] === result) return last;
  const index = results.indexOf(result);
  if (index >= 0) return index;
  const byKey = results.findIndex((r) => r.key === result.key);
  return byKey >= 0 ? byKey : results.length;
}

function toIso(value: string | Date, name: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new SkynetteError('INVALID_ARGUMENT', `${name}: "${String(value)}" is not a date or time`, { path: name });
  return date.toISOString();
}

function encodeCursor(startedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([startedAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // Reported below.
  }
  throw new SkynetteError('INVALID_ARGUMENT', 'cursor: not a cursor from a previous page of this list', { path: 'cursor' });
}
