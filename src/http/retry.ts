/** When and how long to wait before retrying a request. */
import type { RetryOptions } from './types.js';

export interface RetryPolicy {
  retries: number;
  statuses: number[];
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  onNetworkError: boolean;
}

export const DEFAULT_RETRY_STATUSES = [429, 500, 502, 503, 504];

export function retryPolicy(option: boolean | RetryOptions | undefined): RetryPolicy | undefined {
  if (!option) return undefined;
  const o = option === true ? {} : option;
  const retries = o.retries ?? 3;
  if (retries <= 0) return undefined;
  return {
    retries,
    statuses: o.statuses ?? DEFAULT_RETRY_STATUSES,
    baseDelayMs: o.baseDelayMs ?? 500,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    maxRetryAfterMs: o.maxRetryAfterMs ?? 60_000,
    onNetworkError: o.onNetworkError ?? false,
  };
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with jitter, for responses without Retry-After. `attempt` counts from 1. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.round(capped / 2 + Math.random() * (capped / 2));
}

/** Waits `ms`, ending early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
