/** Plain text and Markdown: UTF-8 (with or without BOM), refusing binary data dressed as text. */
import { SkynetteError } from '../../util/errors.js';

const SNIFF_BYTES = 8192;

/** Decodes UTF-8 text, or throws DOCUMENT_BINARY naming what gave the binary away. */
export function decodeUtf8Text(bytes: Uint8Array, source: string): string {
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (head.includes(0)) {
    throw new SkynetteError('DOCUMENT_BINARY', `${source} looks like a binary file (it contains NUL bytes), not text; rename it to its real type or leave it out`, {
      path: source,
    });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Latin-1 text is common in old files; binary data is not. Tell them apart by control characters.
    const controls = countControlCharacters(head);
    if (controls > head.length * 0.01) {
      throw new SkynetteError('DOCUMENT_BINARY', `${source} looks like a binary file (it is not valid UTF-8 and has ${controls} control bytes in its first ${head.length}), not text`, {
        path: source,
      });
    }
    text = new TextDecoder('latin1').decode(bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.replace(/\r\n?/g, '\n');
}

function countControlCharacters(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) count++;
  return count;
}

/** The first `# heading` of a Markdown text, for a title. */
export function markdownTitle(text: string): string | undefined {
  const match = /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(text);
  return match?.[1];
}
