// Copyright the denogo authors. MIT license.
// Packages `_packaged/main.ts` in a temporary folder and runs the result,
// printing its output: `deno run -A _package.ts bundle|compile`. Run by
// package_test.ts (which has no write permission) as a child.
//
// Both take the program's folder as it is: `main.ts`, `tasks.ts` and the
// one-line `_worker_main.ts` that imports `@denogo/go/runtime/worker`.
// bundle: `deno bundle --code-splitting` of the three; the chunks look for
// `_worker_main.js` beside them, which is that file's output.
// compile: `deno compile --include` of `_worker_main.ts` and `tasks.ts`.

const mode = Deno.args[0];
const main = new URL("./_packaged/main.ts", import.meta.url).pathname;
const tasks = new URL("./_packaged/tasks.ts", import.meta.url).pathname;
const worker = new URL("./_packaged/_worker_main.ts", import.meta.url)
  .pathname;

async function run(cmd: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, {
    args,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${code}:\n${
        decoder.decode(stderr)
      }`,
    );
  }
  return decoder.decode(stdout);
}

const dir = await Deno.makeTempDir({ prefix: "denogo-package-" });
try {
  const deno = Deno.execPath();
  if (mode === "bundle") {
    const out = `${dir}/dist`;
    await run(deno, [
      "bundle",
      "--quiet",
      "--code-splitting",
      "--outdir",
      out,
      main,
      tasks,
      worker,
    ]);
    const program = `${out}/main.js`;
    console.log((await run(deno, ["run", "--allow-read", program])).trim());
  } else if (mode === "compile") {
    const exe = `${dir}/program`;
    await run(deno, [
      "compile",
      "--quiet",
      "--allow-read",
      "--include",
      worker,
      "--include",
      tasks,
      "--output",
      exe,
      main,
    ]);
    console.log((await run(exe, [])).trim());
  } else {
    throw new Error(`usage: _package.ts bundle|compile (got ${mode})`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
