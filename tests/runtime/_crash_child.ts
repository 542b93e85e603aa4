// Copyright the denogo authors. MIT license.

// Run by runtime_test.ts as a child `deno run`: a worker killed by an
// uncaught error makes Deno print "error: Uncaught (in worker ...)" on
// stderr even though the runtime handles the crash (the parent's
// `preventDefault()` stops the error from spreading, not the print). The
// parent captures that expected text, so a passing test run prints none.

import assert from "node:assert/strict";
import { Runtime, WorkerCrashedError } from "../../mod.ts";
import type * as Tasks from "./_tasks.ts";

const rt = await Runtime.start({ procs: 2 });
try {
  const t = rt.module<typeof Tasks>(new URL("./_tasks.ts", import.meta.url));
  await assert.rejects(t.closeSelf(), (e: WorkerCrashedError) => {
    assert.ok(e instanceof WorkerCrashedError);
    assert.match(e.message, /self\.close\(\)/);
    return true;
  });
  await assert.rejects(t.throwUncaught(), WorkerCrashedError);
  assert.equal(rt.stats().crashes, 2);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => t.inc(i)),
  );
  assert.equal(results[49], 50);
  assert.equal(await t.fib(18, 10), 2584);
} finally {
  await rt.close();
}
console.log("replaced both crashed workers");
