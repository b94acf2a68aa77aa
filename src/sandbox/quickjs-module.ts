/**
 * QuickJS WebAssembly modules for the sandbox, one per memory limit, reused across runs.
 *
 * Why the memory limit lives here: this QuickJS build cannot measure its allocations
 * (malloc_usable_size is missing), so `runtime.setMemoryLimit` only counts allocations and lets
 * large strings and buffers through. The hard limit is instead the WebAssembly memory itself,
 * created with a `maximum`: when it is full, malloc fails and QuickJS throws "out of memory".
 * Runs on one module never overlap (a run is synchronous once started), each run frees its
 * runtime, so every run gets the whole heap.
 */
import { newQuickJSWASMModule, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';

const MB = 1024 * 1024;
const PAGE = 64 * 1024;
/** The build's memory before its heap: static data plus a 5 MB C stack (its stack pointer starts at 5.09 MB). */
const RESERVED_BYTES = 6 * MB;
/** The build asks for at least this much memory (its INITIAL_MEMORY). */
const MIN_PAGES = 256;
/** A module whose memory grew beyond this is dropped after its run, so one big run does not pin that memory. */
const KEEP_MEMORY_BYTES = 160 * MB;
/** Modules kept for different memory limits at once. */
const MAX_CACHED_MODULES = 4;

export interface SandboxModule {
  readonly quickjs: QuickJSWASMModule;
  readonly memory: WebAssembly.Memory;
  /** The most memory the module can have. */
  readonly maxBytes: number;
}

interface Slot {
  promise: Promise<SandboxModule>;
  module?: SandboxModule;
}

const cache = new Map<number, Slot>();
const discarded = new WeakSet<SandboxModule>();

async function createModule(memoryLimitMb: number): Promise<SandboxModule> {
  const maxPages = Math.max(MIN_PAGES, Math.ceil((memoryLimitMb * MB + RESERVED_BYTES) / PAGE));
  const memory = new WebAssembly.Memory({ initial: MIN_PAGES, maximum: maxPages });
  const quickjs = await newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory: memory }));
  return { quickjs, memory, maxBytes: maxPages * PAGE };
}

function newSlot(memoryLimitMb: number): Slot {
  const slot: Slot = { promise: createModule(memoryLimitMb) };
  slot.promise.then(
    (module) => {
      slot.module = module;
    },
    () => {
      // A failed load must not stick: the next run tries again.
      if (cache.get(memoryLimitMb) === slot) cache.delete(memoryLimitMb);
    },
  );
  return slot;
}

/** The module for this memory limit; never one that was discarded while this call waited for it. */
export async function loadSandboxModule(memoryLimitMb: number): Promise<SandboxModule> {
  for (;;) {
    let slot = cache.get(memoryLimitMb);
    if (!slot || (slot.module && discarded.has(slot.module))) slot = newSlot(memoryLimitMb);
    // Most recently used last, so the oldest is evicted first.
    cache.delete(memoryLimitMb);
    cache.set(memoryLimitMb, slot);
    while (cache.size > MAX_CACHED_MODULES) cache.delete(cache.keys().next().value as number);
    const module = await slot.promise;
    if (!discarded.has(module)) return module;
  }
}

/**
 * Drops a module whose WebAssembly state can no longer be trusted (a trap, or the host stack
 * running out in the middle of guest code), or that holds too much memory. The next run loads a
 * fresh one; the garbage collector reclaims this one once nothing refers to it.
 */
export function discardSandboxModule(module: SandboxModule): void {
  discarded.add(module);
  for (const [limit, slot] of cache) if (slot.module === module) cache.delete(limit);
}

/** After a run: let go of a module that grew large rather than keep its memory for good. */
export function afterRun(module: SandboxModule): void {
  if (module.memory.buffer.byteLength > KEEP_MEMORY_BYTES) discardSandboxModule(module);
}

/** True when the module's memory is (nearly) at its maximum: a failed allocation was out of memory. */
export function atMemoryCeiling(module: SandboxModule): boolean {
  return module.memory.buffer.byteLength >= module.maxBytes - MB;
}

/** The largest text that may be copied into the guest in one piece (the copy is not checked by QuickJS). */
export function maxCopyInBytes(memoryLimitMb: number): number {
  return Math.floor((memoryLimitMb * MB) / 3);
}
