/**
 * Include/exclude globs for folder walks (Node 20 has no fs.glob): `*` within a path segment,
 * `**` across segments, `?`, `[abc]`, `{a,b}`. Patterns without a slash match the file name at
 * any depth (`*.md`), as .gitignore does.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let glob = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!glob.includes('/')) glob = `**/${glob}`;
  if (glob.endsWith('/')) glob += '**';
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = glob[i + 2] === '/' || i + 2 === glob.length;
        if (atStart && atEnd) {
          out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
          i += glob[i + 2] === '/' ? 2 : 1;
          continue;
        }
        out += '[^/]*';
        i++;
        continue;
      }
      out += '[^/]*';
    } else if (ch === '?') {
      out += '[^/]';
    } else if (ch === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        out += `[${glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (ch === '{') {
      const close = glob.indexOf('}', i + 1);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else {
      out += escape(ch);
    }
  }
  const regexp = new RegExp(`^${out}$`, 'i');
  cache.set(pattern, regexp);
  return regexp;
}

function escape(text: string): string {
  return text.replace(/[.+^$()|\\/]/g, (c) => (c === '/' ? '/' : `\\${c}`));
}

/** `relativePath` uses forward slashes, relative to the folder being walked. */
export function matchesAny(relativePath: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(relativePath));
}
