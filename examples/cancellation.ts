// Copyright the denogo authors. MIT license.

/**
 * Cancellation with contexts, two ways:
 *
 * 1. The "good worker": a CPU-bound loop that checks `ctx.done()` every
 *    1,000 iterations with a non-blocking select (Go's `select` with a
 *    `default:`), and is stopped by a timeout.
 * 2. `fetch` cancelled through `ctx.signal`: requests to a local server
 *    that answers slowly give up on a timeout, or when the caller cancels
 *    with a cause.
 *
 *     deno run --allow-net=127.0.0.1 examples/cancellation.ts
 *
 * @module
 */

import {
  after,
  afterFunc as timeAfterFunc,
  recv,
  select,
  yieldNow,
} from "../mod.ts";
import {
  background,
  cause,
  type Context,
  withCancel,
  withCancelCause,
  withTimeout,
} from "../context/mod.ts";

/**
 * Go's good worker:
 *
 *     for i := 0; ; i++ {
 *         if i%1000 == 0 {
 *             select {
 *             case <-ctx.Done():
 *                 return i
 *             default:
 *             }
 *         }
 *         work()
 *     }
 *
 * One difference: Go preempts a busy goroutine, so its timer fires on
 * time; on one isolate the timer that ends `ctx` runs only when the loop
 * lets the event loop turn. `yieldNow()` does that every few milliseconds
 * (and otherwise costs a microtask), so the worker stays responsive.
 */
async function goodWorker(ctx: Context): Promise<number> {
  let checksum = 0;
  for (let i = 0;; i++) {
    if (i % 1000 === 0) {
      const stop = await select([recv(ctx.done(), () => true)], {
        default: () => false,
      });
      if (stop) {
        console.log(
          `  worker: stopping at iteration ${i.toLocaleString("en-US")} ` +
            `(${ctx.err()?.message}), checksum ${checksum.toFixed(0)}`,
        );
        return i;
      }
      await yieldNow();
    }
    checksum += Math.sqrt(i); // The work.
  }
}

async function workerDemo(): Promise<void> {
  console.log("1. A CPU-bound worker stopped by a 100 ms timeout");
  const start = performance.now();
  const [ctx, cancel] = withTimeout(background(), 100);
  try {
    await goodWorker(ctx);
  } finally {
    cancel();
  }
  console.log(
    `  main: worker returned after ${
      (performance.now() - start).toFixed(0)
    } ms`,
  );
}

/**
 * A server whose handler takes 10 s to answer, unless the server's own
 * context is cancelled first (at shutdown): each handler derives its
 * context from the server's, as Go's `http.Server.BaseContext` does.
 */
function startSlowServer(serverCtx: Context) {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      const [ctx, cancel] = withCancel(serverCtx);
      try {
        const answered = await select([
          recv(after(10_000), () => true),
          recv(ctx.done(), () => false),
        ]);
        if (!answered) {
          console.log(`  server: ${path} abandoned (${ctx.err()?.message})`);
        }
        return new Response(`slow answer to ${path}\n`);
      } finally {
        cancel();
      }
    },
  );
}

async function fetchDemo(): Promise<void> {
  console.log("2. fetch() cancelled through ctx.signal");
  const [serverCtx, stopServer] = withCancel(background());
  const server = startSlowServer(serverCtx);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    // A request with a 200 ms time limit.
    let start = performance.now();
    const [ctx, cancel] = withTimeout(background(), 200);
    try {
      await fetch(`${base}/report`, { signal: ctx.signal });
      console.log("  client: /report answered (unexpected)");
    } catch (error) {
      console.log(
        `  client: /report gave up after ${
          (performance.now() - start).toFixed(0)
        } ms: ${(error as Error).message} (err: ${ctx.err()?.message})`,
      );
    } finally {
      cancel();
    }

    // A request the caller cancels after 50 ms, with a cause.
    start = performance.now();
    const [ctx2, cancel2] = withCancelCause(background());
    const timer = timeAfterFunc(
      50,
      () => cancel2(new Error("user pressed stop")),
    );
    try {
      await fetch(`${base}/search`, { signal: ctx2.signal });
      console.log("  client: /search answered (unexpected)");
    } catch (error) {
      console.log(
        `  client: /search cancelled after ${
          (performance.now() - start).toFixed(0)
        } ms: ${(error as Error).message} (err: ${ctx2.err()?.message}, ` +
          `cause: ${(cause(ctx2) as Error).message})`,
      );
    } finally {
      timer.stop();
      cancel2();
    }
  } finally {
    // Shutting down: cancelling the server's context ends the handlers that
    // are still waiting, so the server can close at once.
    stopServer();
    await server.shutdown();
    console.log("  server: shut down");
  }
}

if (import.meta.main) {
  await workerDemo();
  await fetchDemo();
}
