/**
 * Chat conversations kept in the database (`ai_conversations`, `ai_messages`), so an ai-chat node
 * continues a conversation across runs, restarts and processes. Messages are numbered per
 * conversation; a window reads the last N of them.
 */
import type { Kysely, Transaction } from 'kysely';
import { SkynetteError } from '../util/errors.js';
import type { ChatMessage } from './types.js';

interface ConversationTables {
  ai_conversations: { id: string; created_at: string; updated_at: string; workflow_id: string | null };
  ai_messages: {
    conversation_id: string;
    seq: number;
    role: string;
    content: string;
    tool_calls: string | null;
    tool_call_id: string | null;
    created_at: string;
  };
}

export interface ConversationStore {
  /** The last `window` messages in order (all when window is 0), starting at a user turn. */
  load(id: string, window?: number): Promise<ChatMessage[]>;
  append(id: string, messages: ChatMessage[], options?: { workflow_id?: string }): Promise<void>;
  /** Forgets the conversation's messages; returns how many there were. */
  clear(id: string): Promise<number>;
  count(id: string): Promise<number>;
}

export function checkConversationId(id: unknown, path = 'conversation_id'): string {
  if (typeof id !== 'string' || !id.trim()) throw new SkynetteError('AI_BAD_CONVERSATION', `${path}: a conversation id is required (any text, such as a user or channel id)`, { path });
  if (id.length > 200) throw new SkynetteError('AI_BAD_CONVERSATION', `${path}: a conversation id may be at most 200 characters`, { path });
  return id.trim();
}

function fromRow(row: ConversationTables['ai_messages']): ChatMessage {
  const message: ChatMessage = { role: row.role as ChatMessage['role'], content: JSON.parse(row.content) as ChatMessage['content'] };
  if (row.tool_calls) message.tool_calls = JSON.parse(row.tool_calls) as ChatMessage['tool_calls'];
  if (row.tool_call_id) message.tool_call_id = row.tool_call_id;
  return message;
}

/** A window must not open on a tool result or an answer whose question was cut off. */
function startAtUserTurn(messages: ChatMessage[]): ChatMessage[] {
  const first = messages.findIndex((m) => m.role === 'user');
  return first <= 0 ? messages : messages.slice(first);
}

export function createConversationStore(database: Kysely<any>): ConversationStore {
  const db = database as Kysely<ConversationTables>;
  const nextSeq = async (trx: Transaction<ConversationTables> | Kysely<ConversationTables>, id: string) => {
    const row = await trx.selectFrom('ai_messages').select((eb) => eb.fn.max('seq').as('last')).where('conversation_id', '=', id).executeTakeFirst();
    return Number(row?.last ?? 0) + 1;
  };
  return {
    async load(id, window = 0) {
      let query = db.selectFrom('ai_messages').selectAll().where('conversation_id', '=', id).orderBy('seq', 'desc');
      if (window > 0) query = query.limit(window);
      const rows = await query.execute();
      const messages = rows.reverse().map(fromRow);
      return window > 0 ? startAtUserTurn(messages) : messages;
    },
    async append(id, messages, options = {}) {
      if (!messages.length) return;
      const now = new Date().toISOString();
      const write = async () =>
        db.transaction().execute(async (trx) => {
          const existing = await trx.selectFrom('ai_conversations').select('id').where('id', '=', id).executeTakeFirst();
          if (existing) await trx.updateTable('ai_conversations').set({ updated_at: now }).where('id', '=', id).execute();
          else await trx.insertInto('ai_conversations').values({ id, created_at: now, updated_at: now, workflow_id: options.workflow_id ?? null }).execute();
          let seq = await nextSeq(trx, id);
          await trx
            .insertInto('ai_messages')
            .values(
              messages.map((m) => ({
                conversation_id: id,
                seq: seq++,
                role: m.role,
                content: JSON.stringify(m.content),
                tool_calls: m.tool_calls?.length ? JSON.stringify(m.tool_calls) : null,
                tool_call_id: m.tool_call_id ?? null,
                created_at: now,
              })),
            )
            .execute();
        });
      try {
        await write();
      } catch (error) {
        // Two runs appending at once (Postgres, several workers): the loser renumbers and retries.
        if (error instanceof SkynetteError && error.code === 'DB_CONSTRAINT') await write();
        else throw error;
      }
    },
    async clear(id) {
      const count = await this.count(id);
      await db.deleteFrom('ai_messages').where('conversation_id', '=', id).execute();
      await db.deleteFrom('ai_conversations').where('id', '=', id).execute();
      return count;
    },
    async count(id) {
      const row = await db.selectFrom('ai_messages').select((eb) => eb.fn.countAll<number | string>().as('n')).where('conversation_id', '=', id).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}

/** Conversations in memory, for a gateway without a database (lost when the process ends). */
export function createMemoryConversationStore(): ConversationStore {
  const conversations = new Map<string, ChatMessage[]>();
  return {
    async load(id, window = 0) {
      const all = conversations.get(id) ?? [];
      return window > 0 ? startAtUserTurn(all.slice(-window)) : [...all];
    },
    async append(id, messages) {
      conversations.set(id, [...(conversations.get(id) ?? []), ...structuredClone(messages)]);
    },
    async clear(id) {
      const count = conversations.get(id)?.length ?? 0;
      conversations.delete(id);
      return count;
    },
    async count(id) {
      return conversations.get(id)?.length ?? 0;
    },
  };
}
