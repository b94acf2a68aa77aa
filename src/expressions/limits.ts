/**
 * Every limit of the expression language in one place, so the docs, the errors and the tests agree.
 * Expressions come from workflow files that anyone may share, so each limit bounds the memory or
 * time one hostile `{{ }}` can take from the process that runs everybody's workflows.
 */

/** Characters between `{{` and `}}` (or of a bare expression). */
export const MAX_EXPRESSION_LENGTH = 10_000;

/** Nesting of parentheses, lists, objects, calls, brackets and unary operators; bounds parser recursion. */
export const MAX_NESTING_DEPTH = 64;

/** Work per evaluation: one step per syntax node visited plus one per item a built-in function handles. */
export const MAX_STEPS = 1_000_000;

/** Numbers that range() may produce. */
export const MAX_RANGE_SIZE = 100_000;

/** Items in any list the language creates. */
export const MAX_LIST_LENGTH = 100_000;

/** Keys in any object the language creates. */
export const MAX_OBJECT_KEYS = 100_000;

/** Characters in any text the language creates, including a whole substituted template (10 MiB). */
export const MAX_TEXT_LENGTH = 10 * 1024 * 1024;

/** Characters in a regular expression pattern. */
export const MAX_REGEX_PATTERN_LENGTH = 500;

/** Characters of text a regular expression may run over. */
export const MAX_REGEX_INPUT_LENGTH = 100_000;

/** Nesting of data walked by equality, unique(), resolveDeep and friends; deeper data is refused, not overflowed. */
export const MAX_DATA_DEPTH = 256;

/** Compiled templates kept in memory; a workflow has few distinct templates, so this is generous. */
export const TEMPLATE_CACHE_SIZE = 2_000;

/** Longer templates are compiled on every use rather than cached, so the cache's memory stays bounded. */
export const MAX_CACHED_TEMPLATE_LENGTH = 64 * 1024;

/** Compiled regular expressions kept in memory. */
export const REGEX_CACHE_SIZE = 200;

/** The limits as one object, for docs and for callers that want to explain them. */
export const expressionLimits = {
  maxExpressionLength: MAX_EXPRESSION_LENGTH,
  maxNestingDepth: MAX_NESTING_DEPTH,
  maxSteps: MAX_STEPS,
  maxRangeSize: MAX_RANGE_SIZE,
  maxListLength: MAX_LIST_LENGTH,
  maxObjectKeys: MAX_OBJECT_KEYS,
  maxTextLength: MAX_TEXT_LENGTH,
  maxRegexPatternLength: MAX_REGEX_PATTERN_LENGTH,
  maxRegexInputLength: MAX_REGEX_INPUT_LENGTH,
  maxDataDepth: MAX_DATA_DEPTH,
} as const;

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
