/**
 * Runs untrusted JavaScript in a QuickJS WebAssembly sandbox.
 *
 * The guest has only the ECMAScript builtins, a captured `console`, and the globals it is given
 * as JSON: no host objects, no `require`, `process`, `fetch`, timers, file system or network.
 * Data crosses the boundary only as JSON text. Each run gets a fresh runtime and context with a
 * memory limit (see quickjs-module.ts), a stack limit and a CPU deadline enforced by the
 * interrupt handler.
 *
 * The guest runs synchronously on the calling thread (there is no host I/O to wait for, so
 * `await` inside the code only chains microtasks, which are drained here), so the CPU deadline is
 * what bounds how long the event loop is held.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import { SkynetteError } from '../util/errors.js';
import { ConsoleCapture, DEFAULT_CONSOLE_LIMITS, type ConsoleLimits, type SandboxLogLine } from './console-capture.js';
import { GUEST_PRELUDE, USER_CODE_FILENAME, USER_CODE_PREFIX, USER_CODE_SUFFIX } from './guest-prelude.js';
import { afterRun, atMemoryCeiling, discardSandboxModule, loadSandboxModule, maxCopyInBytes } from './quickjs-module.js';

export type { SandboxLogLine, SandboxLogLevel } from './console-capture.js';

export interface SandboxRunOptions {
  /** A function body: `return $prev.a + 1`. May use `await`. */
  code: string;
  /** Globals for the guest, copied in as JSON (undefined members are left out). */
  globals?: Record<string, unknown>;
  /** CPU time the code may take, in ms (default 5000). */
  timeLimitMs?: number;
  /** Memory the guest runtime may allocate, in MB (default 64). */
  memoryLimitMb?: number;
  /**
   * Guest stack, in KB (default 192, about 1,000 nested calls). QuickJS's own check must trip
   * before Node's native stack (about 984 KB, shared with the WebAssembly frames) runs out.
   */
  maxStackKb?: number;
  /** Largest result, as characters of JSON (default 16 MB). */
  maxOutputChars?: number;
  console?: ConsoleLimits;
  /** Stops the run when aborted. */
  signal?: AbortSignal;
}

export interface SandboxResult {
  value: unknown;
  logs: SandboxLogLine[];
}

export const SANDBOX_DEFAULTS = {
  timeLimitMs: 5000,
  memoryLimitMb: 64,
  maxStackKb: 192,
  maxOutputChars: 16 * 1024 * 1024,
} as const;

/** Why the interrupt handler stopped the guest. */
type StopReason = 'time' | 'abort';

interface GuestError {
  name: string;
  message: string;
  thrownNull?: boolean;
  line?: number;
  column?: number;
}

