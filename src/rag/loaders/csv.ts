/**
 * CSV and TSV: each record becomes one line of `column: value` pairs, so a chunk holds whole rows
 * that still say what each value is, and knows the row it starts at.
 */
import { SkynetteError } from '../../util/errors.js';
import type { TextSegment } from '../types.js';

/** RFC 4180 records: quoted fields may hold the delimiter, quotes ("") and newlines. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let fieldText = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          fieldText += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      fieldText += ch;
      i++;
      continue;
    }
    if (ch === '"' && fieldText === '') {
      quoted = true;
      i++;
    } else if (ch === delimiter) {
      record.push(fieldText);
      fieldText = '';
      i++;
    } else if (ch === '\n' || ch === '\r') {
      record.push(fieldText);
      records.push(record);
      record = [];
      fieldText = '';
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      fieldText += ch;
      i++;
    }
  }
  if (fieldText !== '' || record.length) {
    record.push(fieldText);
    records.push(record);
  }
  return records.filter((r) => r.length > 1 || r[0].trim() !== '');
}

export function csvToText(raw: string, source: string, delimiter: string): { text: string; rows: number; columns: string[]; segments: TextSegment[] } {
  const records = parseCsv(raw, delimiter);
  if (records.length === 0) return { text: '', rows: 0, columns: [], segments: [] };
  const header = records[0].map((h, i) => h.trim() || `column_${i + 1}`);
  const lines: string[] = [];
  const segments: TextSegment[] = [];
  let offset = 0;
  for (let r = 1; r < records.length; r++) {
    const record = records[r];
    if (record.length > header.length + 1 && r < 3) {
      throw new SkynetteError('CSV_INVALID', `${source}: row ${r + 1} has ${record.length} fields but the header has ${header.length}; check the delimiter and quoting`, { path: source });
    }
    const line = record
      .map((value, i) => [header[i] ?? `column_${i + 1}`, value.trim()] as const)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `${name}: ${value.replace(/\s+/g, ' ')}`)
      .join('; ');
    if (!line) continue;
    if (lines.length) offset += 1;
    segments.push({ start: offset, metadata: { row: r + 1 } });
    lines.push(line);
    offset += line.length;
  }
  return { text: lines.join('\n'), rows: records.length - 1, columns: header, segments };
}
