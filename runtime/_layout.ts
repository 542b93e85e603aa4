// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The shared memory of one {@linkcode Runtime}: a single
 * `SharedArrayBuffer` that the main thread and every worker map, as
 * `Int32Array` and `Float64Array` views. Everything the scheduler needs to
 * agree on lives here; nothing crosses `postMessage` after start-up.
 *
 * "Owners" are the P workers (indices `0 .. P-1`) and the main thread
 * (index `P`). Each owner spawns tasks into slots from its own range, and
 * is the only one that allocates or frees them.
 *
 * ## Header (Int32 words from 0)
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `H_STATE` | 0 running, 1 closed: workers exit their loops |
 * | 1 | `H_NPARKED` | workers parked (or about to park) |
 * | 2 | `H_NSPINNING` | workers spinning in search of work |
 * | 3 | `H_GHEAD` | global queue head (consumers CAS it forward; `_global_queue.ts`) |
 * | 4 | `H_GTAIL` | global queue tail (written by the main thread only) |
 * | 5 | `H_REG_LOCK` | spin lock for appending to the function registry (`_registry.ts`) |
 * | 6 | `H_REG_COUNT` | registered functions (published after the entry) |
 * | 7 | `H_REG_BYTES` | bytes used in the registry's string area |
 * | 8 | `H_HEAP_LOCK` | spin lock of the payload heap (`_heap.ts`) |
 * | 9 | `H_HEAP_BUMP` | bytes of the payload heap handed out so far |
 * | 12..31 | `H_HEAP_FREE` | per size class (256 B << c), the first free block + 1 (0 = none) |
 *
 * Float64 header word `F_T0` (bytes 160..167) is the runtime's start time
 * (`performance.timeOrigin + performance.now()`, ms), the trace's zero.
 *
 * ## Owner blocks (`OWNER_WORDS` Int32 words per owner, P + 1 of them)
 *
 * | word | name | meaning |
 * | --- | --- | --- |
 * | 0 | `O_TOP` | Chase-Lev deque top: thieves CAS it forward (workers only; `_deque.ts`) |
 * | 1 | `O_BOTTOM` | deque bottom: written by the owner only |
 * | 2 | `O_WAKE` | sequence word the owner sleeps on; bumped by anyone who gives it work or a completion (`_wake.ts`; a completion for the main thread bumps it only while `O_WAITING` is set) |
 * | 3 | `O_WAITING` | 1 while the owner sleeps (or is about to) on `O_WAKE`; set by the owner, cleared by the owner or by the first waker, which notifies once per sleep |
 * | 4 | `O_CHEAD` | completion queue head: owner only (`_completions.ts`) |
 * | 5 | `O_CTAIL` | completion queue tail: producers `Atomics.add` it to reserve an entry |
 * | 6 | `O_CANCEL` | bumped when a task this worker runs should be cancelled |
 * | 7 | `O_PARKED` | 1 while the worker is in the parked set (cleared by its waker) |
 * | 8 | `O_RUN` | tasks started (statistics; `Atomics.add` by the worker: a terminated worker still running and its replacement share the word) |
 * | 9 | `O_DONE` | tasks finished (the same, and `Atomics.add` by the main thread for a dead worker's reaped tasks) |
 * | 10 | `O_STEALS` | tasks this worker stole from another's deque |
 * | 11 | `O_PARKS` | times this worker parked |
 * | 12 | `O_TRACE_N` | trace events written |
 * | 13 | `O_SPINNING` | 1 while this worker is counted in `H_NSPINNING` |
 * | 14 | `O_GEN` | generation of the worker at this index: the main thread bumps it before it reaps a dead worker's tasks and starts a replacement; a processor whose generation is stale touches nothing more |
 *
 * Float64 words per owner (`OWNER_F64S`): 0 busy time in ms (time spent
 * running task code, written by the worker only).
 *
 * ## Arrays
 *
 * - Deques: P × `dequeCapacity` Int32 entries (slot ids).
 * - Global queue: `mainSlots` Int32 entries (slot ids); it can never
 *   overflow because only main-thread tasks enter it.
 * - Completion queues, one per owner, each as long as the owner's slot
 *   range (so it cannot overflow): entries are slot id + 1, 0 = not yet
 *   written (`_completions.ts`).
 * - Slots: `SLOT_WORDS` Int32 words each, aligned to 64 bytes, numbered
 *   from 0: each worker's range, then the main thread's (`_slot.ts`).
 * - Registry: `REG_MAX` pairs (offset, length) then `REG_BYTES` of UTF-8
 *   (`_registry.ts`).
 * - Payload heap: `heapBytes` bytes for arguments and results too large
 *   for a slot (`_heap.ts`).
 * - Trace: P × `traceEvents` records of 7 Float64 (`_trace.ts`; start ms, duration ms,
 *   function id, slot id, how it ended), when tracing is on.
 *
 * @module
 */

export const H_STATE = 0;
export const H_NPARKED = 1;
export const H_NSPINNING = 2;
export const H_GHEAD = 3;
export const H_GTAIL = 4;
export const H_REG_LOCK = 5;
export const H_REG_COUNT = 6;
export const H_REG_BYTES = 7;
export const H_HEAP_LOCK = 8;
export const H_HEAP_BUMP = 9;
export const H_HEAP_FREE = 12;
/** Size classes of the payload heap: 256 B << c for c < HEAP_CLASSES. */
export const HEAP_CLASSES = 20;
export const HEADER_WORDS = 48;
export const F_T0 = 20; // Float64 index of the start time (byte 160).

export const O_TOP = 0;
export const O_BOTTOM = 1;
export const O_WAKE = 2;
export const O_WAITING = 3;
export const O_CHEAD = 4;
export const O_CTAIL = 5;
export const O_CANCEL = 6;
export const O_PARKED = 7;
export const O_RUN = 8;
export const O_DONE = 9;
export const O_STEALS = 10;
export const O_PARKS = 11;
export const O_TRACE_N = 12;
export const O_SPINNING = 13;
export const O_GEN = 14;
export const OWNER_WORDS = 16;
export const OWNER_F64S = 2;

/** Int32 words per task slot (256 bytes). */
export const SLOT_WORDS = 64;
/** Most registered task functions. */
export const REG_MAX = 4096;
/** Bytes for registered function names. */
export const REG_BYTES = 256 * 1024;
/** Float64 words per trace record (`_trace.ts`). */
export const TRACE_RECORD = 7;
/** The function id of a trace record that notes a steal (`_trace.ts`). */
export const STEAL_RECORD = -1;
/** How a traced task ended (`_trace.ts`, Float64 6 of its record). */
export const ENDED_OK = 1;
export const ENDED_FAILED = 2;
/** It failed after its cancellation was requested. */
export const ENDED_CANCELLED = 3;
/** Its worker died or was replaced while it ran. */
export const ENDED_CRASHED = 4;
/** Cancelled while queued: it never ran. */
export const ENDED_UNRUN = 5;

/** Sizes a runtime was started with; posted to every worker. */
export interface LayoutConfig {
  /** Workers (P). */
  procs: number;
  /** Slots owned by the main thread (a power of two). */
  mainSlots: number;
  /** Slots owned by each worker (a power of two). */
  workerSlots: number;
  /** Entries per worker deque (a power of two). */
  dequeCapacity: number;
  /** Trace records per worker; 0 when tracing is off. */
  traceEvents: number;
  /** Bytes of the payload heap (a multiple of 8). */
  heapBytes: number;
}

/** Word offsets of every region, computed from a {@linkcode LayoutConfig}. */
export interface Layout extends LayoutConfig {
  /** Int32 index of owner `i`'s block: `owners + i * OWNER_WORDS`. */
  owners: number;
  /** Float64 index of owner statistics. */
  ownerF64: number;
  /** Int32 index of worker `i`'s deque entries: `deques + i * dequeCapacity`. */
  deques: number;
  /** Int32 index of the global queue entries. */
  global: number;
  /** Int32 index of each owner's completion queue entries. */
  completions: number[];
  /** Int32 index of slot 0. */
  slots: number;
  /** First slot id of each owner's range. */
  slotBase: number[];
  /** Slots in each owner's range. */
  slotCount: number[];
  /** Int32 index of the registry table. */
  regTable: number;
  /** Byte offset of the registry string area. */
  regBytes: number;
  /** Byte offset of the payload heap. */
  heap: number;
  /** Float64 index of the trace records. */
  trace: number;
  /** Total bytes. */
  byteLength: number;
}

/** Computes the layout for `config`. */
export function layoutFor(config: LayoutConfig): Layout {
  const { procs, mainSlots, workerSlots, dequeCapacity, traceEvents } = config;
  const heapBytes = config.heapBytes;
  let at = HEADER_WORDS;
  const owners = at;
  at += (procs + 1) * OWNER_WORDS;
  const ownerF64 = at / 2; // at is even
  at += (procs + 1) * OWNER_F64S * 2;
  const deques = at;
  at += procs * dequeCapacity;
  const global = at;
  at += mainSlots;
  const slotCount: number[] = [];
  for (let i = 0; i < procs; i++) slotCount.push(workerSlots);
  slotCount.push(mainSlots);
  const completions: number[] = [];
  for (let i = 0; i <= procs; i++) {
    completions.push(at);
    at += slotCount[i];
  }
  at = (at + 15) & ~15; // align slots to 64 bytes
  const slots = at;
  const slotBase: number[] = [];
  let id = 0;
  for (let i = 0; i <= procs; i++) {
    slotBase.push(id);
    id += slotCount[i];
  }
  at += id * SLOT_WORDS;
  const regTable = at;
  at += REG_MAX * 2;
  const regBytes = at * 4;
  at += REG_BYTES / 4;
  at = (at + 1) & ~1;
  const heap = at * 4;
  at += heapBytes / 4;
  at = (at + 1) & ~1;
  const trace = at / 2;
  at += procs * traceEvents * TRACE_RECORD * 2;
  return {
    ...config,
    owners,
    ownerF64,
    deques,
    global,
    completions,
    slots,
    slotBase,
    slotCount,
    regTable,
    regBytes,
    heap,
    trace,
    byteLength: at * 4,
  };
}

/** The views every thread uses on the runtime's memory. */
export interface Memory {
  /** The buffer. */
  sab: SharedArrayBuffer;
  /** Int32 view of the whole buffer. */
  i32: Int32Array;
  /** Float64 view of the whole buffer. */
  f64: Float64Array;
  /** Byte view of the whole buffer. */
  u8: Uint8Array;
  /** Where everything is. */
  layout: Layout;
}

/** Maps `sab` with `layout`. */
export function memoryOf(sab: SharedArrayBuffer, layout: Layout): Memory {
  return {
    sab,
    i32: new Int32Array(sab),
    f64: new Float64Array(sab),
    u8: new Uint8Array(sab),
    layout,
  };
}

/** This thread's `performance.timeOrigin`, read once (its getter is not free). */
const ORIGIN = performance.timeOrigin;

/** The current time in ms on a clock every thread shares. */
export function now(): number {
  return ORIGIN + performance.now();
}
