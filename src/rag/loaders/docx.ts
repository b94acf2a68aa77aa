/**
 * DOCX through mammoth: converted to HTML (so Word headings become `#` headings and keep their
 * path), then to readable text.
 */
import mammoth from 'mammoth';
import { SkynetteError, errorMessage } from '../../util/errors.js';
import { htmlToReadableText } from './html.js';

export async function extractDocxText(bytes: Uint8Array, source: string): Promise<{ text: string; title?: string }> {
  let html: string;
  try {
    const result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    html = result.value;
  } catch (error) {
    throw new SkynetteError('DOCX_CORRUPT', `${source} is not a readable DOCX file (${errorMessage(error)}); it may be damaged, or an old .doc file renamed (save it as .docx)`, {
      path: source,
      cause: error,
    });
  }
  const readable = htmlToReadableText(`<body>${html}</body>`);
  return { text: readable.text, title: readable.title };
}
