/**
 * A process-wide list of secret values (every secret the vault decrypts is added), and a function
 * that blanks them out of any text before it is logged, stored or shown.
 */

export const REDACTED = '***';
/** Shorter values would blank out ordinary words. */
export const MIN_SECRET_LENGTH = 6;
// Bounded so a long-running server that decrypts many credentials does not grow without end.
const MAX_REMEMBERED = 5000;

const remembered = new Set<string>();
let pattern: RegExp | null = null;

function add(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || remembered.has(value)) return;
  remembered.add(value);
  if (remembered.size > MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string);
  pattern = null;
}

/** Remembers a secret, with the forms it takes inside a URL and inside JSON text. */
export function rememberSecret(value: unknown): void {
  if (typeof value !== 'string') return;
  add(value);
  add(value.trim());
  add(encodeURIComponent(value));
  add(JSON.stringify(value).slice(1, -1));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every remembered secret replaced by `***`. */
export function redactSecrets(text: string): string {
  if (remembered.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  // Longest first, so a secret that contains another is replaced whole.
  pattern ??= new RegExp(
    [...remembered]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return text.replace(pattern, REDACTED);
}

/** For tests, and for a process that switches vaults. */
export function forgetSecrets(): void {
  remembered.clear();
  pattern = null;
}

export function rememberedSecretCount(): number {
  return remembered.size;
}
