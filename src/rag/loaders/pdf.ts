/**
 * PDF text through pdf.js (its legacy build runs on Node). Each page becomes a segment, so chunks
 * know their page. Encrypted and damaged files, and scans without a text layer, fail with a
 * message saying which.
 */
import { SkynetteError, errorMessage } from '../../util/errors.js';
import type { TextSegment } from '../types.js';

export interface PdfText {
  text: string;
  title?: string;
  pages: number;
  segments: TextSegment[];
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjs: Promise<PdfJs> | undefined;

function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

interface TextItemLike {
  str?: string;
  hasEOL?: boolean;
}

export async function extractPdfText(bytes: Uint8Array, source: string): Promise<PdfText> {
  const { getDocument } = await loadPdfJs();
  // pdf.js takes ownership of (and detaches) the buffer it is given.
  const task = getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0, stopAtErrors: false });
  let document;
  try {
    document = await task.promise;
  } catch (error) {
    await task.destroy().catch(() => {});
    throw pdfError(error, source);
  }
  try {
    const parts: string[] = [];
    const segments: TextSegment[] = [];
    let offset = 0;
    for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
      const page = await document.getPage(pageNumber);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items as TextItemLike[]) {
        if (typeof item.str !== 'string') continue;
        pageText += item.str + (item.hasEOL ? '\n' : '');
      }
      page.cleanup();
      pageText = pageText.replace(/[ \t]+\n/g, '\n').trim();
      if (!pageText) continue;
      if (parts.length) offset += 2;
      segments.push({ start: offset, metadata: { page: pageNumber } });
      parts.push(pageText);
      offset += pageText.length;
    }
    let title: string | undefined;
    try {
      const meta = await document.getMetadata();
      const info = meta.info as { Title?: unknown } | undefined;
      if (typeof info?.Title === 'string' && info.Title.trim()) title = info.Title.trim();
    } catch {
      // A PDF without readable metadata still has its text.
    }
    const text = parts.join('\n\n');
    if (!text.trim()) {
      throw new SkynetteError(
        'PDF_NO_TEXT',
        `${source} has no text layer (${document.numPages} page${document.numPages === 1 ? '' : 's'} of images, probably a scan); run it through OCR first, Skynette does not read text from images`,
        { path: source },
      );
    }
    return { text, title, pages: document.numPages, segments };
  } catch (error) {
    if (error instanceof SkynetteError) throw error;
    throw pdfError(error, source);
  } finally {
    await document.destroy().catch(() => {});
  }
}

function pdfError(error: unknown, source: string): SkynetteError {
  const name = (error as { name?: string })?.name ?? '';
  const message = errorMessage(error);
  if (name === 'PasswordException' || /password/i.test(message)) {
    return new SkynetteError('PDF_ENCRYPTED', `${source} is encrypted (password-protected); save an unprotected copy and add that instead`, { path: source, cause: error });
  }
  return new SkynetteError('PDF_CORRUPT', `${source} is not a readable PDF (${message}); the file may be damaged or truncated`, { path: source, cause: error });
}
