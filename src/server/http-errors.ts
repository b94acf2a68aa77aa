/**
 * Errors as the API answers them: `{error: {code, message, details}}` with the status that fits.
 * A SkynetteError keeps its code; its status comes from the code. Anything unexpected is a 500
 * whose message says where to look, never what went wrong inside.
 */
import { SkynetteError, type Problem } from '../util/errors.js';

export class ApiError extends SkynetteError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    details?: unknown,
  ) {
    super(code, message, { details });
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export function errorBody(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}

/** 400 with every bad field and its path. */
export function validationError(problems: Array<Pick<Problem, 'path' | 'message'>>, what = 'the request'): ApiError {
  const list = problems.map((p) => ({ path: p.path, message: p.message }));
  const summary = list
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  const more = list.length > 5 ? ` (and ${list.length - 5} more)` : '';
  return new ApiError(400, 'VALIDATION_FAILED', `${what} is not valid: ${summary}${more}`, list);
}

export function notFound(code: string, message: string): ApiError {
  return new ApiError(404, code, message);
}

const STATUS_BY_CODE: Record<string, number> = {
  WORKFLOW_NOT_FOUND: 404,
  EXECUTION_NOT_FOUND: 404,
  CREDENTIAL_NOT_FOUND: 404,
  NODE_TYPE_NOT_FOUND: 404,
  WORKFLOW_NAME_TAKEN: 409,
  EXECUTION_RUNNING: 409,
  CREDENTIAL_EXISTS: 409,
  WEBHOOK_CONFLICT: 409,
  WORKFLOW_INVALID: 400,
  INVALID_WORKFLOW: 400,
  INVALID_ARGUMENT: 400,
  CREDENTIAL_INVALID: 400,
  CREDENTIAL_TYPE_UNKNOWN: 400,
  SETTING_INVALID: 400,
  SETTING_UNKNOWN: 400,
  INVALID_CONFIG: 400,
  NODE_NOT_FOUND: 400,
  VAULT_KEY_MISSING: 422,
  WORKFLOW_VERSION_NOT_FOUND: 422,
  DB_BUSY: 503,
  SHUTTING_DOWN: 503,
};

/** The HTTP status for an error's code: 4xx for what the caller can fix, 500 for the rest. */
export function statusForError(error: unknown): number {
  if (error instanceof ApiError) return error.status;
  if (error instanceof SkynetteError) return STATUS_BY_CODE[error.code] ?? 500;
  return 500;
}

/** Problems from a SkynetteError's details, when it carries a list of them. */
export function problemDetails(error: SkynetteError): unknown {
  const details = error.details;
  if (Array.isArray(details)) return details;
  if (error.path) return [{ path: error.path, message: error.message }];
  return details ?? null;
}
