// Copyright the denogo authors. MIT license.

/**
 * `deno task build:npm`: the npm-style build in `npm/` (git-ignored). Every
 * library `.ts` file becomes one `.js` file (esbuild's transform, no
 * bundling) with its relative `.ts` specifiers, the worker entry's
 * `new URL("./_worker_main.ts", import.meta.url)` included, rewritten to
 * `.js`: the runtime's workers then load the very module files the user's
 * code loads (one module instance, so `spawn()` inside a task finds its
 * processor). Declarations (`.d.ts`) come from TypeScript's compiler. The
 * `package.json` maps the same subpaths as `deno.json`'s `exports`.
 *
 * @module
 */

import { transform } from "esbuild";
import ts from "typescript";

const root = new URL("../", import.meta.url);
const out = new URL("npm/", root);
const dirs = ["", "sync/", "context/", "workers/", "runtime/"];

/** Rewrites relative `.ts` specifiers (imports and `new URL`) to `.js`. */
export function rewrite(code: string): string {
  return code.replace(
    /(["'])(\.{1,2}\/[^"'\n]*?)\.ts\1/g,
    (_, q: string, path: string) => `${q}${path}.js${q}`,
  );
}

await Deno.remove(out, { recursive: true }).catch(() => {});
const files: string[] = [];
for (const dir of dirs) {
  await Deno.mkdir(new URL(dir, out), { recursive: true });
  for await (const entry of Deno.readDir(new URL(dir, root))) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    if (entry.name.endsWith("_test.ts")) continue;
    const rel = dir + entry.name;
    files.push(rel);
    const source = await Deno.readTextFile(new URL(rel, root));
    const { code } = await transform(source, {
      loader: "ts",
      format: "esm",
      target: "es2022",
      sourcefile: rel,
    });
    await Deno.writeTextFile(
      new URL(rel.replace(/\.ts$/, ".js"), out),
      rewrite(code),
    );
  }
}

// Declarations, with `.ts` specifiers rewritten as in the `.js` files.
const program = ts.createProgram(files.map((f) => new URL(f, root).pathname), {
  declaration: true,
  emitDeclarationOnly: true,
  allowImportingTsExtensions: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2024.d.ts", "lib.dom.d.ts"],
  types: [],
  skipLibCheck: true,
  noCheck: true,
  rootDir: new URL(".", root).pathname,
  outDir: new URL(".", out).pathname,
});
const emitted = program.emit(undefined, (name, text) => {
  Deno.writeTextFileSync(name, rewrite(text));
});
if (emitted.emitSkipped) throw new Error("declaration emit failed");

const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const exports: Record<string, { types: string; default: string }> = {};
for (const [key, value] of Object.entries(config.exports as object)) {
  const js = (value as string).replace(/\.ts$/, ".js");
  exports[key] = { types: js.replace(/\.js$/, ".d.ts"), default: js };
}
await Deno.writeTextFile(
  new URL("package.json", out),
  JSON.stringify(
    {
      name: config.name,
      version: config.version,
      license: config.license,
      type: "module",
      engines: { node: ">=20.16" },
      exports,
      sideEffects: true,
    },
    null,
    2,
  ) + "\n",
);
await Deno.copyFile(new URL("README.md", root), new URL("README.md", out));
await Deno.copyFile(new URL("LICENSE", root), new URL("LICENSE", out));
console.log(`npm/: ${files.length} modules`);
