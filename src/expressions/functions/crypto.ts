import { createHash, randomUUID } from 'node:crypto';
import { fault } from '../fault.js';
import { checkTextLength, toText } from '../values.js';
import { defineFunctions } from './define.js';
import { text } from './coerce.js';

const HASH_ALGORITHMS = new Set(['md5', 'sha1', 'sha256', 'sha512']);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function digest(value: unknown, algorithm: string): string {
  return createHash(algorithm).update(toText(value), 'utf8').digest('hex');
}

export const cryptoFunctions = defineFunctions({
  uuid: {
    params: '',
    description: 'A new random UUID (version 4).',
    example: 'uuid() → "3b241101-e2bb-4255-8caf-4136c566a962"',
    call: () => randomUUID(),
  },
  hash: {
    params: 'value, algorithm="sha256"',
    description:
      'The hex digest of the value as UTF-8 text (lists and objects as JSON text). algorithm is "md5", "sha1", "sha256" or "sha512".',
    example: 'hash("abc") → "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"',
    call([value, algorithm]) {
      const name = text(algorithm, 'algorithm').toLowerCase();
      if (!HASH_ALGORITHMS.has(name)) fault(`does not know the algorithm ${JSON.stringify(name)}; use md5, sha1, sha256 or sha512`);
      return digest(value, name);
    },
  },
  md5: {
    params: 'value',
    description: 'The MD5 hex digest of the value as UTF-8 text (for checksums and legacy APIs, not for security).',
    example: 'md5("abc") → "900150983cd24fb0d6963f7d28e17f72"',
    call: ([value]) => digest(value, 'md5'),
  },
  base64_encode: {
    params: 'text',
    description: 'The UTF-8 bytes of the text in Base64.',
    example: 'base64_encode("hello") → "aGVsbG8="',
    call([value]) {
      const source = text(value, 'text');
      const bytes = Buffer.from(source, 'utf8');
      checkTextLength(Math.ceil(bytes.length / 3) * 4);
      return bytes.toString('base64');
    },
  },
  base64_decode: {
    params: 'text',
    description: 'Decodes Base64 (standard or URL-safe, padding optional) into UTF-8 text.',
    example: 'base64_decode("aGVsbG8=") → "hello"',
    call([value]) {
      const source = text(value, 'text').replace(/\s+/g, '');
      if (!BASE64.test(source) || source.length % 4 === 1) fault('cannot decode the text: it is not Base64');
      try {
        return utf8.decode(Buffer.from(source, 'base64'));
      } catch {
        fault('decoded the Base64, but the bytes are not UTF-8 text');
      }
    },
  },
});
