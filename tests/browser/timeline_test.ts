// Copyright the denogo authors. MIT license.

// The timeline page (runtime/timeline.ts) in real headless chromium: the
// page writes what it drew into #summary (read with --dump-dom), and the
// screenshot (--screenshot) must show its bars in their colours. Ignored
// when chromium is absent (install: `apt-get install -y chromium`).

import {
  Channel,
  go,
  startGoroutineTrace,
  stopGoroutineTrace,
  yieldNow,
} from "../../mod.ts";
import assert from "node:assert/strict";
import { CHROMIUM } from "./_chromium.ts";
import { sh } from "../_util.ts";
import { type TraceFile, traceToHtml } from "../../runtime/mod.ts";
import { demo } from "../../scripts/trace.ts";
import { countColour, decodePng } from "./_png.ts";

const WIDTH = 1000, HEIGHT = 300;

async function chromium(args: string[]): Promise<string> {
  const out = await new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      `--window-size=${WIDTH},${HEIGHT}`,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** Loads the page of `trace` from a local server: its #summary and its screenshot. */
async function render(trace: TraceFile) {
  const html = traceToHtml(trace);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response(html, { headers: { "content-type": "text/html" } }),
  );
  const dir = await sh("mktemp", "-d");
  try {
    const url = `http://127.0.0.1:${server.addr.port}/`;
    const dom = await chromium(["--dump-dom", url]);
    const m = dom.match(/<pre id="summary">([^<]*)<\/pre>/);
    assert.ok(m, `no summary in the page:\n${dom.slice(0, 2000)}`);
    await chromium([`--screenshot=${dir}/shot.png`, url]);
    const image = await decodePng(await Deno.readFile(`${dir}/shot.png`));
    return { summary: JSON.parse(m[1].replaceAll("&quot;", '"')), image };
  } finally {
    await sh("rm", "-rf", dir);
    await server.shutdown();
  }
}

const common = { pid: 1, cat: "task" };
const SYNTHETIC: TraceFile = {
  displayTimeUnit: "ms",
  traceEvents: [
    { name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "rt" } },
    {
      name: "thread_name",
      ph: "M",
      pid: 1,
      tid: 3,
      args: { name: "main thread" },
    },
    {
      name: "thread_name",
      ph: "M",
      pid: 1,
      tid: 1,
      args: { name: "worker 0" },
    },
    {
      name: "thread_name",
      ph: "M",
      pid: 1,
      tid: 2,
      args: { name: "worker 1" },
    },
    { ...common, name: "alpha</script>", ph: "b", ts: 0, tid: 1, id: "a" },
    { ...common, name: "alpha</script>", ph: "e", ts: 60_000, tid: 1, id: "a" },
    { name: "alpha", cat: "run", ph: "X", ts: 0, dur: 20_000, pid: 1, tid: 1 },
    {
      ...common,
      name: "beta",
      ph: "b",
      ts: 30_000,
      tid: 2,
      id: "b",
      args: { state: "running" },
    },
    { ...common, name: "beta", ph: "e", ts: 100_000, tid: 2, id: "b" },
    { ...common, name: "gamma", ph: "b", ts: 40_000, tid: 2, id: "c" },
    { ...common, name: "gamma", ph: "e", ts: 50_000, tid: 2, id: "c" },
    { name: "steal", cat: "steal", ph: "s", ts: 30_000, pid: 1, tid: 1, id: 1 },
    {
      name: "steal",
      cat: "steal",
      ph: "f",
      ts: 30_000,
      pid: 1,
      tid: 2,
      id: 1,
      bp: "e",
    },
    { name: "spawn", cat: "spawn", ph: "s", ts: 0, pid: 1, tid: 3, id: 2 },
    {
      name: "spawn",
      cat: "spawn",
      ph: "f",
      ts: 0,
      pid: 1,
      tid: 1,
      id: 2,
      bp: "e",
    },
    {
      name: "g1",
      cat: "goroutine",
      ph: "b",
      ts: 10_000,
      pid: 1,
      tid: 3,
      id: 9,
    },
    {
      name: "g1",
      cat: "goroutine",
      ph: "e",
      ts: 90_000,
      pid: 1,
      tid: 3,
      id: 9,
    },
  ],
};

Deno.test({
  name: "the timeline draws rows, bars and arrows in headless chromium",
  ignore: CHROMIUM === undefined,
  async fn() {
    const { summary, image } = await render(SYNTHETIC);
    assert.deepEqual(summary, {
      rows: ["worker 0", "worker 1", "main thread"],
      lanes: [1, 2, 1], // gamma overlaps beta: a lane of its own
      tasks: 4,
      running: 1,
      slices: 1,
      steals: 1,
      spawns: 1,
    });
    assert.equal(image.width, WIDTH);
    assert.equal(image.height, HEIGHT);
    // Each legend swatch is 14 × 10 px; a bar over half the width of the
    // 796 px plot, 7 px high, is over 2,000.
    assert.ok(countColour(image, "#8fb8de") > 2000, "task bars");
    assert.ok(countColour(image, "#f0b55c") > 2000, "running bar");
    assert.ok(countColour(image, "#b39ddb") > 2000, "goroutine bar");
    assert.ok(countColour(image, "#2a5d8f") > 1000, "run slice");
    assert.ok(countColour(image, "#c0392b") > 140 + 20, "steal arrow");
  },
});

Deno.test({
  name: "`deno task trace`'s demo draws every worker and task in chromium",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const trace = await demo(2);
    const { summary, image } = await render(trace);
    assert.deepEqual(summary.rows, ["worker 0", "worker 1", "main thread"]);
    const begins = trace.traceEvents.filter((e) => e.ph === "b").length;
    assert.equal(summary.tasks, begins);
    assert.ok(summary.spawns > 0);
    assert.ok(countColour(image, "#8fb8de") > 1000, "task bars");
  },
});

Deno.test({
  name:
    "a goroutine trace draws a row per goroutine with its waits in chromium",
  ignore: CHROMIUM === undefined,
  async fn() {
    const ch = new Channel<number>();
    startGoroutineTrace();
    const consumer = go(async function consumer() {
      let sum = 0;
      for await (const v of ch) sum += v;
      return sum;
    });
    await yieldNow(); // it waits to receive before anything is sent
    const producer = go(async function producer() {
      for (let i = 0; i < 3; i++) await ch.send(i);
      ch.close();
    });
    await Promise.all([consumer, producer]);
    const trace = stopGoroutineTrace();
    const { summary, image } = await render(trace);
    assert.deepEqual(summary.rows.slice(0, 1), ["goroutine 1 main"]);
    assert.ok(
      summary.rows.some((r: string) => r.endsWith(" consumer")),
      summary.rows.join(", "),
    );
    assert.ok(summary.rows.some((r: string) => r.endsWith(" producer")));
    assert.equal(summary.spawns, 2); // the two go() flows
    assert.ok(countColour(image, "#b39ddb") > 1000, "goroutine bars");
    assert.ok(countColour(image, "#f48fb1") > 20, "wait bars");
  },
});
