// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * Signal listeners, for the deadlock detector: a program blocked on a
 * channel that a signal listener sends on is waiting, not deadlocked, as a
 * Go program blocked on a `signal.Notify` channel waits.
 *
 * Neither Deno nor Node keeps its event loop alive for a signal listener,
 * so the loop goes dry while such a program waits. When it does and the
 * program is blocked, the detector calls {@linkcode holdForSignals}: one
 * ref'd timer keeps the loop alive until a signal that has a listener
 * arrives or a listener is removed; then the loop may go dry again and
 * the detector looks again. Listeners added before this module loaded
 * through `Deno.addSignalListener` are not counted (in practice the
 * library's imports run before the program's code).
 *
 * The listeners are counted from public APIs: `process.listenerCount()`
 * (Node, Bun, and Deno's `process`) and, since Deno offers no count of its
 * own, calls of `Deno.addSignalListener` / `Deno.removeSignalListener`,
 * which this module wraps to count them (the wrappers call the originals
 * unchanged).
 *
 * @module
 */

/** The signals a program may listen for. */
const SIGNALS = [
  "SIGABRT",
  "SIGALRM",
  "SIGBREAK",
  "SIGCHLD",
  "SIGCONT",
  "SIGHUP",
  "SIGINFO",
  "SIGINT",
  "SIGIO",
  "SIGPIPE",
  "SIGPOLL",
  "SIGPWR",
  "SIGQUIT",
  "SIGSYS",
  "SIGTERM",
  "SIGTRAP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGUSR1",
  "SIGUSR2",
  "SIGVTALRM",
  "SIGWINCH",
  "SIGXCPU",
  "SIGXFSZ",
] as const;

type Listener = () => void;

interface SignalApi {
  addSignalListener(signal: string, listener: Listener): void;
  removeSignalListener(signal: string, listener: Listener): void;
}

interface Emitter {
  listenerCount?(event: string): number;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
}

const g = globalThis as { Deno?: Partial<SignalApi>; process?: Emitter };

/** Listeners added through `Deno.addSignalListener`, by signal. */
const denoCounts = new Map<string, number>();
let denoApi: SignalApi | undefined;

if (
  typeof g.Deno?.addSignalListener === "function" &&
  typeof g.Deno.removeSignalListener === "function"
) {
  const deno = g.Deno as SignalApi;
  const add = deno.addSignalListener.bind(deno);
  const remove = deno.removeSignalListener.bind(deno);
  denoApi = { addSignalListener: add, removeSignalListener: remove };
  deno.addSignalListener = (signal, listener) => {
    add(signal, listener); // throws for a bad signal: nothing is counted
    denoCounts.set(signal, (denoCounts.get(signal) ?? 0) + 1);
  };
  deno.removeSignalListener = (signal, listener) => {
    remove(signal, listener);
    const n = denoCounts.get(signal) ?? 0;
    if (n <= 1) denoCounts.delete(signal);
    else denoCounts.set(signal, n - 1);
    releaseHold(); // the detector looks again once the loop is dry
  };
}

/** The listeners the program has for `signal`, ours not included. */
function listenersOf(signal: string): number {
  let n = denoCounts.get(signal) ?? 0;
  const count = g.process?.listenerCount;
  if (typeof count === "function") {
    try {
      n += count.call(g.process, signal);
    } catch {
      // A process object without listeners for this name.
    }
  }
  if (hold?.signals.includes(signal) && hold.viaProcess) n--;
  return n;
}

/** Whether any signal listener could still run and wake the program. */
export function signalListeners(): boolean {
  if (denoCounts.size > 0) return true;
  if (typeof g.process?.listenerCount !== "function") return false;
  return SIGNALS.some((s) => listenersOf(s) > 0);
}

interface Hold {
  timer: ReturnType<typeof setInterval>;
  signals: string[];
  /** Whether our release listeners are on `process` (else on `Deno`). */
  viaProcess: boolean;
}

/** Releases the hold when a listener leaves `process`, as for `Deno`. */
function onRemoveListener(event: unknown): void {
  if (typeof event === "string" && event.startsWith("SIG")) releaseHold();
}

let hold: Hold | undefined;

function releaseHold(): void {
  const h = hold;
  if (h === undefined) return;
  hold = undefined;
  clearInterval(h.timer);
  if (h.viaProcess) g.process!.off!("removeListener", onRemoveListener);
  for (const s of h.signals) {
    if (h.viaProcess) g.process!.off!(s, releaseHold);
    else denoApi!.removeSignalListener(s, releaseHold);
  }
}

/**
 * Keeps the event loop alive until a signal with a listener arrives or the
 * last listener is removed. Does nothing if already holding.
 */
export function holdForSignals(): void {
  if (hold !== undefined) return;
  const viaProcess = denoApi === undefined;
  const signals = SIGNALS.filter((s) => listenersOf(s) > 0);
  if (signals.length === 0) return;
  // A ref'd timer that never fires in practice keeps the loop alive.
  const timer = setInterval(() => {}, 2 ** 31 - 1);
  hold = { timer, signals, viaProcess };
  for (const s of signals) {
    if (viaProcess) g.process!.on!(s, releaseHold);
    else denoApi!.addSignalListener(s, releaseHold);
  }
  if (viaProcess) g.process!.on!("removeListener", onRemoveListener);
}
