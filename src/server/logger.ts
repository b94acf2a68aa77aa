/**
 * The server's structured log (pino, JSON lines on stderr). Secrets never reach it: known secret
 * fields and auth headers are censored by path, and every string logged passes through the
 * vault's redaction of the secrets it has decrypted.
 */
import pino, { type Logger } from 'pino';
import { redactSecrets } from '../secrets/redact.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-webhook-token"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.auth_token',
  '*.secret',
  '*.api_key',
];

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}

export function createServerLogger(level: LogLevel = 'info', destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true })): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '***' },
      formatters: {
        log: (object) => redactValue(object, 0) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
