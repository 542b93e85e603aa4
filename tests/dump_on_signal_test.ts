// Copyright the denogo authors. MIT license.

// dumpOnSignal() in a child program that the test sends SIGQUIT: the
// program stays alive reading its stdin (so nothing deadlocks) and ends
// when the test closes it.

import assert from "node:assert/strict";
import { dumpOnSignal } from "../mod.ts";
import { LIB, runProgram } from "./_program.ts";

const SIGNALS = Deno.build.os !== "windows";

function program(options: string): string {
  return `
import { Channel, dumpOnSignal, go, setGoroutineTracing } from "${LIB}";
setGoroutineTracing(true);
dumpOnSignal(${options});
const never = new Channel<number>();
go(async function stuck() {
  await never.receive();
});
await Promise.resolve();
console.log("ready");
for await (const _ of Deno.stdin.readable) { /* until the test closes it */ }
never.close();
`;
}

/** Reads `stream` until `done(text)`; returns the text read. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  done: (text: string) => boolean,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    if (done(text)) break;
  }
  return text;
}

async function signalled(options: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", "--no-config", program(options)],
    // In tests/, so that the program's frames are not taken for the library's.
    cwd: new URL(".", import.meta.url),
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const ready = await readUntil(child.stdout, (t) => t.includes("ready\n"));
  assert.match(ready, /ready/);
  child.kill("SIGQUIT");
  const stderr = await readUntil(
    child.stderr,
    // The dump's last line: stuck's creation site.
    (t) => /created by main in goroutine 1\n\t[^\n]+\n/.test(t),
  );
  await child.stdin.close().catch(() => {}); // gone already with exit: true
  const { code } = await child.status;
  return { code, stderr };
}

Deno.test({
  name: "SIGQUIT prints Go's goroutine dump and the program goes on",
  ignore: !SIGNALS,
  async fn() {
    const { code, stderr } = await signalled("");
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^SIGQUIT: goroutine dump\n\ngoroutine 1 \[/);
    assert.match(
      stderr,
      /goroutine \d+ \[chan receive\]:\nstuck\(\.\.\.\)\n(.|\n)*created by main in goroutine 1\n\t\$deno\$eval\.mts:\d+:\d+/,
    );
  },
});

Deno.test({
  name:
    "dumpOnSignal({ exit: true }) exits with status 2 after the dump, as Go does",
  ignore: !SIGNALS,
  async fn() {
    const { code, stderr } = await signalled("{ exit: true }");
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^SIGQUIT: goroutine dump/);
  },
});

Deno.test({
  name:
    "dumpOnSignal(): stop() removes the listener; bad options are typed errors",
  ignore: !SIGNALS,
  fn() {
    const dump = dumpOnSignal({ signal: "SIGUSR2", write: () => {} });
    assert.equal(dump.listening, true);
    dump.stop();
    assert.equal(dump.listening, false);
    dump.stop(); // twice: nothing
    const bad: [unknown, ErrorConstructor, RegExp][] = [
      [3, TypeError, /options must be an object, received 3$/],
      [{ signal: "SIGKILL" }, RangeError, /received "SIGKILL" \(a string\)$/],
      [{ signal: 3 }, TypeError, /signal must be a string, received 3$/],
      [{ exit: "yes" }, TypeError, /exit must be a boolean, received "yes"/],
      [{ write: 1 }, TypeError, /write must be a function, received 1$/],
    ];
    for (const [options, type, message] of bad) {
      assert.throws(
        () => dumpOnSignal(options as never),
        (e: unknown) =>
          e instanceof type && /^dumpOnSignal\(\): /.test(e.message) &&
          message.test(e.message),
        String(JSON.stringify(options)),
      );
    }
  },
});

Deno.test({
  name: "dumpOnSignal()'s listener does not hide a deadlock (it wakes no one)",
  ignore: !SIGNALS,
  async fn() {
    const { code, stderr } = await runProgram(`
import { Channel, dumpOnSignal, main } from "${LIB}";
dumpOnSignal();
main(async () => { await new Channel<number>().receive(); });
`);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^fatal error: all goroutines are asleep - deadlock!/);
  },
});
