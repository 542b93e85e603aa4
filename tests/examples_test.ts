// Copyright the denogo authors. MIT license.

// Runs every program in examples/ as a child `deno run` (with small sizes
// where the program takes one), with exactly the permissions that
// examples/README.md gives it, and checks its exit code and key lines.
// Needs --allow-run (to start deno) and --allow-read (Deno.execPath(), the
// README).

import assert from "node:assert/strict";
import { work } from "../examples/parallel_pipeline.ts";

const decoder = new TextDecoder();
const EXAMPLES = new URL("../examples/", import.meta.url);

/**
 * Each example's `deno run` flags, read from the commands in
 * examples/README.md, so the README states what the tests use.
 */
const FLAGS = new Map<string, string[]>();
for (
  const [, flags, name] of (await Deno.readTextFile(
    new URL("README.md", EXAMPLES),
  )).matchAll(/`deno run((?: --[a-z0-9-]+(?:=[^\s`]+)?)*) examples\/(\w+\.ts)/g)
) {
  assert.ok(!FLAGS.has(name), `examples/README.md runs ${name} twice`);
  FLAGS.set(name, flags.trim().split(" ").filter(Boolean));
}

Deno.test("examples/README.md gives every program in examples/ one command", async () => {
  const programs: string[] = [];
  for await (const entry of Deno.readDir(EXAMPLES)) {
    if (entry.isFile && entry.name.endsWith(".ts")) programs.push(entry.name);
  }
  assert.deepEqual([...FLAGS.keys()].sort(), programs.sort());
  // `deno task demo` is the README's demo command.
  const config = JSON.parse(
    await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
  );
  assert.equal(
    config.tasks.demo,
    ["deno run", ...FLAGS.get("demo.ts")!, "examples/demo.ts"].join(" "),
  );
});

/** Runs `examples/<name>` with `args`; returns its stdout, asserting success. */
async function run(name: string, ...args: string[]): Promise<string> {
  const script = new URL(name, EXAMPLES).href;
  const flags = FLAGS.get(name);
  assert.ok(flags, `examples/README.md has no command for ${name}`);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, script, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const out = decoder.decode(stdout);
  assert.equal(
    code,
    0,
    `${name} exited with ${code}\n${out}\n${decoder.decode(stderr)}`,
  );
  return out;
}

/** The output's lines, trimmed. */
function lines(out: string): string[] {
  return out.split("\n").map((line) => line.trim());
}

Deno.test("examples/pipeline.ts prints 4 and 9, then 16 and 81 for sq(sq(gen(2, 3)))", async () => {
  assert.deepEqual(lines(await run("pipeline.ts")).filter(Boolean), [
    "sq(gen(2, 3)):",
    "4",
    "9",
    "sq(sq(gen(2, 3))):",
    "16",
    "81",
  ]);
});

Deno.test("examples/pipeline.ts squares the numbers given as arguments", async () => {
  const out = lines(await run("pipeline.ts", "1", "2", "3"));
  assert.deepEqual(out.slice(0, 4), ["sq(gen(1, 2, 3)):", "1", "4", "9"]);
});

Deno.test("examples/timeout.ts reads one word in time, times out on the other, then stops Joe", async () => {
  const out = lines(await run("timeout.ts"));
  assert.equal(out[0], 'in time: got "hello"');
  assert.equal(out[1], "timed out after 20 ms");
  const joe = out.slice(2, out.indexOf("You talk too much."));
  assert.ok(joe.length >= 1, "Joe said nothing before the timeout");
  joe.forEach((line, i) => assert.equal(line, `Joe ${i}`));
});

Deno.test("examples/merge.ts fans in both squares and leaks no goroutine once done is closed", async () => {
  const out = await run("merge.ts");
  assert.match(out, /^fan-in: merge\(sq\(in\), sq\(in\)\) gave (4 9|9 4)$/m);
  assert.match(out, /^stopping short: got (4|9), then walked away$/m);
  assert.match(out, /leaked [1-9]/);
  assert.match(out, /after draining: 1$/m);
  assert.match(out, /^cancellation: got (4|9), then closed done$/m);
  assert.match(out, /goroutines: 1 \(baseline 1\): none leaked$/m);
});

