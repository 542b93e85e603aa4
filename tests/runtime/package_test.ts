// Copyright the denogo authors. MIT license.

// A Runtime program packaged the two ways the README documents, then run:
// `deno bundle --code-splitting` (the program, its task module and a
// one-line `_worker_main.ts` that imports `@denogo/go/runtime/worker`) and
// `deno compile --include` (that file and the task module). `_package.ts`
// does the work in a temporary folder, as a child with write permission. `deno compile` needs its runtime binary (denort),
// which it downloads: the compile test is ignored unless DENORT_BIN names
// one, deno's cache holds it, or COMPILE=1 says to try the download.

import assert from "node:assert/strict";

/** Runs `_package.ts mode`; fails after 120 s (a guard, not a measurement). */
async function packageAndRun(mode: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_package.ts", import.meta.url).pathname,
      mode,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const guard = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(guard);
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  return decoder.decode(stdout).trim();
}

/** Whether `deno compile` has its runtime binary without a download. */
async function denortAvailable(): Promise<boolean> {
  if (Deno.env.get("DENORT_BIN") || Deno.env.get("COMPILE") === "1") {
    return true;
  }
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const { denoDir } = JSON.parse(new TextDecoder().decode(stdout));
  const zip = `${denoDir}/dl/release/v${Deno.version.deno}/` +
    `denort-${Deno.build.target}.zip`;
  try {
    return Deno.statSync(zip).isFile;
  } catch {
    return false;
  }
}

Deno.test("deno bundle --code-splitting of a Runtime program runs (spawn, trace)", async () => {
  assert.equal(await packageAndRun("bundle"), "6765 true");
});

Deno.test({
  name: "deno compile --include of a Runtime program runs (spawn, trace)",
  ignore: !(await denortAvailable()),
  async fn() {
    assert.equal(await packageAndRun("compile"), "6765 true");
  },
});
