/**
 * How a secret is shown to a person: enough to recognise which key it is (`sk-a…(40 chars)`),
 * never enough to use it. Short secrets show nothing of themselves (`••••`).
 */

export const MASK = '••••';
/** Below this length even four characters give away too much of the secret. */
const SHOW_PREFIX_FROM = 20;

export function maskSecret(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.length >= SHOW_PREFIX_FROM) return `${text.slice(0, 4)}…(${text.length} chars)`;
  return MASK;
}

/**
 * A copy of `value` safe to show. With `secretFields`, only those keys of an object (at any depth)
 * are masked; without, every string and number in it is.
 */
export function maskSecrets(value: string, secretFields?: Iterable<string>): string;
export function maskSecrets(value: Record<string, unknown>, secretFields?: Iterable<string>): Record<string, unknown>;
export function maskSecrets(value: unknown, secretFields?: Iterable<string>): unknown;
export function maskSecrets(value: unknown, secretFields?: Iterable<string>): unknown {
  if (typeof value === 'string') return maskSecret(value);
  const names = secretFields === undefined ? undefined : new Set(secretFields);
  const walk = (v: unknown, secret: boolean): unknown => {
    if (Array.isArray(v)) return v.map((item) => walk(item, secret));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, secret || (names?.has(k) ?? false))]));
    }
    if (secret || (!names && (typeof v === 'string' || typeof v === 'number'))) return v === undefined || v === null ? v : maskSecret(v);
    return v;
  };
  return walk(value, false);
}
