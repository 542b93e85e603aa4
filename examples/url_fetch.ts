// Copyright the denogo authors. MIT license.

/**
 * The articles' benchmark: fetch 100 slow URLs sequentially, with one
 * goroutine each, and with a pool of worker goroutines fed by a channel,
 * against a local server that answers each request after ~100 ms.
 *
 *     deno run --allow-net=127.0.0.1 examples/url_fetch.ts [requests] [delayMs] [poolSize]
 *
 * Waiting on the network is not CPU work, so one isolate is enough: while
 * one goroutine waits for its response, the others send theirs. One
 * goroutine per request finishes in about one delay; a pool of `poolSize`
 * workers in about `requests / poolSize` delays, with at most `poolSize`
 * requests in flight (the way to be polite to a server); sequential takes
 * `requests` delays.
 *
 * @module
 */

import { Channel, go, WaitGroup } from "../mod.ts";

const requests = Number(Deno.args[0] ?? 100);
const delayMs = Number(Deno.args[1] ?? 100);
const poolSize = Number(Deno.args[2] ?? 10);

/** A server that answers every request after `delayMs`. */
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Response(`page ${new URL(req.url).pathname}`);
  },
);
const urls = Array.from(
  { length: requests },
  (_, i) => `http://127.0.0.1:${server.addr.port}/${i}`,
);

async function get(url: string): Promise<number> {
  const res = await fetch(url);
  return (await res.text()).length;
}

async function sequential(): Promise<number> {
  let bytes = 0;
  for (const url of urls) bytes += await get(url);
  return bytes;
}

async function goroutineEach(): Promise<number> {
  let bytes = 0;
  const wg = new WaitGroup();
  for (const url of urls) {
    wg.go(async () => {
      const n = await get(url);
      bytes += n; // Not `bytes += await get(url)`: that reads bytes first.
    });
  }
  await wg.wait();
  return bytes;
}

async function workerPool(): Promise<number> {
  const jobs = new Channel<string>({ capacity: urls.length });
  const results = new Channel<number>({ capacity: urls.length });
  for (let w = 0; w < poolSize; w++) {
    go(async () => {
      for await (const url of jobs) await results.send(await get(url));
    });
  }
  for (const url of urls) await jobs.send(url);
  jobs.close();
  let bytes = 0;
  for (let i = 0; i < urls.length; i++) {
    bytes += (await results.receive()).value ?? 0;
  }
  return bytes;
}

console.log(
  `${requests} requests to a local server that answers after ${delayMs} ms\n`,
);
for (
  const [name, run] of [
    ["sequential", sequential],
    ["one goroutine per request", goroutineEach],
    [`worker pool of ${poolSize} goroutines`, workerPool],
  ] as const
) {
  const start = performance.now();
  const bytes = await run();
  const ms = performance.now() - start;
  console.log(
    `${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms  (${bytes} bytes)`,
  );
}
await server.shutdown();