export async function runSandboxedCode(options: SandboxRunOptions): Promise<SandboxResult> {
  const timeLimitMs = options.timeLimitMs ?? SANDBOX_DEFAULTS.timeLimitMs;
  const memoryLimitMb = options.memoryLimitMb ?? SANDBOX_DEFAULTS.memoryLimitMb;
  const maxStackKb = options.maxStackKb ?? SANDBOX_DEFAULTS.maxStackKb;
  const maxOutputChars = options.maxOutputChars ?? SANDBOX_DEFAULTS.maxOutputChars;
  const signal = options.signal;

  const globalsJson = globalsToJson(options.globals ?? {});
  checkCopyInSize(options.code, globalsJson, memoryLimitMb);
  throwIfAborted(signal);
  const module = await loadSandboxModule(memoryLimitMb);
  throwIfAborted(signal);

  const capture = new ConsoleCapture(options.console ?? DEFAULT_CONSOLE_LIMITS);
  let runtime: QuickJSRuntime | undefined;
  let vm: QuickJSContext | undefined;
  let stopReason: StopReason | undefined;
  let poisoned = false;
  const handles: QuickJSHandle[] = [];
  const keep = (handle: QuickJSHandle): QuickJSHandle => {
    handles.push(handle);
    return handle;
  };

  try {
    runtime = module.quickjs.newRuntime();
    runtime.setMemoryLimit(memoryLimitMb * 1024 * 1024);
    runtime.setMaxStackSize(maxStackKb * 1024);
    const deadline = performance.now() + timeLimitMs;
    runtime.setInterruptHandler(() => {
      if (signal?.aborted) stopReason = 'abort';
      else if (performance.now() > deadline) stopReason = 'time';
      return stopReason !== undefined;
    });
    vm = runtime.newContext();
    const context = vm;

    const hostLog = keep(
      context.newFunction('hostLog', (levelHandle, textHandle) => {
        const level = context.typeof(levelHandle) === 'string' ? context.getString(levelHandle) : 'info';
        const text = context.typeof(textHandle) === 'string' ? context.getString(textHandle) : '';
        return capture.write(level, text) ? context.true : context.false;
      }),
    );

    const fail = (stage: Stage) => (errorHandle: QuickJSHandle): never => {
      keep(errorHandle);
      const outOfMemory = atMemoryCeiling(module);
      throw toSandboxError(stage, context, errorHandle, stopReason, outOfMemory, { timeLimitMs, memoryLimitMb });
    };

    const prelude = evalOrFail(context, GUEST_PRELUDE, 'prelude.js', fail('setup'), keep);
    const globalsText = keep(context.newString(globalsJson));
    const serialise = callOrFail(context, prelude, [hostLog, globalsText], fail('setup'), keep);

    const userFunction = evalOrFail(
      context,
      `${USER_CODE_PREFIX}${options.code}${USER_CODE_SUFFIX}`,
      USER_CODE_FILENAME,
      fail('compile'),
      keep,
    );
    const promise = callOrFail(context, userFunction, [], fail('run'), keep);

    // The user function is async: drain the microtask queue until its promise settles.
    while (runtime.hasPendingJob()) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) fail('run')(jobs.error);
      throwIfStopped(stopReason, timeLimitMs);
    }
    throwIfStopped(stopReason, timeLimitMs);

    const state = context.getPromiseState(promise);
    if (state.type === 'pending') {
      throw new SkynetteError(
        'CODE_NEVER_FINISHED',
        'the code awaited a promise that never settles (the sandbox has no timers or I/O to wait for)',
      );
    }
    if (state.type === 'rejected') fail('run')(state.error);
    const resultHandle = state.type === 'fulfilled' && !state.notAPromise ? keep(state.value) : promise;

    const textHandle = callOrFail(context, serialise, [resultHandle], fail('result'), keep);
    const text = context.getString(textHandle);
    return { value: parseResult(text, maxOutputChars), logs: capture.result() };
  } catch (error) {
    if (error instanceof SkynetteError) throw withLogs(error, capture);
    // Anything else escaped from inside the WebAssembly code, which may have stopped half-way
    // through changing its own memory: never touch this module again.
    poisoned = true;
    discardSandboxModule(module);
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw withLogs(new SkynetteError('CODE_STACK_OVERFLOW', 'code recursed too deeply: stack overflow'), capture);
    }
    throw withLogs(
      new SkynetteError('SANDBOX_FAILED', `the code sandbox failed: ${errorText(error)}`, { cause: error }),
      capture,
    );
  } finally {
    if (!poisoned) {
      if (release(handles, vm, runtime)) afterRun(module);
      else discardSandboxModule(module);
    }
  }
}

type Stage = 'setup' | 'compile' | 'run' | 'result';

function evalOrFail(
  vm: QuickJSContext,
  source: string,
  filename: string,
  fail: (error: QuickJSHandle) => never,
  keep: (handle: QuickJSHandle) => QuickJSHandle,
): QuickJSHandle {
  const result = vm.evalCode(source, filename, { type: 'global' });
  if (result.error) return fail(result.error);
  return keep(result.value);
}

function callOrFail(
  vm: QuickJSContext,
  fn: QuickJSHandle,
  args: QuickJSHandle[],
  fail: (error: QuickJSHandle) => never,
  keep: (handle: QuickJSHandle) => QuickJSHandle,
): QuickJSHandle {
  const result = vm.callFunction(fn, vm.undefined, args);
  if (result.error) return fail(result.error);
  return keep(result.value);
}

