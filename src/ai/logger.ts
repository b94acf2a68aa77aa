/**
 * The AI layer's process log: structured pino lines on stderr (stdout belongs to the CLI's
 * output), level from SKYNETTE_LOG_LEVEL (default warn).
 */
import pino from 'pino';

export interface AiLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export function createAiLogger(env: NodeJS.ProcessEnv = process.env): AiLogger {
  const level = env.SKYNETTE_LOG_LEVEL?.trim() || 'warn';
  const logger = pino({ name: 'skynette.ai', level, redact: ['api_key', '*.api_key', 'authorization'] }, pino.destination({ dest: 2, sync: true }));
  const line = (method: 'debug' | 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => {
    if (data) logger[method](data, message);
    else logger[method](message);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

export const silentLogger: AiLogger = { debug() {}, info() {}, warn() {}, error() {} };
