// Copyright the denogo authors. MIT license.

/**
 * Go's `SIGQUIT` goroutine dump, opt-in: {@linkcode dumpOnSignal} prints
 * {@linkcode goroutineDump} to stderr each time the process gets the
 * signal (`kill -QUIT <pid>`, or Ctrl-\ in a terminal).
 *
 * @module
 */

import { describe } from "./_describe.ts";
import { goroutineDump } from "./scheduler.ts";
import { addOwnSignalListener, removeOwnSignalListener } from "./_signals.ts";
import { extraDumps } from "./_dump_sources.ts";

/** Options of {@linkcode dumpOnSignal}. */
export interface DumpOnSignalOptions {
  /** The signal to listen for; `"SIGQUIT"` by default. */
  signal?: "SIGQUIT" | "SIGUSR1" | "SIGUSR2";
  /**
   * Exit after the dump, with status 2, as Go does on `SIGQUIT`; false by
   * default (the program goes on).
   */
  exit?: boolean;
  /** Where the dump goes; `console.error` by default. */
  write?: (text: string) => void;
}

/**
 * What {@linkcode dumpOnSignal} returns: stop listening with `stop()` (or
 * `using`).
 *
 * @example Usage
 * ```ts
 * import { dumpOnSignal, type SignalDump } from "@denogo/go";
 *
 * const dump: SignalDump = dumpOnSignal();
 * dump.stop();
 * ```
 */
export interface SignalDump extends Disposable {
  /** Whether a listener is installed (false where signals do not exist). */
  readonly listening: boolean;
  /** Removes the listener; later calls do nothing. */
  stop(): void;
}

interface Platform {
  build?: { os: string };
  platform?: string;
  exit(code: number): never;
}

const SIGNALS = ["SIGQUIT", "SIGUSR1", "SIGUSR2"];

/**
 * Prints the goroutine dump ({@linkcode goroutineDump}, headed
 * `SIGQUIT: goroutine dump`) each time the process receives `signal`
 * (`SIGQUIT` by default), as a Go program does; unlike Go, the program
 * goes on unless `exit` is set. Turn on {@linkcode setGoroutineTracing} as
 * well to see where each goroutine was started and how long it has waited.
 * Each open multi-worker `Runtime` of this thread adds its live tasks after
 * the goroutines, under `runtime <n>, <p> workers:` (its `goroutineDump()`).
 *
 * It uses `Deno.addSignalListener` in Deno and `process.on` in Node and
 * Bun; the listener does not keep the process alive, and the deadlock
 * detector does not take it for one that could wake a blocked program.
 * Where there are no such signals (Windows, browsers) it installs nothing
 * and returns a handle whose `listening` is false. Each call installs one
 * more listener.
 *
 * @example Usage
 * ```ts
 * import { dumpOnSignal } from "@denogo/go";
 * import assert from "node:assert/strict";
 *
 * using dump = dumpOnSignal(); // kill -QUIT <pid> prints the goroutines
 * assert.equal(dump.listening, Deno.build.os !== "windows");
 * ```
 *
 * @param options The signal, whether to exit, where to write.
 * @returns A handle to stop listening.
 * @throws {TypeError} If `options` is not an object or an option has the
 *   wrong type.
 * @throws {RangeError} If `signal` is not one of `"SIGQUIT"`, `"SIGUSR1"`,
 *   `"SIGUSR2"`.
 */
export function dumpOnSignal(options?: DumpOnSignalOptions): SignalDump {
  const { signal, exit, write } = checked(options);
  const g = globalThis as { Deno?: Platform; process?: Platform };
  const host = g.Deno ?? g.process;
  const os = g.Deno?.build?.os ?? g.process?.platform;
  const handler = () => {
    const sections = [goroutineDump(), ...extraDumps()];
    write(`${signal}: goroutine dump\n\n${sections.join("\n\n")}\n`);
    if (exit) host!.exit(2);
  };
  // Not counted by the deadlock detector (_signals.ts) as a listener that
  // could wake the program: the dump sends on no channel.
  let listening = os !== undefined && os !== "windows" && os !== "win32" &&
    addOwnSignalListener(signal, handler);
  const stop = () => {
    if (!listening) return;
    listening = false;
    removeOwnSignalListener(signal, handler);
  };
  return {
    get listening() {
      return listening;
    },
    stop,
    [Symbol.dispose]: stop,
  };
}

function checked(options: DumpOnSignalOptions | undefined): Required<
  DumpOnSignalOptions
> {
  const what = "dumpOnSignal()";
  if (options === undefined) {
    return { signal: "SIGQUIT", exit: false, write: console.error };
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${what}: options must be an object, received ${describe(options)}`,
    );
  }
  const { signal = "SIGQUIT", exit = false, write = console.error } = options;
  if (typeof signal !== "string") {
    throw new TypeError(
      `${what}: signal must be a string, received ${describe(signal)}`,
    );
  }
  if (!SIGNALS.includes(signal)) {
    throw new RangeError(
      `${what}: signal must be one of ${SIGNALS.join(", ")}, received ${
        describe(signal)
      }`,
    );
  }
  if (typeof exit !== "boolean") {
    throw new TypeError(
      `${what}: exit must be a boolean, received ${describe(exit)}`,
    );
  }
  if (typeof write !== "function") {
    throw new TypeError(
      `${what}: write must be a function, received ${describe(write)}`,
    );
  }
  return { signal, exit, write };
}
