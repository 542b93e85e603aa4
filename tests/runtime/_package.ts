// Copyright the denogo authors. MIT license.
// Packages `_packaged/main.ts` in a temporary folder and runs the result,
// printing its output: `deno run -A _package.ts bundle|compile`. Run by
// package_test.ts (which has no write permission) as a child.
//
// bundle: `deno bundle --code-splitting` of the program, its task module
// and the runtime's worker entry; the bundle's chunks look for
// `_worker_main.js` beside them, and deno bundle (2.9) keeps each entry's
// folder, so a one-line `_worker_main.js` there imports the bundled entry.
// compile: `deno compile --include` the worker entry and the task module.

const mode = Deno.args[0];
const main = new URL("./_packaged/main.ts", import.meta.url).pathname;
const tasks = new URL("./_packaged/tasks.ts", import.meta.url).pathname;
const worker = new URL("../../runtime/_worker_main.ts", import.meta.url)
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

/** The one file named `name` under `dir`. */
async function find(dir: string, name: string): Promise<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isFile && entry.name === name) return path;
    if (entry.isDirectory) {
      const found = await find(path, name).catch(() => undefined);
      if (found !== undefined) return found;
    }
  }
  throw new Error(`no ${name} under ${dir}`);
}

const dir = await Deno.makeTempDir({ prefix: "denogo-package-" });
try {
  const deno = Deno.execPath();
  if (mode === "bundle") {
    const out = `${dir}/dist`;
    await run(deno, [
      "bundle",
      "--quiet",
      "--no-config",
      "--code-splitting",
      "--outdir",
      out,
      main,
      tasks,
      worker,
    ]);
    const entry = await find(out, "_worker_main.js");
    if (entry !== `${out}/_worker_main.js`) {
      const rel = entry.slice(out.length + 1);
      await Deno.writeTextFile(
        `${out}/_worker_main.js`,
        `import "./${rel}";\n`,
      );
    }
    const program = await find(out, "main.js");
    console.log((await run(deno, ["run", "--allow-read", program])).trim());
  } else if (mode === "compile") {
    const exe = `${dir}/program`;
    await run(deno, [
      "compile",
      "--quiet",
      "--no-config",
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
