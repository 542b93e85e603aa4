// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The entry point of every runtime worker (a `node:worker_threads` worker,
 * a Web Worker in browsers:
 * unlike a Web Worker in Deno, once terminated it does not keep the
 * process alive, even while its code still loops). The main thread posts one
 * message, `{ sab, layout, index, gen, hub, retirement }`; the worker
 * adopts its retirement (`workers/retirement.ts`), maps the shared memory, installs its buffer hub (`_buffer_hub.ts`) and its processor for `spawn()` / `taskSignal()`, replies
 * `{ type: "ready" }` and runs the scheduler loop until the runtime closes.
 *
 * A task that calls `self.close()`, or an error or rejection that no
 * handler catches, ends its worker: the worker first posts
 * `{ type: "exit", reason }` so the main thread can name the cause when it
 * fails (or re-runs) the tasks the worker was running and starts a
 * replacement. Any other end (`process.exit()`) reaches the main thread as
 * the worker's `error` or `exit` event, which does the same.
 *
 * @module
 */

import { type Layout, memoryOf } from "./_layout.ts";
import { Processor } from "./_processor.ts";
import { installProcessor } from "./spawn.ts";
import { builtin } from "../workers/_builtin.ts";
import { installHub } from "../workers/_buffer_ids.ts";
import { type HubInit, PortHub } from "./_buffer_hub.ts";
import { Retirement, type RetirementHandle } from "../workers/retirement.ts";

interface Init {
  sab: SharedArrayBuffer;
  layout: Layout;
  index: number;
  gen: number;
  hub?: HubInit;
  retirement: RetirementHandle;
}

interface Port {
  postMessage(message: unknown): void;
  on(event: "message", listener: (data: Init) => void): unknown;
}

/**
 * The port to the main thread: `node:worker_threads`' `parentPort`, or (in
 * a browser's Web Worker) the worker scope itself.
 */
const port: Port = builtin<{ parentPort: Port | null }>("node:worker_threads")
  ?.parentPort ?? {
  postMessage: (message) =>
    (globalThis as unknown as Port).postMessage(message),
  on: (_, listener) =>
    addEventListener("message", (e) => listener((e as MessageEvent).data)),
};
const scope = globalThis as unknown as { close?(): void };
// Bun's worker_threads workers have no `close`: ending is `process.exit`.
const close = scope.close?.bind(scope) ??
  (() => (globalThis as { process?: { exit(): void } }).process?.exit());
scope.close = () => {
  port.postMessage({ type: "exit", reason: "the worker called self.close()" });
  close();
};

/**
 * An error that escaped every handler ends the worker as a crash: the main
 * thread hears why (and fails or re-runs its tasks) and nothing is printed
 * here, since the caller receives it as a `WorkerCrashedError`.
 */
function crash(error: unknown): void {
  const reason = error instanceof Error
    ? `uncaught ${error.name}: ${error.message}`
    : `uncaught ${String(error)}`;
  port.postMessage({ type: "exit", reason });
  close();
}
if (typeof addEventListener === "function") {
  addEventListener("error", (event) => {
    event.preventDefault();
    crash(event.error ?? event.message);
  });
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    crash(event.reason);
  });
} else {
  // Node: no event target global.
  const proc = (globalThis as {
    process: { on(event: string, listener: (e: unknown) => void): void };
  }).process;
  proc.on("uncaughtException", crash);
  proc.on("unhandledRejection", crash);
}

// `on`, not `once`: the listening port keeps the worker alive while its
// loop awaits (a node worker with nothing pending would exit).
let started = false;
port.on("message", ({ sab, layout, index, gen, hub, retirement }: Init) => {
  if (started) return;
  started = true;
  // Once the runtime terminates this worker, its code takes nothing more.
  Retirement.from(retirement).adopt();
  if (hub !== undefined) installHub(PortHub.forWorker(hub));
  const processor = new Processor(memoryOf(sab, layout), index, gen);
  installProcessor(processor);
  port.postMessage({ type: "ready" });
  processor.run().catch((error) => {
    // A bug in the scheduler itself: surface it like a crash.
    queueMicrotask(() => {
      throw error;
    });
  });
});
