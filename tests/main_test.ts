// Copyright the denogo authors. MIT license.

// main(): the program ends when its main function returns, as in Go. Each
// case is a child `deno run` program; needs --allow-run and --allow-read.

import assert from "node:assert/strict";
import { main } from "../mod.ts";
import { LIB, runProgram } from "./_program.ts";

function program(names: string, body: string): string {
  return `import { ${names} } from "${LIB}";\n${body}\n`;
}

Deno.test("main(): returning ends the program with code 0, abandoning a goroutine that ranges over tick()", async () => {
  const { code, stdout, stderr } = await runProgram(program(
    "go, main, tick",
    `main(async () => {
      const first = Promise.withResolvers<void>();
      go(async () => {
        for await (const _ of tick(100)) first.resolve();
      });
      await first.promise;
      console.log("main returns");
    });`,
  ));
  assert.equal(stderr, "");
  assert.equal(stdout, "main returns\n");
  assert.equal(code, 0);
});

Deno.test("main(): a sync body that returns ends the program with code 0", async () => {
  const { code, stdout } = await runProgram(program(
    "after, main",
    `main(() => {
      after(60_000); // A pending timer does not keep it alive.
      console.log("hello, world");
    });`,
  ));
  assert.equal(stdout, "hello, world\n");
  assert.equal(code, 0);
});

Deno.test("main(): awaiting it does no harm", async () => {
  const { code, stdout } = await runProgram(program(
    "main, sleep",
    `await main(async () => {
      await sleep(1);
      console.log("done");
    });`,
  ));
  assert.equal(stdout, "done\n");
  assert.equal(code, 0);
});

Deno.test("without main(), Deno runs until its pending timers are done", async () => {
  const { code, stdout } = await runProgram(program(
    "after",
    `after(20).receive().then(() => console.log("timer fired"));
    console.log("module done");`,
  ));
  assert.equal(stdout, "module done\ntimer fired\n");
  assert.equal(code, 0);
});

for (
  const [how, body] of [
    ["a sync body that throws", `() => { throw new Error("boom"); }`],
    [
      "an async body that throws",
      `async () => { await null; throw new Error("boom"); }`,
    ],
    [
      "a goroutine's unhandled error",
      `async () => {
      go(() => { throw new Error("boom"); });
      await new Promise((resolve) => setTimeout(resolve, 60_000));
    }`,
    ],
  ]
) {
  Deno.test(`main(): ${how} is a panic: "panic: " and the stack on stderr, exit code 2`, async () => {
    const { code, stdout, stderr } = await runProgram(program(
      "go, main",
      `main(${body});`,
    ));
    assert.equal(stdout, "");
    assert.match(stderr, /^panic: Error: boom\n\s+at /);
    assert.equal(code, 2);
  });
}

Deno.test("main(): a thrown non-Error is printed as it is", async () => {
  const { code, stderr } = await runProgram(program(
    "main",
    `main(() => { throw "plain"; });`,
  ));
  assert.equal(stderr, "panic: plain\n");
  assert.equal(code, 2);
});

Deno.test("main(): a second main() while one runs throws, and the first goes on", async () => {
  const { code, stdout } = await runProgram(program(
    "main, sleep",
    `main(async () => {
      await sleep(1);
      console.log("first main returns");
    });
    try {
      main(() => {});
    } catch (e) {
      console.log((e as Error).message);
    }`,
  ));
  assert.equal(
    stdout,
    "Cannot run main: a main() body is already running; a program has one\n" +
      "first main returns\n",
  );
  assert.equal(code, 0);
});

Deno.test("main() throws TypeError for something that is not a function, and starts nothing", () => {
  for (const [value, shown] of [[5, "5"], [null, "null"]] as const) {
    assert.throws(
      () => main(value as unknown as () => void),
      (e) => {
        assert(e instanceof TypeError);
        assert.equal(
          e.message,
          `Cannot run main: expected a function, received ${shown}`,
        );
        return true;
      },
    );
  }
});
