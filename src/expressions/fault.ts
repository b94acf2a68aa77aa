/**
 * The internal failure thrown inside the lexer, parser, evaluator and functions. It deliberately
 * does not extend Error: building a stack trace on every failed `??` fallback would be wasted
 * work, and the public entry points turn it into an ExpressionError that knows node and field.
 */
export class Fault {
  constructor(
    readonly message: string,
    /** Offset in the template text (0-based), once known. */
    public pos?: number,
    readonly expected?: string,
  ) {}
}

export function fault(message: string, pos?: number, expected?: string): never {
  throw new Fault(message, pos, expected);
}
