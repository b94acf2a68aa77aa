/** The shapes shared by loaders, the chunker, embedders, stores and the knowledge-base service. */

/** What a loader makes of one file or URL: readable text plus where its parts came from. */
export interface LoadedDocument {
  /** File path (absolute) or URL: the document's identity inside a knowledge base. */
  source: string;
  title: string;
  /** The loader that read it: text, markdown, html, pdf, docx, csv, json. */
  type: DocumentType;
  text: string;
  /** `markdown` when the text uses `#` headings (Markdown, HTML and DOCX loaders). */
  format: 'plain' | 'markdown';
  /** sha256 (hex) of the raw bytes: an unchanged document is recognised before it is parsed. */
  contentHash: string;
  sizeBytes: number;
  /** Document-level metadata (pages, rows, author...). */
  metadata: Record<string, unknown>;
  /** Parts of the text with their own metadata (a PDF page, a CSV row), by start offset. */
  segments?: TextSegment[];
}

export type DocumentType = 'text' | 'markdown' | 'html' | 'pdf' | 'docx' | 'csv' | 'json';

export interface TextSegment {
  start: number;
  metadata: Record<string, unknown>;
}

export interface ChunkingSettings {
  /** Largest chunk, in `unit`s (default 1000). */
  size: number;
  /** How much of the previous chunk a chunk repeats (default 200). */
  overlap: number;
  /** `characters` (default) or `tokens` (the model's tokenizer, or a word-level count without one). */
  unit: 'characters' | 'tokens';
  /** `auto` (default): Markdown-aware for Markdown, HTML and DOCX documents. */
  markdown: 'auto' | 'on' | 'off';
}

export const DEFAULT_CHUNKING: ChunkingSettings = { size: 1000, overlap: 200, unit: 'characters', markdown: 'auto' };

export interface Chunk {
  /** 0-based order within the document. */
  position: number;
  text: string;
  /** Character offsets of the chunk in the document's text. */
  start: number;
  end: number;
  /** heading_path/headings (Markdown), page (PDF), row (CSV), ... */
  metadata: Record<string, unknown>;
}

export type SearchMode = 'hybrid' | 'vector' | 'keyword';

/** Equality per key (`{type: 'pdf'}`), or any of a list (`{type: ['pdf', 'docx']}`). */
export type MetadataFilter = Record<string, string | number | boolean | Array<string | number | boolean>>;

export interface SearchHit {
  chunk_id: number;
  text: string;
  document: { id: string; source: string; title: string; type: string };
  position: number;
  /** Hybrid: the RRF score; vector: cosine similarity; keyword: BM25 relevance (higher is better). */
  score: number;
  /** Which index found it. */
  found_by: Array<'vector' | 'keyword'>;
  vector?: { rank: number; similarity: number };
  keyword?: { rank: number; score: number };
  metadata: Record<string, unknown>;
}

export interface SearchResult {
  knowledge_base: string;
  query: string;
  /** The mode asked for. */
  mode: SearchMode;
  /** The indexes actually used (a knowledge base without a model has keyword only). */
  used: Array<'vector' | 'keyword'>;
  k: number;
  hits: SearchHit[];
  /** Said when the search could not be what was asked (no embedding model: keyword only). */
  notice?: string;
  took_ms: number;
}
