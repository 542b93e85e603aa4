// Copyright the denogo authors. MIT license.
// Starts a fixture worker that runs one job at a time; `using` terminates it.

import assert from "node:assert/strict";

/** A fixture worker: `run` posts one job and resolves with its result. */
export interface Fixture<J> extends Disposable {
  run(job: J): Promise<unknown>;
  readonly worker: Worker;
}

/** Starts the fixture module `url` in a worker. */
export function spawn<J>(url: URL): Fixture<J> {
  const worker = new Worker(url.href, { type: "module" });
  let pending: PromiseWithResolvers<unknown> | undefined;
  worker.onmessage = (e) => {
    const p = pending!;
    pending = undefined;
    if (e.data.ok) p.resolve(e.data.result);
    else p.reject(new Error(e.data.error));
  };
  worker.onerror = (e) => {
    e.preventDefault();
    pending?.reject(new Error(e.message));
  };
  return {
    worker,
    run(job: J): Promise<unknown> {
      assert.equal(pending, undefined, "one job at a time per worker");
      pending = Promise.withResolvers();
      worker.postMessage(job);
      return pending.promise;
    },
    [Symbol.dispose]() {
      worker.terminate();
    },
  };
}

/**
 * The worker's half of the same protocol: runs each job posted to this
 * worker with `run` and posts back `{ ok: true, result }` or
 * `{ ok: false, error }` (the error's name and message).
 */
export function serveJobs<J>(run: (job: J) => unknown): void {
  const scope = self as unknown as {
    onmessage: ((e: MessageEvent<J>) => void) | null;
    postMessage(message: unknown): void;
  };
  scope.onmessage = async (e: MessageEvent<J>) => {
    try {
      scope.postMessage({ ok: true, result: await run(e.data) });
    } catch (error) {
      scope.postMessage({
        ok: false,
        error: `${(error as Error).name}: ${(error as Error).message}`,
      });
    }
  };
}
