/**
 * Workflows and their immutable versions, executions with per-node results and large outputs,
 * settings, credentials.
 */
import { sql } from 'kysely';
import type { StoreMigration } from './types.js';

export const initial: StoreMigration = {
  name: '001_initial',
  async up(db) {
    await db.schema
      .createTable('workflows')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('slug', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('current_version', 'integer', (c) => c.notNull())
      .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('workflows_name_lower').on('workflows').expression(sql`lower(name)`).execute();

    await db.schema
      .createTable('workflow_versions')
      .addColumn('workflow_id', 'text', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('checksum', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('workflow_versions_pk', ['workflow_id', 'version'])
      .execute();

    await db.schema
      .createTable('executions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workflow_id', 'text', (c) => c.notNull())
      .addColumn('workflow_version', 'integer', (c) => c.notNull())
      .addColumn('workflow_name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('trigger_data', 'text')
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('duration_ms', 'double precision')
      .addColumn('error', 'text')
      .addColumn('variables', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('executions_workflow_started').on('executions').columns(['workflow_id', 'started_at']).execute();
    await db.schema.createIndex('executions_status').on('executions').column('status').execute();
    // Listing newest first and pruning oldest first both walk started_at.
    await db.schema.createIndex('executions_started').on('executions').column('started_at').execute();

    await db.schema
      .createTable('execution_nodes')
      .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('node_name', 'text', (c) => c.notNull())
      .addColumn('node_type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('output', 'text')
      .addColumn('output_ref', 'text')
      .addColumn('ports', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('error', 'text')
      .addColumn('continued', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('started_at', 'text')
      .addColumn('finished_at', 'text')
      .addColumn('duration_ms', 'double precision')
      .addColumn('logs', 'text', (c) => c.notNull().defaultTo('[]'))
      .addPrimaryKeyConstraint('execution_nodes_pk', ['execution_id', 'key'])
      .execute();

    await db.schema
      .createTable('execution_data')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('execution_id', 'text', (c) => c.notNull().references('executions.id').onDelete('cascade'))
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('execution_data_execution').on('execution_data').column('execution_id').execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('nonce', 'text', (c) => c.notNull())
      .addColumn('ciphertext', 'text', (c) => c.notNull())
      .addColumn('auth_tag', 'text', (c) => c.notNull())
      .addColumn('meta', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
