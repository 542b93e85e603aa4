// Copyright the denogo authors. MIT license.
// A small Runtime program that package_test.ts bundles (`deno bundle`) or
// compiles (`deno compile`) and runs: it prints fib(20) computed by tasks
// that spawn tasks, and how many trace events the run recorded (> 0).

import { Runtime } from "../../../mod.ts";
import type * as Tasks from "./tasks.ts";

// From the source (deno compile) the task module is tasks.ts; in a bundle,
// its output tasks.js beside this file's.
const ext = new URL(import.meta.url).pathname.endsWith(".ts") ? "ts" : "js";
const rt = await Runtime.start({ procs: 2, trace: true });
const tasks = rt.module<typeof Tasks>(
  new URL(`./tasks.${ext}`, import.meta.url),
);
console.log(await tasks.fib(20, 10), rt.trace().traceEvents.length > 0);
await rt.close();
