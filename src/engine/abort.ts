/**
 * Running a node so that cancellation and timeouts win even over a node that ignores its signal.
 */
import { SkynetteError } from '../util/errors.js';

/** The piece of a node context whose signal a timeout replaces. */
export interface SignalHolder {
  signal: AbortSignal;
}

export async function runWithAbort<T>(
  work: () => Promise<T> | T,
  executionSignal: AbortSignal,
  timeoutMs: number | undefined,
  holder: SignalHolder,
): Promise<T> {
  if (executionSignal.aborted) throw executionSignal.reason;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined && timeoutMs > 0) {
    controller = new AbortController();
    holder.signal = AbortSignal.any([executionSignal, controller.signal]);
  }
  const signal = holder.signal;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    if (controller) {
      timer = setTimeout(
        () => controller!.abort(new SkynetteError('NODE_TIMEOUT', `the node took longer than its timeout of ${timeoutMs} ms (config.timeout_ms)`)),
        timeoutMs,
      );
    }
  });
  try {
    const pending = work();
    if (!(pending instanceof Promise)) return pending;
    return await Promise.race([pending, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
    if (timer) clearTimeout(timer);
    // The race above leaves `aborted` unsettled on success; it is dropped with this call.
    aborted.catch(() => {});
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