Deno.test("examples/sieve.ts prints the first N primes and unwinds its chain", async () => {
  const out = lines(await run("sieve.ts", "12"));
  assert.equal(out[0].split(/\s+/).join(" "), "2 3 5 7 11 13 17 19 23 29");
  assert.equal(out[1].split(/\s+/).join(" "), "31 37");
  assert.match(
    out.find((line) => line.startsWith("12 primes")) ?? "",
    /^12 primes from 13 chained goroutines in [\d.]+ ms: [\d,]+ channel sends, \d+ ns per send \(goroutines left: 0\)$/,
  );
});

Deno.test("examples/sieve.ts defaults to 100 primes, the last being 541", async () => {
  const out = lines(await run("sieve.ts"));
  assert.ok(out[9].endsWith("523 541"), out[9]);
  assert.ok(out.some((line) => line.startsWith("100 primes from 101")));
});

Deno.test("examples/demo.ts tours a pipeline, a timeout and a fan-in, measures every operation, then uses all cores", async () => {
  const out = await run("demo.ts", "--quick");
  assert.match(out, /sum of squares: 30/);
  // Timing decides each request; on a loaded machine any may time out.
  const requests = out.match(
    /request \d .* (✓ answered in \d+|⏱ timed out at 60) ms/g,
  );
  assert.equal(requests?.length, 6, out);
  assert.match(out, /closed quit: all 4 goroutines returned/);
  for (
    const what of [
      "buffered send+recv, non-blocking",
      "buffered send+recv, awaited",
      "unbuffered ping-pong round trip",
      "select, 2 cases, 1 ready",
      "spawn a goroutine and wait for it",
    ]
  ) {
    assert.ok(out.includes(what), `missing measurement: ${what}`);
  }
  assert.equal(out.match(/denogo +[\d.,]+ ns .*× Go/g)?.length, 5);
  assert.equal(out.match(/Go 1\.19 +\d+ ns/g)?.length, 5);
  assert.ok(!out.includes("\x1b["), "NO_COLOR output has escape codes");
  // All cores: every task ran, on one worker and then spread over all.
  const cores = navigator.hardwareConcurrency;
  assert.match(out, /1 worker +\d+ ms .*tasks per worker: (\d+)$/m);
  const spread = /(\d+) workers +\d+ ms .*tasks per worker: ([\d /]+)$/m.exec(
    out,
  );
  assert.ok(spread, out);
  assert.equal(Number(spread[1]), cores);
  const counts = spread[2].split(" / ").map(Number);
  assert.equal(counts.reduce((a, b) => a + b, 0), cores * 4);
  assert.match(out, /speedup [\d.]+× on \d+ cores/);
  assert.match(out, /tour finished in [\d.]+ s/);
});

Deno.test("examples/counter_race.ts loses updates only in the racy version", async () => {
  const out = lines(await run("counter_race.ts", "50"));
  assert.match(out[2], /^racy: read, await, write\s+\d+\s+lost \d+ updates$/);
  assert.match(out[3], /^fix 1: sync\.Mutex\s+50\s+correct$/);
  assert.match(out[4], /^fix 2: a channel owns the counter\s+50\s+correct$/);
  assert.match(out[5], /^fix 3: no await inside counter\+\+\s+50\s+correct$/);
});

Deno.test("examples/parallel_fib.ts computes fib on the multi-worker runtime", async () => {
  const out = lines(await run("parallel_fib.ts", "24", "16"));
  assert.equal(out[0], "fib(24) = 46368 (cutoff 16)");
  assert.match(out.join("\n"), /^speedup: [\d.]+x on \d+ cores$/m);
});

Deno.test("examples/worker_pool.ts runs every job once and sums the results", async () => {
  const out = lines(await run("worker_pool.ts", "4"));
  for (let job = 1; job <= 4; job++) {
    assert.equal(
      out.filter((l) => l.includes(`finished job ${job} `)).length,
      1,
    );
  }
  assert.ok(out.includes("sum of results: 20"), out.join("\n"));
});

