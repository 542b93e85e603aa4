// Copyright the denogo authors. MIT license.

/**
 * Heap readings for the leak benches (`select_leak.ts`, `abort_leak.ts`):
 * `heapUsed` after two macrotask turns and, when the process runs with
 * `--v8-flags=--expose-gc`, a full collection after each.
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
export async function heapUsed(): Promise<number> {
  await macrotask();
  gc?.();
  await macrotask();
  gc?.();
  return Deno.memoryUsage().heapUsed;
}
