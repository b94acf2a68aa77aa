/**
 * ai-chat: a conversation that continues across runs and restarts. The last `window_size`
 * messages of the conversation are sent with the new message; both are stored on success.
 */
import { checkConversationId } from '../../ai/conversations.js';
import { SkynetteError } from '../../util/errors.js';
import { defineNode, field } from '../sdk.js';
import { gatewayOf, logFallback, modelFields, requestBase, resultOutput, type ModelConfig } from './common.js';

interface ChatConfig extends ModelConfig {
  message?: string;
  conversation_id: string;
  system_prompt?: string;
  window_size: number;
  clear: boolean;
}

export const aiChatNode = defineNode<ChatConfig>({
  type: 'ai-chat',
  name: 'AI: chat',
  description: 'Continues a conversation kept in the database (by conversation_id) with a new message; returns the reply.',
  category: 'ai',
  fields: {
    message: field.text({ placeholder: '{{ $prev.text }}', description: 'the user message (may be empty with clear: true, to only forget the conversation)' }),
    conversation_id: field.string({ required: true, placeholder: '{{ $prev.user_id }}', description: 'any text naming the conversation: a user, a channel, a ticket' }),
    system_prompt: field.text({ description: 'sent first on every turn (not stored)' }),
    window_size: field.number({ integer: true, min: 0, max: 1000, default: 20, description: 'earlier messages sent along (0: all)' }),
    clear: field.boolean({ default: false, description: 'forget the conversation before this message' }),
    ...modelFields(),
  },
  async run(ctx) {
    const { config } = ctx;
    const id = checkConversationId(config.conversation_id, 'config.conversation_id');
    const gateway = await gatewayOf(ctx);
    let cleared = 0;
    if (config.clear) cleared = await gateway.conversations.clear(id);
    const message = config.message ?? '';
    if (!message.trim()) {
      if (config.clear) return { conversation_id: id, cleared: true, cleared_messages: cleared, text: '' };
      throw new SkynetteError('AI_EMPTY_PROMPT', 'config.message: the message is empty; write what to say (or set clear: true to only forget the conversation)', { path: 'config.message' });
    }
    const history = await gateway.conversations.load(id, config.window_size);
    const user = { role: 'user' as const, content: message };
    const result = await gateway.chat({
      ...requestBase(ctx, config),
      capability: 'CHAT',
      messages: [...(config.system_prompt ? [{ role: 'system' as const, content: config.system_prompt }] : []), ...history, user],
    });
    logFallback(ctx, result);
    await gateway.conversations.append(id, [user, { role: 'assistant', content: result.text }], { workflow_id: ctx.workflow.id });
    return {
      text: result.text,
      conversation_id: id,
      history_length: history.length + 2,
      ...(config.clear ? { cleared: true, cleared_messages: cleared } : {}),
      ...resultOutput(result),
    };
  },
});
