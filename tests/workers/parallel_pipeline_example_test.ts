// Copyright the denogo authors. MIT license.
// Runs examples/parallel_pipeline.ts as a child process with a small size.

import assert from "node:assert/strict";
import { work } from "../../examples/parallel_pipeline.ts";

Deno.test("examples/parallel_pipeline.ts sums every result once, split over two workers", async () => {
  const n = 20_000;
  const script = new URL(
    "../../examples/parallel_pipeline.ts",
    import.meta.url,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", script.href, String(n)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  let sum = 0;
  for (let i = 0; i < n; i++) sum += work(i);
  assert.match(text, new RegExp(`^${n} results, sum ${sum}$`, "m"));
  const shares = text.match(/worker shares: (\d+) \+ (\d+)/);
  assert.ok(shares);
  assert.equal(Number(shares[1]) + Number(shares[2]), n);
  assert.match(text, /items\/s through 3 stages/);
});
