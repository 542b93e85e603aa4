// Copyright the denogo authors. MIT license.

// The library in a real headless browser: esbuild bundles page scripts for
// the browser platform (from the root entry, which has the runtime in it:
// no `node:` import may be static there), a local Deno.serve serves them
// with COOP/COEP headers (cross-origin isolation, for SharedArrayBuffer),
// and chromium's `--dump-dom` prints the DOM the script wrote its results
// into. Ignored when chromium is absent (install: `apt-get install -y
// chromium`).
//
// The pages import the library by its package name (`@denogo/go/...`,
// resolved through deno.json's `exports`). The runtime test follows the
// README's recipe for bundles (esbuild does not bundle `new
// Worker(new URL(...))` itself): the page, the task module and a one-line
// `_worker_main` importing `@denogo/go/runtime/worker` are entry points
// with code splitting, so the library's chunks find `./_worker_main.js`
// beside them and the worker and the task module share one instance of
// the library.

import assert from "node:assert/strict";
import { CHROMIUM } from "./_chromium.ts";
import { build, type Plugin } from "esbuild";

const ROOT = new URL("../../", import.meta.url).pathname;

const EXPORTS: Record<string, string> = JSON.parse(
  Deno.readTextFileSync(ROOT + "deno.json"),
).exports;

/**
 * Entry points given as source text (`virtual:<name>` is `sources[name]`),
 * and `@denogo/go[/subpath]` resolved through deno.json's `exports`.
 */
function virtual(sources: Record<string, string>): Plugin {
  return {
    name: "virtual",
    setup(b) {
      b.onResolve({ filter: /^@denogo\/go(\/|$)/ }, (args) => {
        const target = EXPORTS["." + args.path.slice("@denogo/go".length)];
        if (target === undefined) return { errors: [{ text: args.path }] };
        return { path: ROOT + target.slice(2) };
      });
      b.onResolve(
        { filter: /^virtual:/ },
        (args) => ({ path: args.path.slice(8), namespace: "virtual" }),
      );
      b.onLoad({ filter: /.*/, namespace: "virtual" }, (args) => ({
        contents: sources[args.path],
        resolveDir: ROOT,
        loader: "ts",
      }));
    },
  };
}

/** How long a page may take to report, in ms, before the test fails. */
const PAGE_TIMEOUT_MS = 30_000;

/**
 * Bundles `sources` into `<name>.js` files with shared chunks, serves them with COOP/COEP (or
 * without, if `isolated` is false) to chromium, opens `main.js` in a page,
 * and returns what the page passed to `report()` (a global it has: it
 * posts JSON to the server; an uncaught error is reported as
 * `{ error }`).
 */
async function runPage(
  sources: Record<string, string>,
  isolated = true,
): Promise<unknown> {
  const bundle = await build({
    entryPoints: [
      ...Object.keys(sources).map((out) => ({ in: `virtual:${out}`, out })),
    ],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    outdir: "/out",
    write: false,
    plugins: [virtual(sources)],
  });
  const files = new Map(
    bundle.outputFiles.map((f) => [f.path.slice("/out".length), f.text]),
  );
  const text = bundle.outputFiles.map((f) => f.text).join("\n");
  assert.doesNotMatch(text, /^import[^;]*["']node:/m, "a static node: import");
  const headers: Record<string, string> = isolated
    ? {
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    }
    : {};
  const reported = Promise.withResolvers<unknown>();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/report") {
        reported.resolve(await req.json());
        return new Response("ok");
      }
      const js = files.get(path);
      if (js !== undefined) {
        return new Response(js, {
          headers: { ...headers, "content-type": "text/javascript" },
        });
      }
      return new Response(
        `<!doctype html><script>${REPORT}</script>` +
          `<script type="module" src="/main.js"></script>`,
        { headers: { ...headers, "content-type": "text/html" } },
      );
    },
  );
  const browser = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      `http://127.0.0.1:${server.addr.port}/`,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      reported.promise,
      new Promise((_, reject) =>
        timer = setTimeout(
          () => reject(new Error(`no report in ${PAGE_TIMEOUT_MS} ms`)),
          PAGE_TIMEOUT_MS,
        )
      ),
    ]);
  } finally {
    clearTimeout(timer);
    browser.kill();
    await browser.status;
    await server.shutdown();
  }
}

