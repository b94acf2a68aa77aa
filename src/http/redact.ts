/**
 * Keeps secrets out of error messages and logs: header values and query parameters whose name
 * suggests a secret, URL userinfo, and any known secret value that turns up in free text.
 */

export const REDACTED = '***';

// Matched anywhere in a lower-cased name: strong enough that a false positive is unlikely.
const SECRET_FRAGMENTS = ['token', 'secret', 'passw', 'apikey', 'api_key', 'api-key', 'authorization', 'cookie', 'credential', 'signature', 'session', 'private'];
// Matched as a whole word of the name (`x-api-key`, `apiKey`), so `keyword` or `author` stay visible.
const SECRET_WORDS = new Set(['key', 'auth', 'pwd', 'pass', 'sig', 'jwt', 'bearer', 'otp']);

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True for header or parameter names that usually carry a secret (Authorization, X-API-Key, access_token, ...). */
export function isSecretName(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_FRAGMENTS.some((fragment) => lower.includes(fragment))) return true;
  return nameWords(name).some((word) => SECRET_WORDS.has(word));
}

type HeaderInput = Headers | Record<string, unknown> | Array<[string, string]> | undefined | null;

function headerEntries(headers: HeaderInput): Array<[string, unknown]> {
  if (!headers) return [];
  if (headers instanceof Headers) return [...headers.entries()];
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers);
}

/** A copy of the headers safe to log: values of secret-looking headers become `***`. */
export function redactHeaders(headers: HeaderInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headerEntries(headers)) {
    if (value === undefined || value === null) continue;
    out[name] = isSecretName(name) ? REDACTED : String(value);
  }
  return out;
}

/**
 * The URL safe to show: userinfo removed, secret-looking query values replaced. Text that does not
 * parse as a URL is cleaned with patterns instead, so a typo never leaks a key either.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redactUrlText(String(url));
  }
  if (parsed.username || parsed.password) {
    parsed.username = REDACTED;
    parsed.password = '';
  }
  const names = [...new Set([...parsed.searchParams.keys()])];
  if (names.some(isSecretName)) {
    const kept = new URLSearchParams();
    for (const [name, value] of parsed.searchParams) kept.append(name, isSecretName(name) ? REDACTED : value);
    // URLSearchParams would percent-encode the asterisks; keep them readable.
    parsed.search = kept.toString().replace(/%2A/gi, '*');
  }
  return parsed.toString();
}

function redactUrlText(text: string): string {
  return text
    .replace(/(\/\/)[^/?#@\s]*@/g, `$1${REDACTED}@`)
    .replace(/([?&;])([^=&#\s]+)=([^&#\s]*)/g, (whole, sep: string, name: string) =>
      isSecretName(decodeSafe(name)) ? `${sep}${name}=${REDACTED}` : whole,
    );
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Secret values that appear in a request: values of secret-looking headers (and the credential
 * part of `Bearer x` / `Basic x`), secret-looking query values and URL userinfo.
 */
export function collectSecrets(url: string | URL | undefined, headers: HeaderInput, extra: Iterable<string> = []): string[] {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    // Very short values would blank out ordinary words of a message.
    if (trimmed.length >= 4) found.add(trimmed);
  };
  for (const value of extra) add(value);
  for (const [name, value] of headerEntries(headers)) {
    if (!isSecretName(name) || value === undefined || value === null) continue;
    const text = String(value);
    add(text);
    const scheme = /^\s*\S+\s+(\S.*)$/.exec(text);
    if (scheme) add(scheme[1]);
  }
  if (url !== undefined) {
    try {
      const parsed = new URL(String(url));
      add(decodeSafe(parsed.username));
      add(decodeSafe(parsed.password));
      add(parsed.password);
      for (const [name, value] of parsed.searchParams) if (isSecretName(name)) add(value);
      for (const name of parsed.searchParams.keys()) {
        if (!isSecretName(name)) continue;
        const raw = new RegExp(`[?&]${escapeRegExp(name)}=([^&#]*)`).exec(parsed.search);
        if (raw) add(raw[1]);
      }
    } catch {
      // an unparseable URL has nothing structured to collect; redactUrl cleans its text
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces every occurrence of each secret value in `text` with `***`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
