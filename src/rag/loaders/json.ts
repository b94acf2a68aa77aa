/**
 * JSON and JSON Lines: flattened to `path: value` lines (`items[0].name: Widget`) so keyword search
 * finds values with their keys; each element of a top-level list is its own paragraph and segment.
 */
import { SkynetteError } from '../../util/errors.js';
import type { TextSegment } from '../types.js';

export function jsonToText(raw: string, source: string, lines: boolean): { text: string; segments: TextSegment[]; records: number } {
  let values: unknown[];
  let topLevelList = false;
  if (lines) {
    values = [];
    raw.split('\n').forEach((line, index) => {
      if (!line.trim()) return;
      try {
        values.push(JSON.parse(line));
      } catch (error) {
        throw new SkynetteError('JSON_INVALID', `${source}: line ${index + 1} is not valid JSON (${(error as Error).message})`, { path: source });
      }
    });
    topLevelList = true;
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new SkynetteError('JSON_INVALID', `${source} is not valid JSON: ${(error as Error).message}`, { path: source });
    }
    topLevelList = Array.isArray(parsed);
    values = topLevelList ? (parsed as unknown[]) : [parsed];
  }
  const blocks: string[] = [];
  const segments: TextSegment[] = [];
  let offset = 0;
  values.forEach((value, index) => {
    const out: string[] = [];
    flatten(value, topLevelList ? `[${index}]` : '', out);
    const block = out.join('\n');
    if (!block) return;
    if (blocks.length) offset += 2;
    segments.push({ start: offset, metadata: topLevelList ? { record: index } : {} });
    blocks.push(block);
    offset += block.length;
  });
  return { text: blocks.join('\n\n'), segments, records: values.length };
}

function flatten(value: unknown, path: string, out: string[]): void {
  if (value === null || typeof value !== 'object') {
    if (value === null || value === '') return;
    out.push(path ? `${path}: ${String(value).replace(/\s+/g, ' ')}` : String(value));
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => flatten(item, `${path}[${i}]`, out));
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) flatten(item, path ? `${path}.${key}` : key, out);
}
