/**
 * Splits a document's text into chunks: a recursive splitter over separators (paragraphs, lines,
 * sentences, words, then characters), chunks of at most `size` with about `overlap` repeated from
 * the previous chunk, measured in characters or tokens. Markdown-aware mode splits at headings first
 * and gives every chunk its heading path. Chunks are spans of the original text, so each knows its
 * offsets and the segment (PDF page, CSV row) it starts in.
 */
import { SkynetteError } from '../util/errors.js';
import { DEFAULT_CHUNKING, type Chunk, type ChunkingSettings, type LoadedDocument, type TextSegment } from './types.js';

export interface ChunkerOptions {
  /** Counts tokens the way the embedding model does (token unit, and the model window check). */
  countTokens?: (text: string) => number;
  /** The model's window in tokens: a chunk longer than this is split further so nothing is cut off. */
  maxTokens?: number;
}

interface Span {
  start: number;
  end: number;
}

type Measure = (start: number, end: number) => number;

const SENTENCE_END = /[.!?。！？](?=\s)/g;

/** A word-level token count for token mode when there is no model tokenizer. */
export function approximateTokenCount(text: string): number {
  const matches = text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu);
  return matches ? matches.length : 0;
}

export function validateChunking(settings: Partial<ChunkingSettings>): ChunkingSettings {
  const merged = { ...DEFAULT_CHUNKING, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) } as ChunkingSettings;
  if (!Number.isInteger(merged.size) || merged.size < 16 || merged.size > 100_000) {
    throw new SkynetteError('CHUNKING_INVALID', `chunk size must be a whole number from 16 to 100000 (got ${merged.size})`, { path: 'chunking.size' });
  }
  if (!Number.isInteger(merged.overlap) || merged.overlap < 0 || merged.overlap >= merged.size) {
    throw new SkynetteError('CHUNKING_INVALID', `overlap must be a whole number from 0 to less than the chunk size ${merged.size} (got ${merged.overlap})`, { path: 'chunking.overlap' });
  }
  if (merged.unit !== 'characters' && merged.unit !== 'tokens') {
    throw new SkynetteError('CHUNKING_INVALID', `chunk unit must be characters or tokens (got ${String(merged.unit)})`, { path: 'chunking.unit' });
  }
  if (!['auto', 'on', 'off'].includes(merged.markdown)) {
    throw new SkynetteError('CHUNKING_INVALID', `markdown must be auto, on or off (got ${String(merged.markdown)})`, { path: 'chunking.markdown' });
  }
  return merged;
}

export function chunkDocument(doc: Pick<LoadedDocument, 'text' | 'format' | 'segments'>, settings: ChunkingSettings = DEFAULT_CHUNKING, options: ChunkerOptions = {}): Chunk[] {
  const text = doc.text;
  const countTokens = options.countTokens ?? approximateTokenCount;
  const measure: Measure = settings.unit === 'tokens' ? (s, e) => countTokens(text.slice(s, e)) : (s, e) => e - s;
  const markdown = settings.markdown === 'on' || (settings.markdown === 'auto' && doc.format === 'markdown');
  const sections = markdown ? markdownSections(text) : [{ start: 0, end: text.length, headings: [] as string[] }];
  const spans: Array<Span & { headings: string[] }> = [];
  for (const section of sections) {
    for (const span of splitSpan(text, section, settings.size, settings.overlap, measure)) spans.push({ ...span, headings: section.headings });
  }
  const fitted = options.maxTokens && options.countTokens ? fitWindow(text, spans, options.maxTokens, options.countTokens) : spans;
  const segments = doc.segments?.length ? [...doc.segments].sort((a, b) => a.start - b.start) : undefined;
  const chunks: Chunk[] = [];
  for (const span of fitted) {
    const trimmed = trimSpan(text, span);
    if (trimmed.end <= trimmed.start) continue;
    const metadata: Record<string, unknown> = { ...segmentAt(segments, trimmed.start) };
    if (span.headings.length) {
      metadata.headings = span.headings;
      metadata.heading_path = span.headings.join(' > ');
    }
    chunks.push({ position: chunks.length, text: text.slice(trimmed.start, trimmed.end), start: trimmed.start, end: trimmed.end, metadata });
  }
  return chunks;
}

/** Chunks longer than the model's window (in its own tokens) are split again by tokens. */
function fitWindow<T extends Span>(text: string, spans: T[], maxTokens: number, countTokens: (t: string) => number): T[] {
  const out: T[] = [];
  const measure: Measure = (s, e) => countTokens(text.slice(s, e));
  for (const span of spans) {
    if (countTokens(text.slice(span.start, span.end)) <= maxTokens) out.push(span);
    else for (const part of splitSpan(text, span, maxTokens, 0, measure)) out.push({ ...span, ...part });
  }
  return out;
}

function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

function segmentAt(segments: TextSegment[] | undefined, offset: number): Record<string, unknown> {
  if (!segments) return {};
  let found: TextSegment | undefined;
  for (const segment of segments) {
    if (segment.start > offset) break;
    found = segment;
  }
  return found ? { ...found.metadata } : {};
}

// ---- recursive splitting ----

