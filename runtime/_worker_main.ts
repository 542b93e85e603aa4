// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The entry point of every runtime worker. The main thread posts one
 * message, `{ sab, layout, index }`; the worker maps the shared memory,
 * installs its processor for `spawn()` / `taskSignal()`, replies
 * `{ type: "ready" }` and runs the scheduler loop until the runtime closes.
 *
 * A task that calls `self.close()` ends its worker: the worker first posts
 * `{ type: "exit" }` so the main thread can fail (or re-run) the tasks it
 * was running and start a replacement. An uncaught error reaches the main
 * thread as the worker's `error` event, which does the same.
 *
 * @module
 */

import { type Layout, memoryOf } from "./_layout.ts";
import { Processor } from "./_processor.ts";
import { installProcessor } from "./spawn.ts";

interface Init {
  sab: SharedArrayBuffer;
  layout: Layout;
  index: number;
}

const scope = globalThis as unknown as {
  close(): void;
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<Init>) => void) | null;
};

const close = scope.close.bind(scope);
scope.close = () => {
  scope.postMessage({ type: "exit" });
  close();
};

scope.onmessage = (event: MessageEvent<Init>) => {
  scope.onmessage = null;
  const { sab, layout, index } = event.data;
  const processor = new Processor(memoryOf(sab, layout), index);
  installProcessor(processor);
  scope.postMessage({ type: "ready" });
  processor.run().catch((error) => {
    // A bug in the scheduler itself: surface it like a crash.
    queueMicrotask(() => {
      throw error;
    });
  });
};
