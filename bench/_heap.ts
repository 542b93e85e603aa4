// Copyright the denogo authors. MIT license.

/**
 * Heap readings for the memory benches (`memory.ts`, and the leak benches
 * `select_leak.ts` and `abort_leak.ts`):
 * `heapUsed` after two macrotask turns and, when the process runs with
 * `--v8-flags=--expose-gc`, a full collection after each; and the loop
 * that runs an operation many times between two readings.
 *
 * @module
 */

/** V8's `gc()`, when exposed. */
export const gc = (globalThis as { gc?: () => void }).gc;

/** Resolves after one macrotask turn (a `setTimeout` of 0). */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** This isolate's `heapUsed`, read once pending finalizers and timers ran. */
async function heapUsed(): Promise<number> {
  await macrotask();
  gc?.();
  await macrotask();
  gc?.();
  return Deno.memoryUsage().heapUsed;
}

/** What {@linkcode heapPerOp} measured. */
export interface HeapPerOp {
  /** `heapUsed` growth per operation, in bytes, to one decimal. */
  bytesPerOp: number;
  /** Buffers registered by the measured operations and collected by the end. */
  collected: number;
}

/**
 * Runs `op` 1,000 times to warm up, then `count` times between two heap
 * readings. Each measured run gets `track`, to register the buffers it made
 * and count those collected by the end.
 */
export async function heapPerOp(
  count: number,
  op: (track: ((buffer: SharedArrayBuffer) => void) | null) => Promise<void>,
): Promise<HeapPerOp> {
  let collected = 0;
  const registry = new FinalizationRegistry(() => collected++);
  const track = (buffer: SharedArrayBuffer) => registry.register(buffer, 0);
  // Warm up, so the code and the maps are in place before the first reading.
  for (let i = 0; i < 1_000; i++) await op(null);
  const before = await heapUsed();
  for (let i = 0; i < count; i++) {
    await op(track);
    if (i % 1_000 === 999) await macrotask();
    // A fresh growable buffer reserves its maxBytes (1 GiB) of address
    // space and two memory mappings, which V8's GC does not count: 100,000
    // dropped ones can use them up before a GC frees them.
    if (i % 10_000 === 9_999) gc?.();
  }
  const after = await heapUsed();
  await macrotask();
  return {
    bytesPerOp: Math.round((after - before) / count * 10) / 10,
    collected,
  };
}
