// Copyright the denogo authors. MIT license.
// A program for runtime_test.ts, run as a subprocess: it starts tasks that
// never end, closes the runtime, prints "closed", and must then exit on its
// own (no worker left running). Usage: _close_exit.ts cancel|signal|replace

import { Runtime } from "../../runtime/mod.ts";
import type * as Tasks from "./_tasks.ts";

const how = Deno.args[0];
const rt = await Runtime.start({
  procs: how === "replace" ? 1 : 2,
  cancelGraceMs: 100,
});
const t = rt.module<typeof Tasks>(new URL("./_tasks.ts", import.meta.url));
if (how === "replace") {
  // The only worker spins in a cancelled task; the next task must run.
  const channel = new BroadcastChannel(`close-exit:${crypto.randomUUID()}`);
  const started = new Promise<void>((resolve) => {
    channel.onmessage = () => {
      channel.postMessage("go");
      resolve();
    };
  });
  const controller = new AbortController();
  const spin = t.spinForever.with({ signal: controller.signal })(channel.name)
    .catch((error: Error) => error.name);
  await started;
  controller.abort();
  const next = await t.inc(1);
  await rt.close();
  console.log("closed", `${await spin},${next}`);
  channel.close();
} else {
  await closeWhileRunning(how);
}

/** Starts two tasks that never end, cancels them (by signal or close), closes. */
async function closeWhileRunning(how: string): Promise<void> {
  const controller = new AbortController();
  const channel = new BroadcastChannel(`close-exit:${crypto.randomUUID()}`);
  let started = 0;
  const running = new Promise<void>((resolve) => {
    channel.onmessage = (e: MessageEvent<string>) => {
      if (e.data === "started" && ++started === 2) {
        channel.postMessage("go");
        resolve();
      }
    };
  });
  const calls = [
    t.spinForever.with({ signal: controller.signal })(channel.name),
    t.ignoreCancel.with({ signal: controller.signal })(channel.name),
  ].map((call) => call.catch((error: Error) => error.name));
  await running; // both tasks run (one of them in an endless loop soon)
  if (how === "signal") {
    controller.abort();
    await rt.close();
  } else {
    await rt.close({ mode: "cancel" });
  }
  console.log("closed", (await Promise.all(calls)).join(","));
  channel.close();
}
