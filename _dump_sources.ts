// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * More goroutines for the `SIGQUIT` dump: a multi-worker runtime adds its
 * tasks here while it is open, so that {@linkcode dumpOnSignal} prints them
 * after this thread's goroutines, as Go prints every goroutine of the
 * program. Tier 1 knows nothing of the runtime: the runtime registers.
 *
 * @module
 */

/** Returns a titled dump section, or "" when it has nothing to show. */
export type DumpSource = () => string;

const sources = new Set<DumpSource>();

/** Adds `source` to the dump until the returned function is called. */
export function addDumpSource(source: DumpSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** Every non-empty section of the registered sources, in order. */
export function extraDumps(): string[] {
  const out: string[] = [];
  for (const source of sources) {
    const text = source();
    if (text !== "") out.push(text);
  }
  return out;
}
