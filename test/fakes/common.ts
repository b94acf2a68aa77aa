/**
 * What the fake provider servers share: scripted faults (an error status with the provider's error
 * body, a 429 with Retry-After, an HTML error page, malformed JSON, a truncated stream, a hang, a
 * dropped connection, a stream that dies after its first token) and deterministic token counts.
 */
import type { ServerResponse } from 'node:http';
import type { RecordedRequest, ScriptedResponse } from '../helpers/http-server.js';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  | { kind: 'html'; status: number }
  | { kind: 'malformed' }
  | { kind: 'truncate' }
  | { kind: 'hang' }
  | { kind: 'destroy' }
  | { kind: 'fail_after_first_token' };

/** Faults for the next requests to an endpoint group, used in order. */
export class FaultQueue {
  private queue: Array<{ fault: Fault; path?: string }> = [];

  push(fault: Fault, options: { times?: number; path?: string } = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++) this.queue.push({ fault, path: options.path });
  }

  take(path: string): Fault | undefined {
    const index = this.queue.findIndex((entry) => !entry.path || entry.path === path);
    if (index < 0) return undefined;
    return this.queue.splice(index, 1)[0].fault;
  }

  clear(): void {
    this.queue = [];
  }

  get size(): number {
    return this.queue.length;
  }
}

export function countTokens(text: string): number {
  return text.trim() ? text.trim().split(/\s+/).length : 0;
}

export const HTML_ERROR_PAGE = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>';

/** Answers with a fault that needs no protocol knowledge; returns true when it did. */
export function answerGenericFault(fault: Fault, res: ServerResponse): ScriptedResponse | 'handled' | undefined {
  switch (fault.kind) {
    case 'html':
      return { status: fault.status, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE };
    case 'malformed':
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": "x", "choices": [ {"message": ' };
    case 'hang':
      // Never answers; the client's timeout must end the call.
      return 'handled';
    case 'destroy':
      res.socket?.destroy();
      return 'handled';
    default:
      return undefined;
  }
}

/** Checks done by every fake: a JSON body. Returns the parsed body or an error text. */
export function jsonBody(req: RecordedRequest): { ok: true; body: any } | { ok: false; error: string } {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('application/json')) return { ok: false, error: `content-type must be application/json, got "${type}"` };
  try {
    return { ok: true, body: req.json() };
  } catch {
    return { ok: false, error: 'the body is not valid JSON' };
  }
}

/** A deterministic unit-ish vector for a text, so embeddings tests can compare values. */
export function fakeVector(text: string, dimensions: number): number[] {
  const out: number[] = [];
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  for (let i = 0; i < dimensions; i++) {
    h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
    out.push(Math.round(((h / 4294967296) * 2 - 1) * 1e4) / 1e4);
  }
  return out;
}

/** A 1x1 transparent PNG. */
export const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