/** Text copied into the guest is not checked against its memory, so it must fit with room to spare. */
function checkCopyInSize(code: string, globalsJson: string, memoryLimitMb: number): void {
  const bytes = Buffer.byteLength(code, 'utf8') + Buffer.byteLength(globalsJson, 'utf8');
  if (bytes > maxCopyInBytes(memoryLimitMb)) {
    throw new SkynetteError(
      'CODE_MEMORY_LIMIT',
      `the code and the data it reads ($prev, $vars, ...) take ${(bytes / 1024 / 1024).toFixed(1)} MB as text, too much for ` +
        `its memory limit of ${memoryLimitMb} MB (raise memory_limit_mb, or pass it less data)`,
    );
  }
}

function globalsToJson(globals: Record<string, unknown>): string {
  try {
    return JSON.stringify(globals, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch (error) {
    throw new SkynetteError('CODE_INPUT_NOT_JSON', `the data given to the code cannot be copied into the sandbox as JSON: ${errorText(error)}`);
  }
}

function parseResult(text: string, maxOutputChars: number): unknown {
  if (text.startsWith('!')) {
    const kind = text.slice(1);
    throw new SkynetteError(
      'CODE_BAD_RESULT',
      `the code returned a ${kind}; return JSON data instead (an object, list, text, number, true/false or null)` +
        (kind === 'bigint' ? ', e.g. String(value) or Number(value)' : ''),
    );
  }
  if (text.length > maxOutputChars) {
    throw new SkynetteError(
      'CODE_OUTPUT_TOO_LARGE',
      `the code returned ${text.length} characters of JSON, more than the limit of ${maxOutputChars}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SkynetteError('CODE_BAD_RESULT', `the code's return value could not be read as JSON: ${errorText(error)}`);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SkynetteError('CODE_ABORTED', 'the code was stopped: the execution was cancelled or timed out');
}

function throwIfStopped(reason: StopReason | undefined, timeLimitMs: number): void {
  if (reason === 'time') throw timeLimitError(timeLimitMs);
  if (reason === 'abort') throw new SkynetteError('CODE_ABORTED', 'the code was stopped: the execution was cancelled or timed out');
}

function timeLimitError(timeLimitMs: number): SkynetteError {
  return new SkynetteError(
    'CODE_TIME_LIMIT',
    `code ran longer than ${timeLimitMs} ms and was stopped (raise time_limit_ms if it needs longer)`,
  );
}

function toSandboxError(
  stage: Stage,
  vm: QuickJSContext,
  errorHandle: QuickJSHandle,
  stopReason: StopReason | undefined,
  atCeiling: boolean,
  limits: { timeLimitMs: number; memoryLimitMb: number },
): SkynetteError {
  if (stopReason) {
    try {
      throwIfStopped(stopReason, limits.timeLimitMs);
    } catch (error) {
      return error as SkynetteError;
    }
  }
  const guest = readGuestError(vm, errorHandle);
  const where = guest.line !== undefined ? ` at line ${guest.line}${guest.column !== undefined ? `, column ${guest.column}` : ''}` : '';
  const details = { name: guest.name, line: guest.line, column: guest.column };

  // When QuickJS cannot even allocate the error object it throws null instead.
  if (isOutOfMemory(guest) || (atCeiling && guest.thrownNull)) {
    if (stage === 'setup') {
      return new SkynetteError(
        'CODE_MEMORY_LIMIT',
        `the data the code reads ($prev, $vars, ...) does not fit in its memory limit of ${limits.memoryLimitMb} MB (raise memory_limit_mb)`,
        { details },
      );
    }
    return new SkynetteError(
      'CODE_MEMORY_LIMIT',
      `code used more than its memory limit of ${limits.memoryLimitMb} MB${where} (raise memory_limit_mb if it needs more)`,
      { details },
    );
  }
  if (/stack overflow/i.test(guest.message) && stage === 'setup') {
    return new SkynetteError('CODE_STACK_OVERFLOW', 'the data the code reads ($prev, $vars, ...) is nested too deeply', { details });
  }
  if (/stack overflow/i.test(guest.message)) {
    return new SkynetteError('CODE_STACK_OVERFLOW', `code recursed too deeply: stack overflow${where}`, { details });
  }
  if (stage === 'compile' && guest.name === 'SyntaxError') {
    return new SkynetteError('CODE_SYNTAX_ERROR', `syntax error in code${where}: ${guest.message}`, { details });
  }
  if (stage === 'setup') {
    return new SkynetteError('SANDBOX_FAILED', `the code sandbox could not be prepared: ${guest.name}: ${guest.message}`, { details });
  }
  if (stage === 'result') {
    return new SkynetteError('CODE_BAD_RESULT', `the code's return value cannot be turned into JSON: ${guest.message}`, { details });
  }
  const prefix = guest.name && guest.name !== 'Error' ? `${guest.name}: ` : '';
  return new SkynetteError('CODE_ERROR', `code threw${where}: ${prefix}${guest.message}`, { details });
}

function isOutOfMemory(guest: GuestError): boolean {
  return /out of memory/i.test(guest.message) || (guest.name === 'InternalError' && /memory/i.test(guest.message));
}

/** Reads name, message and position from a guest error using property reads only (no guest calls). */
function readGuestError(vm: QuickJSContext, handle: QuickJSHandle): GuestError {
  const kind = vm.typeof(handle);
  if (kind !== 'object') return { name: '', message: primitiveText(vm, handle, kind) };
  if (isNullHandle(vm, handle)) return { name: '', message: 'null', thrownNull: true };
  const name = readStringProp(vm, handle, 'name') ?? '';
  const message = readStringProp(vm, handle, 'message') ?? 'a value that is not an Error was thrown (throw new Error("…") to give a message)';
  const stack = readStringProp(vm, handle, 'stack') ?? '';
  let line: number | undefined;
  let column: number | undefined;
  const frame = new RegExp(`${USER_CODE_FILENAME.replace('.', '\\.')}:(\\d+)(?::(\\d+))?`).exec(stack);
  if (frame) {
    line = Number(frame[1]);
    if (frame[2] !== undefined) {
      column = Number(frame[2]);
      // The wrapper's prefix shares the first line with the user's code.
      if (line === 1) column = Math.max(1, column - USER_CODE_PREFIX.length);
    }
  } else {
    const lineNumber = readNumberProp(vm, handle, 'lineNumber');
    if (lineNumber !== undefined) line = lineNumber;
  }
  return { name, message, line, column };
}

function isNullHandle(vm: QuickJSContext, handle: QuickJSHandle): boolean {
  return vm.sameValue(handle, vm.null);
}

function primitiveText(vm: QuickJSContext, handle: QuickJSHandle, kind: string): string {
  switch (kind) {
    case 'string':
      return vm.getString(handle);
    case 'number':
      return String(vm.getNumber(handle));
    case 'bigint':
      return `${vm.getBigInt(handle)}n`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(vm.sameValue(handle, vm.true));
    default:
      return `a ${kind} was thrown`;
  }
}

function readStringProp(vm: QuickJSContext, handle: QuickJSHandle, key: string): string | undefined {
  try {
    const value = vm.getProp(handle, key);
    try {
      return vm.typeof(value) === 'string' ? vm.getString(value) : undefined;
    } finally {
      value.dispose();
    }
  } catch {
    return undefined;
  }
}

function readNumberProp(vm: QuickJSContext, handle: QuickJSHandle, key: string): number | undefined {
  try {
    const value = vm.getProp(handle, key);
    try {
      return vm.typeof(value) === 'number' ? vm.getNumber(value) : undefined;
    } finally {
      value.dispose();
    }
  } catch {
    return undefined;
  }
}

function withLogs(error: SkynetteError, capture: ConsoleCapture): SkynetteError {
  // The console lines written before a failure help explain it; callers can log them.
  Object.defineProperty(error, 'logs', { value: capture.result(), enumerable: false });
  return error;
}

/** The console lines a failed run wrote before it failed (see withLogs). */
export function logsOfFailedRun(error: unknown): SandboxLogLine[] {
  if (error && typeof error === 'object' && 'logs' in error && Array.isArray((error as { logs: unknown }).logs)) {
    return (error as { logs: SandboxLogLine[] }).logs;
  }
  return [];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Frees the run's handles, context and runtime; false when the WebAssembly side failed doing so. */
function release(handles: QuickJSHandle[], vm: QuickJSContext | undefined, runtime: QuickJSRuntime | undefined): boolean {
  try {
    for (let i = handles.length - 1; i >= 0; i--) {
      const handle = handles[i];
      if (handle.alive) handle.dispose();
    }
    vm?.dispose();
    runtime?.dispose();
    return true;
  } catch {
    return false;
  }
}
