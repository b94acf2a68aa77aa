/**
 * The AI gateway's tables: one usage row per provider call (cost, tokens, latency, outcome and
 * where it came from), chat conversations with their messages, and the AI settings (providers,
 * budgets, price overrides).
 */
import type { StoreMigration } from './types.js';

export const aiGateway: StoreMigration = {
  name: '002_ai_gateway',
  async up(db) {
    await db.schema
      .createTable('ai_usage')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('latency_ms', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('error', 'text')
      .addColumn('workflow_id', 'text')
      .addColumn('execution_id', 'text')
      .addColumn('node_id', 'text')
      .execute();
    await db.schema.createIndex('ai_usage_created').on('ai_usage').column('created_at').execute();
    await db.schema.createIndex('ai_usage_provider_created').on('ai_usage').columns(['provider', 'created_at']).execute();
    await db.schema.createIndex('ai_usage_workflow_created').on('ai_usage').columns(['workflow_id', 'created_at']).execute();

    await db.schema
      .createTable('ai_conversations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('workflow_id', 'text')
      .execute();

    await db.schema
      .createTable('ai_messages')
      .addColumn('conversation_id', 'text', (c) => c.notNull().references('ai_conversations.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      /** JSON: a string, or a list of content parts. */
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('tool_calls', 'text')
      .addColumn('tool_call_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ai_messages_pk', ['conversation_id', 'seq'])
      .execute();

    await db.schema
      .createTable('ai_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};