type Separator = 'paragraph' | 'line' | 'sentence' | 'word' | 'character';
const SEPARATORS: Separator[] = ['paragraph', 'line', 'sentence', 'word', 'character'];

/** Cut points (offsets where a new piece starts) for one separator inside a span. */
function cutPoints(text: string, span: Span, separator: Separator): number[] {
  const slice = text.slice(span.start, span.end);
  const cuts: number[] = [];
  const collect = (regexp: RegExp) => {
    regexp.lastIndex = 0;
    for (let m = regexp.exec(slice); m; m = regexp.exec(slice)) {
      const at = span.start + m.index + m[0].length;
      if (at > span.start && at < span.end) cuts.push(at);
      if (m[0].length === 0) regexp.lastIndex++;
    }
  };
  switch (separator) {
    case 'paragraph':
      collect(/\n[ \t]*\n\s*/g);
      break;
    case 'line':
      collect(/\n/g);
      break;
    case 'sentence':
      collect(new RegExp(SENTENCE_END.source + '\\s+', 'g'));
      break;
    case 'word':
      collect(/\s+/g);
      break;
    case 'character':
      break;
  }
  return cuts;
}

/** Pieces that each fit in `size`, splitting with the coarsest separator that works. */
function atomicPieces(text: string, span: Span, size: number, measure: Measure, level = 0): Span[] {
  if (measure(span.start, span.end) <= size) return [span];
  for (let i = level; i < SEPARATORS.length; i++) {
    const separator = SEPARATORS[i];
    if (separator === 'character') return characterPieces(span, size, measure);
    const cuts = cutPoints(text, span, separator);
    if (!cuts.length) continue;
    const pieces: Span[] = [];
    let start = span.start;
    for (const cut of [...cuts, span.end]) {
      const piece = { start, end: cut };
      if (measure(piece.start, piece.end) <= size) pieces.push(piece);
      else pieces.push(...atomicPieces(text, piece, size, measure, i + 1));
      start = cut;
    }
    return pieces;
  }
  return [span];
}

function characterPieces(span: Span, size: number, measure: Measure): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  while (start < span.end) {
    // Largest end with measure <= size; characters measure 1 each, tokens at most 1 per character.
    let low = start + 1;
    let high = Math.min(span.end, start + Math.max(1, size * 8));
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (measure(start, mid) <= size) low = mid;
      else high = mid - 1;
    }
    pieces.push({ start, end: low });
    start = low;
  }
  return pieces;
}

/** Where the overlap of a chunk ending at `end` begins: a sentence start if one fits, else a word start. */
function overlapStart(text: string, chunk: Span, overlap: number, measure: Measure): number {
  if (overlap <= 0) return chunk.end;
  let best = chunk.end;
  let bestSentence = -1;
  // Walk word boundaries backwards while the tail still fits in the overlap.
  for (let i = chunk.end - 1; i > chunk.start; i--) {
    if (!/\s/.test(text[i - 1]) || /\s/.test(text[i])) continue;
    if (measure(i, chunk.end) > overlap) break;
    best = i;
    if (/[.!?。！？]\s*$/.test(text.slice(Math.max(chunk.start, i - 3), i))) bestSentence = i;
  }
  return bestSentence >= 0 ? bestSentence : best;
}

export function splitSpan(text: string, span: Span, size: number, overlap: number, measure: Measure): Span[] {
  const pieces = atomicPieces(text, span, size, measure);
  const chunks: Span[] = [];
  let current: Span | undefined;
  for (const piece of pieces) {
    if (!current) {
      current = { ...piece };
      continue;
    }
    if (measure(current.start, piece.end) <= size) {
      current.end = piece.end;
      continue;
    }
    chunks.push(current);
    let start = overlapStart(text, current, overlap, measure);
    // The overlap gives way when it and the next piece do not fit together.
    if (start < piece.start && measure(start, piece.end) > size) start = piece.start;
    current = { start: Math.min(start, piece.start), end: piece.end };
  }
  if (current) chunks.push(current);
  return chunks;
}

// ---- Markdown sections ----

interface Section extends Span {
  headings: string[];
}

/** Sections that start at each ATX heading (`#`..`######`) outside fenced code blocks. */
export function markdownSections(text: string): Section[] {
  const sections: Section[] = [];
  const stack: Array<{ level: number; title: string }> = [];
  let fence: string | undefined;
  let sectionStart = 0;
  let headings: string[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      if (!fence) fence = fenceMatch[1][0];
      else if (fenceMatch[1][0] === fence) fence = undefined;
      continue;
    }
    if (fence) continue;
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    if (lineStart > sectionStart) sections.push({ start: sectionStart, end: lineStart, headings });
    const level = heading[1].length;
    while (stack.length && stack[stack.length - 1].level >= level) stack.pop();
    stack.push({ level, title: heading[2] });
    headings = stack.map((h) => h.title);
    sectionStart = lineStart;
  }
  if (text.length > sectionStart) sections.push({ start: sectionStart, end: text.length, headings });
  // A heading with nothing under it before the next heading is no chunk of its own: its title
  // still reaches the chunks below it through their heading path.
  return sections.filter((s) => text.slice(s.start, s.end).replace(/^\s{0,3}#{1,6}\s+.*$/m, '').trim());
}
