// Copyright the denogo authors. MIT license.
// The page itself is tested in chromium: tests/browser/timeline_test.ts.

import assert from "node:assert/strict";
import { type TraceFile, traceToHtml } from "../../runtime/mod.ts";

Deno.test("traceToHtml: a page with the events inline, nothing fetched", () => {
  const trace: TraceFile = {
    displayTimeUnit: "ms",
    traceEvents: [
      { name: "</script><b>x", ph: "X", ts: 0, dur: 1, pid: 1, tid: 1 },
    ],
  };
  const html = traceToHtml(trace);
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.equal(html.match(/<\/script>/g)?.length, 1, "the name is escaped");
  assert.ok(html.includes("\\u003c/script>\\u003cb>x"));
  assert.doesNotMatch(html, /\bsrc=|\bhref=|@import|url\(http/);
});

Deno.test("traceToHtml: rejects what is not a trace", () => {
  for (
    const [bad, got] of [
      [null, "received null"],
      [{}, "received an object without a traceEvents array"],
      ["{}", 'received "{}" (a string)'],
    ] as const
  ) {
    assert.throws(
      () => traceToHtml(bad as unknown as TraceFile),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message.startsWith("traceToHtml(): trace must be an object") &&
        e.message.endsWith(got),
    );
  }
});
