/**
 * HTML to readable text: the main content (a <main> or <article> when the page has one) without
 * scripts, styles, navigation or forms; headings become `#` lines so Markdown-aware chunking keeps
 * the heading path; paragraphs, list items and table rows become lines.
 */
import { parse, NodeType, type HTMLElement, type Node } from 'node-html-parser';

const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'head', 'nav', 'form', 'button', 'select', 'input', 'textarea']);
const BLOCKS = new Set([
  'p', 'div', 'section', 'article', 'main', 'header', 'footer', 'aside', 'blockquote', 'pre', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'figure', 'figcaption', 'address', 'details', 'summary', 'hr',
]);

export interface ReadableHtml {
  title?: string;
  text: string;
}

export function htmlToReadableText(html: string): ReadableHtml {
  const root = parse(html, { comment: false, blockTextElements: { script: true, style: true, pre: true, noscript: true } });
  const title = decodeEntities(root.querySelector("title")?.rawText ?? "").trim() || decodeEntities(root.querySelector("h1")?.rawText ?? "").trim() || undefined;
  const content = root.querySelector('main') ?? root.querySelector('article') ?? root.querySelector('body') ?? root;
  const out: string[] = [];
  walk(content, out, false);
  const text = out
    .join('')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title: title ? collapse(title) : undefined, text };
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function walk(node: Node, out: string[], inPre: boolean): void {
  if (node.nodeType === NodeType.TEXT_NODE) {
    const raw = decodeEntities(node.rawText);
    out.push(inPre ? raw : raw.replace(/\s+/g, ' '));
    return;
  }
  if (node.nodeType !== NodeType.ELEMENT_NODE) return;
  const element = node as HTMLElement;
  const tag = element.tagName?.toLowerCase() ?? '';
  if (DROPPED.has(tag) || element.getAttribute('aria-hidden') === 'true' || element.hasAttribute('hidden')) return;
  const heading = /^h([1-6])$/.exec(tag);
  if (heading) {
    const text = collapse(decodeEntities(element.rawText));
    if (text) out.push(`\n\n${'#'.repeat(Number(heading[1]))} ${text}\n\n`);
    return;
  }
  if (tag === 'br') {
    out.push('\n');
    return;
  }
  const block = BLOCKS.has(tag);
  if (block) out.push(tag === 'li' || tag === 'tr' || tag === 'dt' || tag === 'dd' ? '\n' : '\n\n');
  if (tag === 'li') out.push('- ');
  for (const child of element.childNodes) walk(child, out, inPre || tag === 'pre');
  if (tag === 'td' || tag === 'th') out.push(' | ');
  // List items and rows start their own line; the list or table around them ends the block.
  if (block && !['li', 'tr', 'dt', 'dd'].includes(tag)) out.push('\n\n');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}
