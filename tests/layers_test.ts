// Copyright the denogo authors. MIT license.

// Tier 1 stands alone: no module of it loads the shared-memory tier,
// the multi-worker runtime or a `node:` module. The module graph is read
// from `deno info --json`, which lists static and dynamic imports alike.

import assert from "node:assert/strict";

const TIER_1 = [
  "channel.ts",
  "select.ts",
  "scheduler.ts",
  "main.ts",
  "time.ts",
  "sync/mod.ts",
  "context/mod.ts",
];

interface ModuleGraph {
  modules: { specifier: string }[];
}

async function moduleGraph(entry: string): Promise<string[]> {
  const url = new URL(`../${entry}`, import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", url.href],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const graph = JSON.parse(decoder.decode(stdout)) as ModuleGraph;
  return graph.modules.map((m) => m.specifier);
}

for (const entry of TIER_1) {
  Deno.test(`tier 1: ${entry} loads no workers/, runtime/ or node: module`, async () => {
    const specifiers = await moduleGraph(entry);
    assert(specifiers.length > 0, "deno info listed no module");
    const root = new URL("../", import.meta.url).href;
    const outside = specifiers.filter((s) => {
      const path = s.startsWith(root) ? s.slice(root.length - 1) : s;
      return path.includes("/workers/") || path.includes("/runtime/") ||
        s.startsWith("node:");
    });
    assert.deepEqual(outside, [], `${entry} loads ${outside.join(", ")}`);
  });
}

Deno.test("tier 1 check sees the runtime and node: where they are loaded", async () => {
  // The filter above must be able to fail: mod.ts re-exports the runtime,
  // and this test loads node:assert.
  assert((await moduleGraph("mod.ts")).some((s) => s.includes("/runtime/")));
  const own = await moduleGraph("tests/layers_test.ts");
  assert(own.some((s) => s.startsWith("node:")));
});

// The whole library, worker entry included, reads node: built-ins through
// process.getBuiltinModule (workers/_builtin.ts) and imports none, so that
// a browser bundle has no node: import.
for (const entry of ["mod.ts", "workers/mod.ts", "runtime/_worker_main.ts"]) {
  Deno.test(`${entry} imports no node: module`, async () => {
    const builtins = (await moduleGraph(entry)).filter((s) =>
      s.startsWith("node:")
    );
    assert.deepEqual(builtins, [], `${entry} loads ${builtins.join(", ")}`);
  });
}
