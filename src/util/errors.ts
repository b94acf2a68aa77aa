/**
 * The one error type of Skynette. Every error a user can see carries a stable code, a message they
 * can act on, and (where there is one) the path of the bad input, such as `nodes[2].config.url`.
 */
export class SkynetteError extends Error {
  readonly code: string;
  readonly path?: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { path?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkynetteError';
    this.code = code;
    this.path = options.path;
    this.details = options.details;
  }
}

/** A problem found in a file or a config, reported with the others rather than thrown alone. */
export interface Problem {
  path: string;
  message: string;
  line?: number;
  column?: number;
  severity?: 'error' | 'warning';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function errorCode(error: unknown): string {
  if (error instanceof SkynetteError) return error.code;
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return 'NODE_ERROR';
}