Deno.test("examples/url_fetch.ts fetches every page three ways, concurrency fastest", async () => {
  const out = lines(await run("url_fetch.ts", "8", "30", "2"));
  const row = (label: string) => {
    const line = out.find((l) => l.startsWith(label));
    assert.ok(line, `no "${label}" line in\n${out.join("\n")}`);
    const m = /(\d+) ms\s+\((\d+) bytes\)$/.exec(line);
    assert.ok(m, line);
    return { ms: Number(m[1]), bytes: Number(m[2]) };
  };
  const seq = row("sequential");
  const each = row("one goroutine per request");
  const pool = row("worker pool of 2 goroutines");
  assert.equal(each.bytes, seq.bytes);
  assert.equal(pool.bytes, seq.bytes);
  // 8 requests of 30 ms in sequence cannot take less than 240 ms.
  assert.ok(seq.ms >= 240, `sequential took ${seq.ms} ms`);
});

Deno.test("examples/cancellation.ts stops a busy loop on a timeout and cancels two fetches", async () => {
  const out = await run("cancellation.ts");
  assert.match(
    out,
    /^ {2}worker: stopping at iteration [\d,]+ \(context deadline exceeded\), checksum \d+$/m,
  );
  assert.match(out, /^ {2}main: worker returned after \d+ ms$/m);
  assert.match(
    out,
    /^ {2}client: \/report gave up after \d+ ms: .+ \(err: context deadline exceeded\)$/m,
  );
  assert.match(
    out,
    /^ {2}client: \/search cancelled after \d+ ms: user pressed stop \(err: context canceled, cause: user pressed stop\)$/m,
  );
  // Shutting down cancels the server's context, ending both handlers.
  assert.match(out, /^ {2}server: \/report abandoned \(context canceled\)$/m);
  assert.match(out, /^ {2}server: \/search abandoned \(context canceled\)$/m);
  assert.equal(lines(out).filter(Boolean).at(-1), "server: shut down");
  assert.ok(!out.includes("unexpected"), out);
});

Deno.test("examples/parallel_pipeline.ts sums every result once, split over two workers", async () => {
  const n = 20_000;
  const out = await run("parallel_pipeline.ts", String(n));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += work(i);
  assert.match(out, new RegExp(`^${n} results, sum ${sum}$`, "m"));
  const shares = out.match(/worker shares: (\d+) \+ (\d+)/);
  assert.ok(shares, out);
  assert.equal(Number(shares[1]) + Number(shares[2]), n);
  assert.match(out, /items\/s through 3 stages/);
});

Deno.test("examples/deadlock.ts deadlocks with Go's report, or dumps its goroutines and fixes the bug", async () => {
  const flags = FLAGS.get("deadlock.ts");
  assert.ok(flags, "examples/README.md has no command for deadlock.ts");
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, new URL("deadlock.ts", EXAMPLES).href],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const report = decoder.decode(stderr);
  assert.equal(code, 2, report);
  assert.match(
    report,
    /^fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 \[sync\.WaitGroup\.Wait\]:\nmain\(\.\.\.\)\n/,
  );
  assert.equal(report.match(/\[chan receive\]:\nworker\(\.\.\.\)/g)?.length, 2);

  const out = await run("deadlock.ts", "dump");
  assert.match(
    out,
    /goroutine \d+ \[chan receive\]:\nworker\(\.\.\.\)\ncreated by main in goroutine 1\n\tdeadlock\.ts:\d+:\d+/,
  );
  assert.match(
    out,
    /goroutine \d+ \[sync\.WaitGroup\.Wait\]:\nwaiter\(\.\.\.\)/,
  );
  assert.match(
    out,
    /jobs: Channel \{ id: \d+, capacity: 3, size: 0, closed: false, waitingSenders: 0, waitingReceivers: 2 \}/,
  );
  assert.equal(lines(out).filter(Boolean).at(-1), "all workers returned");
});

Deno.test("examples/fan_out.ts finds primes with N tasks over one jobs channel, and stops them by cancelling a SharedContext", async () => {
  const out = await run("fan_out.ts", "5", "3");
  assert.match(out, /^5 primes above 10\^12, e\.g\. \d+$/m);
  assert.match(out, /^all prime: true$/m);
  const m = out.match(
    /^jobs per task: (\d+) \+ (\d+) \+ (\d+) = (\d+), (\d+) left in the channel, (\d+) fed$/m,
  );
  assert.ok(m, out);
  const [a, b, c, total, left, fed] = m.slice(1).map(Number);
  assert.equal(a + b + c, total);
  // Every job fed was taken by a task or is still in the channel.
  assert.equal(total + left, fed);
});
