// Copyright the denogo authors. MIT license.

/**
 * {@linkcode main}: a program that ends when its main function returns, as a
 * Go program does.
 *
 * @module
 */

import { MAIN, setCurrent } from "./_goroutines.ts";
import { exitProgram, isMainRunning, setMainRunning } from "./_deadlock.ts";
import { describe as describeValue } from "./_describe.ts";

/**
 * Runs `body` as the program's main function, Go's `func main()`: when it
 * returns (its promise resolves), the program exits with code 0 at once,
 * and every goroutine still running is abandoned, as Go abandons them. If
 * it throws, or any goroutine's error goes unhandled, the program prints
 * `panic: ` and the error with its stack on stderr and exits with code 2,
 * as a Go panic does. While `body` runs it is goroutine 1, so a deadlock
 * report shows what it waits on.
 *
 * Call it without `await`, as the last statement of the program's main
 * module. It returns nothing: the program ends inside it. (An `await main()`
 * does no harm, but a top-level `await` on something pending would keep
 * Deno from reporting a deadlock; see the `scheduler` module.)
 *
 * Without `main()`, a Deno program ends when its event loop has nothing left
 * to do: a goroutine ranging over `tick(100)`, a pending `after()` or any
 * other live timer keeps it running after the main module's code is done,
 * and an error thrown by the main module's code ends it with exit code 1.
 *
 * ```ts ignore
 * import { go, main, tick } from "@denogo/go";
 *
 * main(async () => {
 *   go(async () => {
 *     for await (const t of tick(100)) console.log("tick", t);
 *   });
 *   await work();
 *   // Returning here ends the program, the ticking goroutine with it.
 * });
 * ```
 *
 * @example Only the program's main module calls it
 * ```ts
 * import { main } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * // `import.meta.main` is false here, in a test, so this does not exit.
 * if (import.meta.main) main(() => console.log("hello, world"));
 * assert.equal(typeof main, "function");
 * ```
 *
 * @param body The main function, sync or async.
 * @throws {TypeError} If `body` is not a function.
 * @throws {Error} If a `main()` body is already running.
 */
export function main(body: () => unknown): void {
  if (typeof body !== "function") {
    throw new TypeError(
      `Cannot run main: expected a function, received ${describeValue(body)}`,
    );
  }
  if (isMainRunning()) {
    throw new Error(
      "Cannot run main: a main() body is already running; a program has one",
    );
  }
  setMainRunning(true);
  MAIN.fn = body;
  onUnhandledRejection(panic);
  let result: unknown;
  const was = setCurrent(MAIN);
  try {
    result = body();
  } catch (error) {
    panic(error);
  } finally {
    setCurrent(was);
  }
  Promise.resolve(result).then(() => exitProgram(0), panic);
}

/** Prints a panic as Go does and exits with code 2. */
function panic(error: unknown): never {
  const text = error instanceof Error
    ? (error.stack ?? `${error.name}: ${error.message}`)
    : String(error);
  console.error(`panic: ${text}`);
  exitProgram(2);
}

/** Sends every unhandled rejection to `handler`, Deno's way or Node's. */
function onUnhandledRejection(handler: (reason: unknown) => void): void {
  const g = globalThis as {
    Deno?: unknown;
    addEventListener?: typeof addEventListener;
    process?: { on?(event: string, fn: (reason: unknown) => void): unknown };
  };
  if (g.Deno !== undefined && typeof g.addEventListener === "function") {
    g.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      handler(event.reason);
    });
  } else if (typeof g.process?.on === "function") {
    g.process.on("unhandledRejection", handler);
  }
}
