// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Starting one runtime worker on whatever the platform offers:
 *
 * | platform | worker |
 * | --- | --- |
 * | Deno 2, Node ≥ 20, Bun | `node:worker_threads` (read through `process.getBuiltinModule`, not imported, so a browser bundle has no `node:` import) |
 * | browsers (cross-origin isolated) | the global `Worker`, `{ type: "module" }`, wrapped to the same events |
 *
 * A `node:worker_threads` worker, once terminated, does not keep the process
 * alive even while its code still loops; a Web Worker in Deno does, which is
 * why Deno takes `node:worker_threads` too. Both branches spell the entry as
 * `new Worker(new URL("./_worker_main.ts", import.meta.url), ...)`, the form
 * bundlers (esbuild, Vite, webpack) detect; `scripts/build_npm.ts` rewrites
 * the `.ts` to `.js` so that the worker and the user's code load the same
 * module files.
 *
 * @module
 */

import { builtin } from "../workers/_builtin.ts";

/** The part of a worker the pool uses. */
export interface Thread {
  on(event: "message", listener: (data: never) => void): unknown;
  on(event: "error", listener: (error: unknown) => void): unknown;
  on(event: "exit", listener: (code: number) => void): unknown;
  postMessage(message: unknown, transfer?: unknown[]): void;
  terminate(): Promise<unknown>;
}

interface Threads {
  Worker: new (url: URL, options: { name: string }) => Thread;
}

const threads = builtin<Threads>("node:worker_threads");

/** A Web Worker with the events of a `node:worker_threads` worker. */
class WebThread implements Thread {
  #worker: Worker;
  #exit: ((code: number) => void)[] = [];

  constructor(worker: Worker) {
    this.#worker = worker;
  }

  on(event: string, listener: (value: never) => void): this {
    const w = this.#worker;
    if (event === "message") {
      w.addEventListener("message", (e) => listener(e.data as never));
    } else if (event === "error") {
      w.addEventListener("error", (e) => {
        e.preventDefault();
        listener((e.error ?? new Error(e.message)) as never);
      });
    } else if (event === "exit") {
      this.#exit.push(listener as (code: number) => void);
    }
    return this;
  }

  postMessage(message: unknown, transfer: unknown[] = []): void {
    this.#worker.postMessage(message, transfer as Transferable[]);
  }

  terminate(): Promise<unknown> {
    this.#worker.terminate();
    for (const listener of this.#exit.splice(0)) listener(1);
    return Promise.resolve();
  }
}

/** Starts the runtime worker named `name`. */
export function startThread(name: string): Thread {
  if (threads !== undefined) {
    const Worker = threads.Worker;
    return new Worker(new URL("./_worker_main.ts", import.meta.url), { name });
  }
  return new WebThread(
    new Worker(new URL("./_worker_main.ts", import.meta.url), {
      type: "module",
      name,
    }),
  );
}
