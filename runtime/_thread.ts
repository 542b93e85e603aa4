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
 * why Deno takes `node:worker_threads` too.
 *
 * The entry is spelt `new Worker(new URL("./_worker_main.<ext>",
 * import.meta.url), ...)`, the form bundlers (Vite, webpack) detect and the
 * one a bundler that does not (esbuild) leaves for the user to serve:
 *
 * | this module's URL ends in | entry |
 * | --- | --- |
 * | `.ts` (the source: Deno, `deno compile`) | `./_worker_main.ts` |
 * | anything else (the npm build, a JSR npm package, a bundle) | `./_worker_main.js` |
 *
 * so a bundle whose output sits beside an output `_worker_main.js` (built
 * from `runtime/_worker_main.ts` as a second entry point, with code
 * splitting so that both share the library's module instances) finds it.
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

/** Whether this module runs from its TypeScript source (see the table). */
const fromSource = /\.ts$/.test(new URL(import.meta.url).pathname);

/** Starts the runtime worker named `name`. */
export function startThread(name: string): Thread {
  if (threads !== undefined) {
    const Worker = threads.Worker;
    return fromSource
      ? new Worker(new URL("./_worker_main.ts", import.meta.url), { name })
      : new Worker(new URL("./_worker_main.js", import.meta.url), { name });
  }
  return new WebThread(
    fromSource
      ? new Worker(new URL("./_worker_main.ts", import.meta.url), {
        type: "module",
        name,
      })
      : new Worker(new URL("./_worker_main.js", import.meta.url), {
        type: "module",
        name,
      }),
  );
}
