import { SkynetteError } from '../util/errors.js';
import { Fault } from './fault.js';

export interface ExpressionWhere {
  node?: string;
  field?: string;
}

export interface ExpressionErrorInfo extends ExpressionWhere {
  /** 1-based column in the template text. */
  column?: number;
  expected?: string;
  cause?: unknown;
}

/** What a user sees when an expression cannot be read or evaluated. */
export class ExpressionError extends SkynetteError {
  readonly node?: string;
  readonly field?: string;
  readonly column?: number;
  readonly expected?: string;
  /** The message without the node/field/column prefix. */
  readonly reason: string;

  constructor(reason: string, info: ExpressionErrorInfo = {}) {
    super('EXPRESSION_ERROR', prefix(info) + reason, {
      path: info.field,
      details: { node: info.node, field: info.field, column: info.column, expected: info.expected },
      cause: info.cause,
    });
    this.name = 'ExpressionError';
    this.reason = reason;
    this.node = info.node;
    this.field = info.field;
    this.column = info.column;
    this.expected = info.expected;
  }
}

function prefix(info: ExpressionErrorInfo): string {
  const parts: string[] = [];
  // Quoted without escaping: a field such as headers["X-Key"] reads better raw than JSON-escaped.
  if (info.node !== undefined) parts.push(`node "${info.node}"`);
  if (info.field !== undefined && info.field !== '') parts.push(`field "${info.field}"`);
  if (info.column !== undefined) parts.push(`column ${info.column}`);
  return parts.length ? parts.join(', ') + ': ' : '';
}

/**
 * Anything thrown while working on an expression leaves the module as an ExpressionError: a
 * RangeError from a deep JSON.stringify or a TypeError from a bigint must not reach the engine raw.
 */
export function toExpressionError(error: unknown, where: ExpressionWhere | undefined): ExpressionError {
  if (error instanceof ExpressionError) return error;
  const base = { node: where?.node, field: where?.field };
  if (error instanceof Fault) {
    return new ExpressionError(error.message, {
      ...base,
      column: error.pos === undefined ? undefined : error.pos + 1,
      expected: error.expected,
    });
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new ExpressionError('the data or expression is nested too deeply to evaluate', { ...base, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ExpressionError(message, { ...base, cause: error });
}
