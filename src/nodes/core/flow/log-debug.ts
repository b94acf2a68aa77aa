import { defineNode, field } from '../../sdk.js';

interface LogDebugConfig {
  message?: string;
  data?: unknown;
  log_level: 'debug' | 'info' | 'warning' | 'error';
  include_timestamp: boolean;
  pretty_print: boolean;
}

/** Writes a line into the node's log (shown by `skynette run` and kept in the execution); passes its input on. */
export const logDebug = defineNode<LogDebugConfig>({
  type: 'log_debug',
  name: 'Log / Debug',
  description: 'Logs a message and data into the execution, and passes its input on unchanged.',
  category: 'utility',
  replayable: true,
  fields: {
    message: field.text({ placeholder: 'Processing item {{ $prev.id }}' }),
    data: field.expression({ description: 'data to log (default: the input)' }),
    log_level: field.select(['debug', 'info', 'warning', 'error'], { default: 'info' }),
    include_timestamp: field.boolean({ default: false }),
    pretty_print: field.boolean({ default: false }),
  },
  run({ config, input, log, rawConfig }) {
    // Like the original, the data defaults to the input, but only when there is no message to say.
    const data = 'data' in rawConfig ? config.data : config.message ? undefined : input;
    const parts: string[] = [];
    if (config.include_timestamp) parts.push(`[${new Date().toISOString()}]`);
    if (config.message) parts.push(config.message);
    if (data !== undefined && data !== null && !(typeof data === 'object' && Object.keys(data).length === 0)) {
      parts.push(typeof data === 'string' ? data : JSON.stringify(data, null, config.pretty_print ? 2 : undefined));
    }
    const level = config.log_level === 'warning' ? 'warn' : config.log_level;
    log[level](parts.join(' '));
    return input;
  },
});
