// Copyright the denogo authors. MIT license.
// A Runtime program that must exit on its own: a task that never settles,
// then close({ mode: "cancel" }); prints "closed" and the last result.

import { Runtime } from "../../npm/mod.js";

const rt = await Runtime.start({ procs: 2, cancelGraceMs: 100 });
const tasks = rt.module(new URL("./_tasks.mjs", import.meta.url).href);
const hung = tasks.hang().catch((error) => error.name);
const n = await tasks.fib(15, 5);
await rt.close({ mode: "cancel" });
console.log("closed", n, await hung);
