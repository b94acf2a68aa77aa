import { MAX_STEPS, formatCount } from './limits.js';
import { fault } from './fault.js';

/**
 * The step counter of the evaluation in progress. It lives in a shared mutable object rather than
 * being passed around so the evaluator's hot path allocates nothing; evaluation is synchronous, so
 * one counter per process is enough, and entry points save and restore it to stay re-entrant.
 */
export const budget = { steps: 0 };

/** Called by built-in functions for the items they create or walk. */
export function charge(items: number): void {
  budget.steps += items;
  if (budget.steps > MAX_STEPS) stepLimitReached();
}

export function stepLimitReached(pos?: number): never {
  fault(
    `the expression needs more than ${formatCount(MAX_STEPS)} evaluation steps (the limit); work on smaller lists or split it across nodes`,
    pos,
  );
}
