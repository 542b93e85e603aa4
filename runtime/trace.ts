// Copyright the denogo authors. MIT license.

/**
 * Trace recording in the Chrome trace event format, which Perfetto
 * (ui.perfetto.dev) and `chrome://tracing` load whole: one process per
 * runtime (its own `pid` and `process_name`), one thread per worker (and one
 * for the main thread). Each task is an async pair (`"b"` / `"e"`) from its
 * start to its end, tasks still running included (ended at the time of the
 * trace, `args.state` `"running"`); its synchronous part is a complete
 * event (`"X"`) on its worker's thread, and those never overlap. Steals and
 * spawns from another thread are flows (`"s"` / `"f"`).
 * {@linkcode traceToHtml} draws a trace as a page that opens anywhere.
 *
 * Workers write their records into the runtime's shared memory (no
 * messages); {@linkcode Runtime.trace} reads them. Each worker keeps at
 * most `trace` records (the `trace` option); later tasks are not recorded.
 *
 * @module
 */

export type { TraceEvent, TraceFile } from "../trace_event.ts";
