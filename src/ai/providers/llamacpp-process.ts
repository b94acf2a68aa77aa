/**
 * The parent's side of the model host: starts llamacpp-host in a child process on first use, sends
 * it requests over IPC and routes replies back. When the child dies (llama.cpp aborting on a bad
 * file, the OOM killer), every pending request fails with what the child last wrote to stderr and
 * the next request starts a fresh child. An idle child does not keep the parent alive.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostReply, HostRequest } from './llamacpp-protocol.js';

type Outgoing = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  onChunk?: (text: string) => void;
  resolve(reply: Extract<HostReply, { type: 'result' }>): void;
  reject(error: HostFailure): void;
}

/** Why a host request failed: the host's own error, or the host process ending. */
export class HostFailure extends Error {
  constructor(
    readonly kind: 'load' | 'context_length' | 'bad_request' | 'cancelled' | 'internal' | 'crashed' | 'timeout',
    message: string,
  ) {
    super(message);
  }
}

const STDERR_TAIL_CHARS = 2000;
/** After a cancel, how long the host may take to stop before it is killed. */
const CANCEL_GRACE_MS = 3000;

function hostEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const typescript = here.endsWith('.ts');
  const path = join(dirname(here), `llamacpp-host${typescript ? '.ts' : '.js'}`);
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test') && !arg.startsWith('--input-type') && !arg.startsWith('--eval'));
  // Running from source (tests, tsx): the child needs the same TypeScript loader.
  if (typescript && !execArgv.some((arg) => arg.includes('tsx'))) execArgv.push('--import', 'tsx');
  return { path, execArgv };
}

export interface HostProcessOptions {
  /** false: CPU only; 'auto': a GPU when node-llama-cpp finds one. */
  gpu: boolean | 'auto';
  env?: NodeJS.ProcessEnv;
}

export class LlamaHostProcess {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderrTail = '';

  constructor(private readonly options: HostProcessOptions) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  private start(): ChildProcess {
    const entry = hostEntry();
    const child = fork(entry.path, [], {
      execArgv: entry.execArgv,
      env: { ...(this.options.env ?? process.env), SKYNETTE_LLAMA_GPU: this.options.gpu === false ? 'false' : 'auto' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    child.on('message', (message) => this.onReply(message as HostReply));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (error) => this.onExit(child, null, null, error));
    this.child = child;
    this.updateRef();
    return child;
  }

  private onReply(reply: HostReply): void {
    if (reply.type === 'ready') return;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'chunk') {
      pending.onChunk?.(reply.text);
      return;
    }
    this.pending.delete(reply.id);
    this.updateRef();
    if (reply.type === 'result') pending.resolve(reply);
    else pending.reject(new HostFailure(reply.kind, reply.message));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.child !== child) return;
    this.child = undefined;
    const how = error ? error.message : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const said = this.lastWords();
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new HostFailure('crashed', `the local model process ${how}${said ? `: ${said}` : ''}`));
    }
  }

  /** The most telling line of the child's stderr (llama.cpp's GGML_ASSERT, an exception). */
  private lastWords(): string {
    const lines = this.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
    const telling = lines.filter((l) => /GGML_ASSERT|error|failed|abort|exception/i.test(l));
    return (telling.length ? telling.slice(-2) : lines.slice(-2)).join(' | ').slice(0, 500);
  }

  /** Only a child with work to do keeps the parent's event loop alive. */
  private updateRef(): void {
    const child = this.child;
    if (!child) return;
    // The process, its IPC channel and its stderr pipe each hold the loop open on their own.
    const handles = [child.channel, child.stderr] as unknown as Array<{ ref?(): void; unref?(): void } | null | undefined>;
    if (this.pending.size > 0) {
      child.ref();
      for (const handle of handles) handle?.ref?.();
    } else {
      child.unref();
      for (const handle of handles) handle?.unref?.();
    }
  }

  request(message: Outgoing, signal: AbortSignal, onChunk?: (text: string) => void): Promise<Extract<HostReply, { type: 'result' }>> {
    if (signal.aborted) return Promise.reject(new HostFailure('cancelled', 'cancelled'));
    const child = this.child ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const settle = () => {
        settled = true;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        if (settled) return;
        settle();
        reject(new HostFailure('cancelled', 'cancelled'));
        // The entry stays until the host answers the cancel; a host stuck in native code (a huge
        // load) never does, so it is ended rather than left holding the model.
        try {
          child.send({ op: 'cancel', id: 0, target: id } satisfies HostRequest);
        } catch {
          // already gone
        }
        killTimer = setTimeout(() => {
          if (this.pending.has(id) && this.child === child) child.kill('SIGKILL');
        }, CANCEL_GRACE_MS);
        killTimer.unref();
      };
      this.pending.set(id, {
        onChunk: (text) => {
          if (!settled) onChunk?.(text);
        },
        resolve: (reply) => {
          if (killTimer) clearTimeout(killTimer);
          if (settled) return;
          settle();
          resolve(reply);
        },
        reject: (error) => {
          if (killTimer) clearTimeout(killTimer);
          if (settled) return;
          settle();
          reject(error);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.updateRef();
      try {
        child.send({ ...message, id } as HostRequest);
      } catch (error) {
        this.pending.delete(id);
        this.updateRef();
        settle();
        reject(new HostFailure('crashed', `the local model process cannot take requests (${(error as Error).message})`));
      }
    });
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new HostFailure('cancelled', 'the local model process was stopped'));
    }
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // An idle child is unref'd; waiting for its exit must keep the loop alive.
      child.ref();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 2000).unref();
    });
  }
}