/** The page's `report()`, and uncaught errors reported through it. */
const REPORT = `
let reported = false;
globalThis.report = (value) => {
  if (reported) return;
  reported = true;
  fetch("/report", { method: "POST", body: JSON.stringify(value) });
};
addEventListener("error", (e) => report({ error: String(e.message) }));
addEventListener("unhandledrejection", (e) => report({ error: String(e.reason) }));
`;

const TIER1 = `
import { Channel, go, recv, select } from "@denogo/go";
const out = [];
const ch = new Channel(1);
go(async () => { for (let i = 0; i < 3; i++) await ch.send(i); ch.close(); });
for await (const v of ch) out.push(v);
const c2 = new Channel(1);
await c2.send("s");
await select([recv(c2, (v) => out.push(v))]);
out.push(String(crossOriginIsolated));
`;

const SHARED = `
import { SharedChannel } from "@denogo/go/workers";
const sc = new SharedChannel({ capacity: 4, codec: "int32" });
await sc.send(7);
out.push((await sc.receive()).value);
`;

const test = { ignore: CHROMIUM === undefined, sanitizeResources: false };

Deno.test({
  ...test,
  name:
    "tier 1 (root entry) and SharedChannel run in headless chromium (cross-origin isolated)",
  async fn() {
    const main = TIER1 + SHARED +
      "report(out);";
    assert.deepEqual(await runPage({ main }), [0, 1, 2, "s", "true", 7]);
  },
});

Deno.test({
  ...test,
  name:
    "tier 1 (root entry) runs in headless chromium (not isolated); the shared tier and Runtime do not",
  async fn() {
    const main = TIER1 + `
import { Runtime } from "@denogo/go";
import { SharedChannel } from "@denogo/go/workers";
out.push(String(typeof SharedArrayBuffer));
try { new SharedChannel({ codec: "int32" }); } catch (e) { out.push(e.name); }
await Runtime.start({ procs: 1 }).catch((e) => out.push(e.name));
report(out);`;
    assert.deepEqual(await runPage({ main }, false), [
      0,
      1,
      2,
      "s",
      "false",
      "undefined",
      "ReferenceError",
      "ReferenceError",
    ]);
  },
});

const TASKS = `
import { spawn, workerIndex } from "@denogo/go/runtime";
function fibSeq(n) { return n < 2 ? n : fibSeq(n - 1) + fibSeq(n - 2); }
export async function fib(n, cutoff) {
  if (n <= cutoff) return fibSeq(n);
  const a = spawn(fib, n - 1, cutoff);
  const b = spawn(fib, n - 2, cutoff);
  return (await a) + (await b);
}
export function where() { return workerIndex(); }
export function fail(message) { throw new RangeError(message); }
export function crash() {
  setTimeout(() => { throw new Error("boom"); });
  return new Promise(() => {});
}
`;

const RUNTIME = `
import { Runtime, TaskPayloadError, WorkerCrashedError } from "@denogo/go";
const out = [];
try {
  const rt = await Runtime.start({ procs: 2, trace: true });
  const tasks = rt.module(new URL("./tasks.js", import.meta.url).href);
  out.push(await tasks.fib(20, 10));
  out.push((await tasks.where()) >= 0);
  out.push(await tasks.crash().catch((e) => e instanceof WorkerCrashedError));
  out.push(await tasks.fib(10, 5));
  out.push(await tasks.fail("no").catch((e) =>
    e.name + " " + /threw RangeError: no$/.test(e.message)
  ));
  // No node:v8 here: a Map is not plain data.
  out.push(await tasks.where(new Map()).catch((e) =>
    e instanceof TaskPayloadError && /no node:v8/.test(e.message)
  ));
  out.push(rt.trace().traceEvents.length > 0);
  await rt.close();
} catch (e) {
  out.push(String(e));
}
report(out);
`;

Deno.test({
  ...test,
  name:
    "Runtime: start, module tasks, spawn, a crash, a trace in headless chromium (cross-origin isolated)",
  async fn() {
    const got = await runPage({
      main: RUNTIME,
      tasks: TASKS,
      _worker_main: `import "@denogo/go/runtime/worker";`,
    });
    assert.deepEqual(got, [6765, true, true, 55, "TaskError true", true, true]);
  },
});
