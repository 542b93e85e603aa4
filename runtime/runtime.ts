// Copyright the denogo authors. MIT license.
// Over 600 lines: about half is the doc comments and runnable examples of
// the public class; the code is the main thread's side of the scheduler
// (calls, the overflow queue, the result pump, cancellation and close).

/**
 * The multi-worker runtime: Go's G-M-P scheduler over Web Workers.
 *
 * - **P and M**: {@linkcode Runtime.start} starts `procs` workers
 *   (`GOMAXPROCS`, by default `navigator.hardwareConcurrency`). Each owns a
 *   Chase-Lev deque in shared memory (`_deque.ts`) and runs the scheduler
 *   loop of `_processor.ts`.
 * - **G**: a task is a call of an exported function of a module: the
 *   runtime loads the module in the worker that runs it, so there is no
 *   worker file or message protocol to write. Its arguments and result
 *   cross threads in a 256-byte slot of shared memory (`_slot.ts`, `_payload.ts`): numbers
 *   as they are, plain data in a compact format, anything else by
 *   `node:v8`'s serializer; shared objects (a `SharedChannel`, the shared
 *   sync types, ...) cross as themselves, their memory carried once per
 *   thread by `_buffer_hub.ts`.
 * - **Queues**: the main thread puts tasks on the global queue; a task
 *   spawning a child ({@linkcode spawn}) pushes it on its own worker's
 *   deque (LIFO for the owner, FIFO for thieves). An idle worker takes a
 *   batch from the global queue, else steals from a random victim, spins
 *   briefly, then parks on `Atomics.wait`; new work wakes as many parked
 *   workers as it needs (`_wake.ts`). An idle runtime uses no CPU.
 * - **Results** come back through each spawner's completion queue; the main
 *   thread waits for them with `Atomics.waitAsync`, never blocking.
 *
 * Nothing here uses `postMessage` after start-up except a worker's
 * `self.close()` notice.
 *
 * @module
 */

import { addDumpSource } from "../_dump_sources.ts";
import { dequeSize } from "./_deque.ts";
import { globalPushAll, globalSize } from "./_global_queue.ts";
import { CallQueue, type WaitingCall } from "./_call_queue.ts";
import { hasCompletions } from "./_completions.ts";
import {
  F_T0,
  H_NPARKED,
  type Layout,
  layoutFor,
  type Memory,
  memoryOf,
  now,
  O_DONE,
  O_PARKS,
  O_RUN,
  O_STEALS,
  O_WAITING,
  O_WAKE,
  OWNER_F64S,
  OWNER_WORDS,
} from "./_layout.ts";
import { wakeIdleWorker } from "./_wake.ts";
import {
  RUNNING,
  S_EXEC,
  S_FN,
  S_STATE,
  S_T_QUEUED,
  S_T_START,
  slotBase,
} from "./_slot.ts";
import { Registry } from "./_registry.ts";
import { WorkerPool } from "./_worker_pool.ts";
import { PortHub } from "./_buffer_hub.ts";
import { installHub, removeHub } from "../workers/_buffer_ids.ts";
import { PollBudget } from "../workers/_poll_budget.ts";
import { pollingWaits } from "../workers/_futex.ts";
import { type Reject, type Resolve, SlotOwner } from "./_slot_owner.ts";
import { RuntimeClosedError } from "./errors.ts";
import {
  closeMode,
  moveBuffers,
  show,
  startSettings,
  taskOptions,
} from "./_options.ts";
import type { CloseOptions, RuntimeOptions, TaskOptions } from "./options.ts";
import { buildTrace } from "./_trace.ts";
import { formatTasks, readTasks } from "./_task_dump.ts";
import type { TaskInfo } from "./goroutines.ts";
import type { TraceFile } from "./trace.ts";
import { Histogram } from "./_histogram.ts";
import {
  RuntimeEventTarget,
  WorkerCrashEvent,
  WorkerReplaceEvent,
} from "./events.ts";

import type { Tasks } from "./remote_task.ts";
import type { RuntimeStats, WorkerStats } from "./stats.ts";

/** The calls in flight with one `signal` option (`Runtime.#callsOf`). */
interface SignalCalls {
  /** Calls waiting for a free slot, in the overflow queue. */
  waiting: Set<WaitingCall>;
  /** The slots of calls dispatched and not yet settled. */
  slots: Set<number>;
  /** The one abort listener on the signal, removed once both sets empty. */
  onAbort: () => void;
}

function pow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Most entries `#refill` stages on the global queue before it publishes
 * them (and wakes a worker): a worker need not wait for the whole batch.
 */
const PUBLISH_EVERY = 64;

/** The last trace process id given to a runtime. */
let tracePids = 0;

/**
 * The least budget of the main thread's poll for results, in ms, and how
 * often (every this many polls) it polls for the whole of `spinMicros`:
 * a result that came through `waitAsync` tells how late it was only when
 * the event loop turned quickly (it adds tens of µs).
 */
const RESULT_POLL_MIN_MS = 0.002;
const RESULT_PROBE_EVERY = 16;

/**
 * A pool of `procs` workers that run tasks with work stealing: Go's
 * runtime scheduler for Deno. Start it with {@linkcode Runtime.start},
 * call tasks with {@linkcode Runtime.module} (typed) or
 * {@linkcode Runtime.go}, and close it (`await using` does).
 *
 * A task is an exported function of a module; the worker that runs it
 * imports the module (so it needs `--allow-read` for local files). Inside,
 * it may be async (it runs as a goroutine: awaiting does not block the
 * worker) and may fork children with {@linkcode spawn}.
 *
 * Errors: a task's error rejects the call with a {@linkcode TaskError}
 * (with the remote stack); a task whose worker dies rejects with a
 * {@linkcode WorkerCrashedError} (or re-runs, with `retries`) and the
 * worker is replaced; calls after `close()` throw
 * {@linkcode RuntimeClosedError}.
 *
 * Happens-before, as Go's memory model states it for `go` and channels:
 * what the caller did before a call synchronizes before the task starts
 * (its arguments are written, then the slot is published with an
 * `Atomics` store the worker loads), and what the task did before it
 * returned synchronizes before the call's promise settles. The same holds
 * between a parent task and each child it {@linkcode spawn}s. Arguments
 * and results are copies, so this orders only the effects that both sides
 * can see: shared memory and the outside world.
 *
 * Cancelled tasks: a call cancelled through its `signal`, or by
 * `close({ mode: "cancel" })`, rejects at once; the task's `taskSignal()`
 * aborts. A task still running `cancelGraceMs` (1 s by default) later is
 * abandoned: the runtime terminates its worker and starts a replacement.
 * Deno (as of 2.9) does not stop a terminated worker's thread while its
 * code loops without returning to the event loop (no library is needed to
 * see it: `new Worker` a module doing `for (;;) {}`, `terminate()` it, and
 * watch `process.cpuUsage()`), so such a task keeps a core busy until the
 * process exits; the runtime no longer counts it, its worker's leftover
 * code touches no runtime state and takes no further value or lock from a
 * shared channel or sync primitive (the runtime retires the worker before
 * it terminates it: see `Retirement` in `workers/`; a value the task would
 * have received stays in the channel for others), and the process can exit
 * (the runtime's workers are `node:worker_threads` workers, which do not
 * hold it open).
 *
 * @example Typed calls of a module's exports
 * ```ts
 * import { Runtime } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 2 });
 * // _example_tasks.ts stands for your module of exported task functions.
 * const tasks = rt.module<typeof import("./_example_tasks.ts")>(
 *   new URL("./_example_tasks.ts", import.meta.url),
 * );
 * const n: number = await tasks.fib(25); // arguments and result type-checked
 * assert.equal(n, 75025);
 * ```
 */
export class Runtime extends RuntimeEventTarget implements AsyncDisposable {
  #m: Memory;
  #layout: Layout;
  #procs: number;
  #registry: Registry;
  #pool: WorkerPool;
  /** Carries shared memory in payloads to the workers (`_buffer_hub.ts`). */
  #hub: PortHub | undefined;
  #slots: SlotOwner;
  /** Calls waiting for a free slot (`maxTasks` are in flight). */
  #overflow = new CallQueue();
  /** The settle functions of the promise `#capture` was last given. */
  #resolveNext: Resolve | undefined;
  #rejectNext: Reject | undefined;
  /**
   * The one executor of every call's promise: a closure per call costs
   * more (submitting 100,000 calls: about 100 ns a call against 130).
   */
  #capture = (resolve: Resolve, reject: Reject) => {
    this.#resolveNext = resolve;
    this.#rejectNext = reject;
  };
  /** Slots `#dispatch` has readied, for the global queue (`#publish`). */
  #staged = new Int32Array(PUBLISH_EVERY);
  #nStaged = 0;
  /** `#refill`'s hand for each call it takes from the overflow queue. */
  #takeWaiting = (call: WaitingCall) => {
    const signal = call.options?.signal;
    if (signal) this.#leaveWaiting(signal, call);
    this.#dispatch(
      call.fnId,
      call.args!,
      call.options,
      call.resolve!,
      call.reject!,
      this.#refillAt,
      true,
    );
  };
  /** When the calls `#refill` dispatches count as queued (`now()`). */
  #refillAt = 0;
  #inFlight = 0;
  #pumping = false;
  #closing = false;
  #closed: Promise<void> | undefined;
  #onClose: "wait" | "cancel";
  #idle: (() => void)[] = [];
  /** This runtime's process in traces: each runtime gets its own. */
  #tracePid = ++tracePids;
  /** Takes this runtime's tasks out of the SIGQUIT dump (`dumpOnSignal`). */
  #dropDump: () => void;
  #started: number;
  #spinMs = 0.02;
  /**
   * The budget of `#pollForResult`, at most `#spinMs`; when its last poll
   * gave up, that poll's start (`performance.now()`), else -1.
   */
  #resultPoll: PollBudget | undefined;
  #resultPollGaveUp = -1;
  #graceMs = 1000;
  #grace = new Map<number, ReturnType<typeof setTimeout>>();
  #latency = new Histogram();
  /** The calls in flight by their `signal` option (`#callsOf`). */
  #bySignal = new WeakMap<AbortSignal, SignalCalls>();
  /** When the batch of results being drained arrived; NaN between batches. */
  #settledAt = NaN;
  #queueWait = new Histogram();

  private constructor(m: Memory, onClose: "wait" | "cancel") {
    super();
    this.#m = m;
    this.#layout = m.layout;
    this.#procs = m.layout.procs;
    this.#registry = new Registry(m);
    this.#hub = PortHub.forMain();
    if (this.#hub) installHub(this.#hub);
    this.#dropDump = addDumpSource(() => {
      const tasks = this.goroutineDump();
      return tasks === ""
        ? ""
        : `runtime ${this.#tracePid}, ${this.#procs} workers:\n\n${tasks}`;
    });
    this.#pool = new WorkerPool(m, this.#hub, {
      crash: (w, reason) => this.dispatchEvent(new WorkerCrashEvent(w, reason)),
      replace: (w) => this.dispatchEvent(new WorkerReplaceEvent(w)),
    });
    this.#slots = new SlotOwner(m, this.#procs, this.#registry, (slot) => {
      const base = slotBase(m, slot);
      const queued = m.f64[(base + S_T_QUEUED) >> 1];
      const started = m.f64[(base + S_T_START) >> 1]; // NaN: it never ran
      let t = this.#settledAt; // one clock read per batch drained
      if (t !== t) t = this.#settledAt = now();
      this.#latency.record(t - queued);
      if (started === started) this.#queueWait.record(started - queued);
      if (this.#grace.size === 0) return;
      const timer = this.#grace.get(slot);
      if (timer !== undefined) {
        clearTimeout(timer);
        this.#grace.delete(slot);
      }
    });
    this.#onClose = onClose;
    this.#started = now();
    m.f64[F_T0] = this.#started;
  }

  /**
   * Starts a runtime and waits until its workers are ready.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * assert.equal(rt.procs, 1);
   * ```
   *
   * @param options Workers, closing behaviour, tracing, sizes and the
   *   grace period of cancelled tasks.
   * @returns The running runtime.
   * @throws {TypeError} If an option has the wrong type (`procs: "2"`).
   * @throws {RangeError} If an option is out of range (`procs: 0`,
   *   `maxTasks: Infinity`, `heapBytes: NaN`).
   */
  static async start(options?: RuntimeOptions): Promise<Runtime> {
    const settings = startSettings(options);
    const procs = settings.procs;
    const layout = layoutFor({
      procs,
      mainSlots: pow2(Math.max(16, settings.maxTasks)),
      workerSlots: 4096,
      dequeCapacity: 8192,
      traceEvents: settings.traceEvents,
      heapBytes: Math.ceil(settings.heapBytes / 8) * 8,
    });
    const m = memoryOf(new SharedArrayBuffer(layout.byteLength), layout);
    const rt = new Runtime(m, settings.onClose);
    rt.#spinMs = settings.spinMicros / 1000;
    rt.#graceMs = settings.cancelGraceMs;
    try {
      await rt.#pool.startAll();
    } catch (error) {
      await rt.#shutdown();
      throw error;
    }
    return rt;
  }

  /**
   * The number of workers.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 2 });
   * assert.equal(rt.procs, 2);
   * ```
   *
   * @returns The number of workers.
   */
  get procs(): number {
    return this.#procs;
  }

  /**
   * Whether `close()` has been called.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * const rt = await Runtime.start({ procs: 1 });
   * const closing = rt.close();
   * assert.equal(rt.closed, true);
   * await closing;
   * ```
   *
   * @returns Whether the runtime is closing or closed.
   */
  get closed(): boolean {
    return this.#closing;
  }

  /**
   * Typed access to the exported functions of module `url`: each becomes a
   * function that runs it as a task and resolves to its result. Pass the
   * module's type, `typeof import("./tasks.ts")` (a type-only import: the
   * main thread does not load the module), to check arguments and results.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 2 });
   * const { fib, slow } = rt.module<typeof import("./_example_tasks.ts")>(
   *   import.meta.resolve("./_example_tasks.ts"),
   * );
   * const n: number = await fib(25);
   * assert.equal(n, 75025);
   * const cancellable = slow.with({ signal: AbortSignal.timeout(10) });
   * await assert.rejects(cancellable(60_000), { name: "TimeoutError" });
   * ```
   *
   * @typeParam M The module's type.
   * @param url The module's URL (absolute: use `new URL(path, import.meta.url)` or `import.meta.resolve(path)`).
   * @returns Its task functions.
   */
  module<M>(url: string | URL): Tasks<M> {
    const href = new URL(url).href;
    const cache = new Map<string, unknown>();
    return new Proxy({}, {
      get: (_target, key) => {
        if (typeof key !== "string" || key === "then") return undefined;
        let task = cache.get(key);
        if (task === undefined) {
          const fnId = this.#registry.idOf(href, key);
          const call =
            (options: TaskOptions | undefined) => (...args: unknown[]) =>
              this.#call(fnId, args, options, "module()");
          task = Object.assign(call(undefined), {
            with: (options: TaskOptions) =>
              call(taskOptions(`Runtime.module(): ${key}.with()`, options)),
          });
          cache.set(key, task);
        }
        return task;
      },
    }) as Tasks<M>;
  }

  /**
   * Runs `url`'s export `name` with `args` as a task, untyped (see
   * {@linkcode Runtime.module} for the typed form).
   *
   * The arguments and the result are copied as data, except the shared
   * objects of `workers/` (`SharedChannel`, `SharedMutex`, ...,
   * `AtomicInt32`, `SharedContext`) and `SharedArrayBuffer`s and views
   * over one, at any depth: those arrive as objects of the same class over
   * the same memory. A function, a symbol or another class instance is
   * refused with a `TaskPayloadError` naming where it is.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const url = import.meta.resolve("./_example_tasks.ts");
   * const n = await rt.go<number>(url, "square", 12);
   * assert.equal(n, 144);
   * ```
   *
   * @example A channel as an argument
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import { SharedChannel } from "@denogo/go/workers";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const url = import.meta.resolve("./_example_tasks.ts");
   * const ch = new SharedChannel<number>({ capacity: 2, codec: "float64" });
   * const counting = rt.go(url, "count", ch, 3); // sends 1, 2, 3, closes
   * const got: number[] = [];
   * for await (const v of ch) got.push(v);
   * await counting;
   * assert.deepEqual(got, [1, 2, 3]);
   * ```
   *
   * @typeParam R The result type the caller expects.
   * @param url The module's URL.
   * @param name The exported function's name.
   * @param args Its arguments.
   * @returns The task's result.
   * @throws {RuntimeClosedError} If the runtime is closed.
   */
  go<R = unknown>(
    url: string | URL,
    name: string,
    ...args: unknown[]
  ): Promise<R> {
    if (this.#closing) throw new RuntimeClosedError("Runtime.go()");
    const fnId = this.#registry.idOf(new URL(url).href, name);
    return this.#call(fnId, args, undefined, "go()") as Promise<R>;
  }

  /**
   * {@linkcode Runtime.go} with call options (cancellation, retries,
   * transfer).
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const url = import.meta.resolve("./_example_tasks.ts");
   * const signal = AbortSignal.timeout(10);
   * await assert.rejects(rt.run(url, "slow", [60_000], { signal }), {
   *   name: "TimeoutError",
   * });
   * assert.equal(await rt.run(url, "slow", [1], { retries: 1 }), "done");
   * ```
   *
   * @typeParam R The result type the caller expects.
   * @param url The module's URL.
   * @param name The exported function's name.
   * @param args Its arguments.
   * @param options Call options: `signal`, `retries`, `transfer`.
   * @returns The task's result.
   * @throws {RuntimeClosedError} If the runtime is closed.
   * @throws {TypeError} If `args` is not an array or an option has the
   *   wrong type.
   * @throws {RangeError} If `retries` is not an integer in [0, 2147483647].
   */
  run<R = unknown>(
    url: string | URL,
    name: string,
    args: unknown[],
    options?: TaskOptions,
  ): Promise<R> {
    if (this.#closing) throw new RuntimeClosedError("Runtime.run()");
    if (!Array.isArray(args)) {
      throw new TypeError(
        `Runtime.run(): args must be an array of the task's arguments, ` +
          `received ${show(args)}`,
      );
    }
    const checked = taskOptions("Runtime.run()", options);
    const fnId = this.#registry.idOf(new URL(url).href, name);
    return this.#call(fnId, args, checked, "run()") as Promise<R>;
  }

  #call(
    fnId: number,
    args: unknown[],
    options: TaskOptions | undefined,
    what: string,
  ): Promise<unknown> {
    if (this.#closing) throw new RuntimeClosedError(`Runtime.${what} task`);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const promise = new Promise<unknown>(this.#capture);
    const resolve = this.#resolveNext!;
    const reject = this.#rejectNext!;
    this.#resolveNext = this.#rejectNext = undefined;
    this.#inFlight++;
    if (this.#overflow.size > 0 || this.#slots.free === 0) {
      const call = this.#overflow.push(fnId, args, options, resolve, reject);
      if (signal) this.#callsOf(signal).waiting.add(call);
    } else {
      try {
        this.#dispatch(fnId, args, options, resolve, reject, now(), false);
      } catch (error) {
        reject(error); // as a throw in the promise's executor would
      }
    }
    return promise;
  }

  /**
   * Takes a free slot (the caller checked there is one) and queues the
   * call; `queuedAt` is the time it counts as queued (`now()`). A `staged`
   * call joins the global queue with others (`#refill` calls `#publish`),
   * else at once.
   */
  #dispatch(
    fnId: number,
    args: unknown[] | number,
    options: TaskOptions | undefined,
    resolve: Resolve,
    reject: Reject,
    queuedAt: number,
    staged: boolean,
  ): void {
    const m = this.#m;
    const slots = this.#slots;
    const slot = slots.take();
    let filled = false; // (a fill that throws gives the slot back itself)
    try {
      slots.fill(slot, fnId, args, options?.retries ?? 0);
      filled = true;
      const at = slotBase(m, slot);
      m.f64[(at + S_T_QUEUED) >> 1] = queuedAt;
      m.f64[(at + S_T_START) >> 1] = NaN;
      // The `transfer` option: the caller's buffers are detached once copied.
      const transfer = options?.transfer;
      if (transfer) moveBuffers(transfer);
    } catch (error) {
      if (filled) slots.release(slot);
      this.#inFlight--;
      reject(error);
      this.#checkIdle();
      return;
    }
    const signal = options?.signal;
    if (signal) {
      const calls = this.#callsOf(signal);
      calls.slots.add(slot);
      slots.publish(slot, resolve, reject, () => {
        calls.slots.delete(slot);
        this.#forgetIfDone(signal, calls);
      });
    } else {
      slots.publish(slot, resolve, reject);
    }
    this.#staged[this.#nStaged++] = slot;
    if (!staged || this.#nStaged === PUBLISH_EVERY) this.#publish();
    if (signal?.aborted) this.#cancel(slot, signal.reason);
    if (!this.#pumping) this.#pump();
  }

  /** Queues the slots `#dispatch` staged; wakes a worker for them. */
  #publish(): void {
    if (this.#nStaged === 0) return;
    globalPushAll(this.#m, this.#staged, this.#nStaged);
    this.#nStaged = 0;
    wakeIdleWorker(this.#m);
  }

  /**
   * The calls in flight with `signal`, which its one abort listener
   * cancels: those waiting for a slot and the slots of those dispatched.
   * (A listener per call would cost O(listeners) to add and remove, so
   * O(n²) for n calls sharing a signal, and stayed on it after the call.)
   */
  #callsOf(signal: AbortSignal): SignalCalls {
    let calls = this.#bySignal.get(signal);
    if (calls === undefined) {
      const these: SignalCalls = calls = {
        waiting: new Set(),
        slots: new Set(),
        onAbort: () => {
          this.#bySignal.delete(signal);
          for (const call of these.waiting) {
            this.#dropWaiting(call, signal.reason);
          }
          these.waiting.clear();
          for (const slot of [...these.slots]) {
            this.#cancel(slot, signal.reason);
          }
        },
      };
      this.#bySignal.set(signal, these);
      signal.addEventListener("abort", these.onAbort, { once: true });
    }
    return calls;
  }

  /**
   * Takes `call`, leaving the overflow queue (dispatched or rejected), off
   * the waiting calls of its `signal`. A dispatched call joins them again
   * by its slot; a call whose payload its dispatch refuses leaves no
   * listener.
   */
  #leaveWaiting(signal: AbortSignal, call: WaitingCall): void {
    const calls = this.#bySignal.get(signal);
    if (calls === undefined) return;
    calls.waiting.delete(call);
    this.#forgetIfDone(signal, calls);
  }

  /**
   * Takes the abort listener off `signal` once none of its calls is in
   * flight: a long-lived signal (one per process, say) would otherwise
   * keep this runtime, closed or not, alive through its listener.
   */
  #forgetIfDone(signal: AbortSignal, calls: SignalCalls): void {
    if (calls.waiting.size !== 0 || calls.slots.size !== 0) return;
    if (this.#bySignal.get(signal) !== calls) return;
    this.#bySignal.delete(signal);
    signal.removeEventListener("abort", calls.onAbort);
  }

  /**
   * Rejects `call`, if it still waits for a slot, with `reason`; unqueues
   * it (in O(1): a signal shared by n waiting calls aborts them in O(n)).
   */
  #dropWaiting(call: WaitingCall, reason: unknown): void {
    const reject = this.#overflow.remove(call);
    if (reject === undefined) return;
    this.#inFlight--;
    reject(reason);
    this.#checkIdle();
  }

  /**
   * Rejects `slot`'s call with `reason` now and requests the task's
   * cancellation; if the task is still running `cancelGraceMs` later, it
   * is abandoned (see {@linkcode Runtime.#abandon}).
   */
  #cancel(slot: number, reason: unknown): void {
    if (!this.#slots.cancel(slot, reason) || this.#pool.stopping) return;
    if (this.#grace.has(slot)) return;
    this.#grace.set(slot, setTimeout(() => this.#abandon(slot), this.#graceMs));
  }

  /**
   * Ends a cancelled task that is still running after its grace period:
   * terminates the worker running it (the only way to stop a thread busy
   * in a loop) and replaces it, as if it had crashed. A task still queued
   * is left alone: it comes back unrun when a worker reaches it.
   */
  #abandon(slot: number): void {
    this.#grace.delete(slot);
    if (this.#pool.stopping) return;
    const m = this.#m;
    const base = slotBase(m, slot);
    if (Atomics.load(m.i32, base + S_STATE) !== RUNNING) return;
    const exec = Atomics.load(m.i32, base + S_EXEC);
    if (exec < 0) return;
    const { name } = this.#registry.nameOf(m.i32[base + S_FN]);
    this.#pool.kill(
      exec,
      `terminated: task "${name}" ran on ${this.#graceMs} ms after its ` +
        `cancellation (the cancelGraceMs option)`,
    );
  }

  /** Collects results until nothing from the main thread is in flight. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    const m = this.#m;
    const i32 = m.i32;
    const owner = this.#procs;
    const block = this.#layout.owners + owner * OWNER_WORDS;
    try {
      while (this.#inFlight > 0 && !this.#pool.stopping) {
        if (this.#drain()) {
          await null; // let the callers' continuations run
          continue;
        }
        if (this.#spinMs > 0 && await this.#pollForResult()) continue;
        const seen = Atomics.load(i32, block + O_WAKE);
        Atomics.store(i32, block + O_WAITING, 1);
        if (hasCompletions(m, owner) || this.#pool.stopping) {
          Atomics.store(i32, block + O_WAITING, 0);
          continue;
        }
        const wait = Atomics.waitAsync(i32, block + O_WAKE, seen);
        if (wait.async) await wait.value;
        Atomics.store(i32, block + O_WAITING, 0);
        if (this.#resultPollGaveUp >= 0) {
          this.#resultPoll!.late(performance.now() - this.#resultPollGaveUp);
          this.#resultPollGaveUp = -1;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Polls the main completion queue for up to `spinMicros`: a result that
   * arrives within microseconds is taken without the event-loop round trip
   * of `Atomics.waitAsync`, which costs tens of microseconds. A microtask
   * turn per poll: the main thread's other work goes on meanwhile. A task
   * that waits for the main thread (a value it sends on a shared channel)
   * would otherwise wait out the whole spin first, and the result the spin
   * waited for then come through `waitAsync` (about 80 µs per such task,
   * against 8 µs).
   *
   * The budget adapts (`PollBudget`, at most `spinMicros`, the whole of it
   * every `RESULT_PROBE_EVERY`th poll): it doubles when a result comes
   * while it polls (and covers the time it took), and halves when a poll
   * gives up, so a runtime whose tasks are long spends little main-thread
   * time polling for them. While the main thread also polls the words of
   * its own waits on shared primitives (`pollingWaits()`: it sends to a
   * task, or waits for one to ask), the budget starts again at each look
   * at the clock: those turns are spent anyway, and the task's result
   * usually follows (a give-up there cost a `waitAsync` trip of tens of
   * µs in about one call in ten of the wake bench's "fed by the main
   * thread" row).
   */
  async #pollForResult(): Promise<boolean> {
    const m = this.#m;
    const owner = this.#procs;
    const budget = this.#resultPoll ??= new PollBudget(
      Math.min(RESULT_POLL_MIN_MS, this.#spinMs),
      this.#spinMs,
      RESULT_PROBE_EVERY,
    );
    const ms = budget.begin();
    // The budget runs from `from`: while this thread also polls the words
    // of its waits on shared primitives (`pollingWaits()`), its microtask
    // turns are spent anyway and a result is likely on its way (the task
    // waits for what this thread sends it), so the budget starts again.
    let from = performance.now();
    let until = from + ms;
    for (let polls = 1;; polls++) {
      if (hasCompletions(m, owner)) {
        budget.hit(polls > 1 ? performance.now() - from : 0);
        return true;
      }
      if ((polls & 7) === 0) {
        const t = performance.now();
        if (pollingWaits()) {
          from = t;
          until = t + ms;
        } else if (t >= until) {
          budget.missed();
          this.#resultPollGaveUp = from;
          return false;
        }
      }
      await null;
    }
  }

  /** Settles every completed call in the main completion queue; returns whether any. */
  #drain(): boolean {
    this.#settledAt = NaN;
    const n = this.#slots.drain();
    this.#settledAt = NaN;
    if (n === 0) return false;
    this.#inFlight -= n;
    this.#refill();
    return true;
  }

  /**
   * Dispatches calls that waited for a free slot, their queue entries
   * published `PUBLISH_EVERY` at a time (the queue's tail is a cache line
   * every worker reads); resolves idle waiters.
   */
  #refill(): void {
    const overflow = this.#overflow;
    if (overflow.size > 0 && this.#slots.free > 0) {
      this.#refillAt = now(); // one clock read per batch dispatched
      try {
        while (this.#slots.free > 0 && overflow.shift(this.#takeWaiting));
      } finally {
        this.#publish();
      }
    }
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.#inFlight !== 0) return;
    if (this.listensForIdle) this.dispatchEvent(new Event("idle"));
    if (this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  }

  /**
   * A snapshot of the runtime's counters: tasks pending, queued, running
   * and finished; steals and parks; per-worker utilisation.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const stats = rt.stats();
   * assert.equal(stats.workers.length, 1);
   * assert.equal(stats.pending, 0);
   * ```
   *
   * @returns The counters.
   */
  stats(): RuntimeStats {
    const m = this.#m;
    const { i32, f64 } = m;
    const age = Math.max(1e-9, now() - this.#started);
    const workers: WorkerStats[] = [];
    let queued = globalSize(m);
    let running = 0, finished = 0, steals = 0, parks = 0;
    for (let w = 0; w < this.#procs; w++) {
      const block = this.#layout.owners + w * OWNER_WORDS;
      const started = Atomics.load(i32, block + O_RUN);
      const done = Atomics.load(i32, block + O_DONE);
      const busyMs = f64[this.#layout.ownerF64 + w * OWNER_F64S];
      const stats: WorkerStats = {
        index: w,
        started,
        finished: done,
        queued: dequeSize(m, w),
        steals: Atomics.load(i32, block + O_STEALS),
        parks: Atomics.load(i32, block + O_PARKS),
        busyMs,
        utilisation: Math.min(1, busyMs / age),
      };
      workers.push(stats);
      queued += stats.queued;
      running += Math.max(0, started - done);
      finished += done;
      steals += stats.steals;
      parks += stats.parks;
    }
    return {
      procs: this.#procs,
      pending: this.#inFlight,
      queued,
      running,
      finished,
      steals,
      parks,
      parked: Atomics.load(i32, H_NPARKED),
      crashes: this.#pool.crashes,
      latency: this.#latency.snapshot(),
      queueWait: this.#queueWait.snapshot(),
      workers,
    };
  }

  /**
   * Every task the runtime holds now, queued or running, read from its
   * shared memory without stopping anything: the runtime's part of Go's
   * goroutine dump (tier-1 goroutines of this thread are in
   * `goroutines()` of `@denogo/go`). A task awaiting something inside its
   * worker is `"running"`: the runtime sees that it started and has not
   * returned, not what it awaits.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const url = import.meta.resolve("./_example_tasks.ts");
   * const call = rt.go<number>(url, "square", 3);
   * const [task] = rt.goroutines();
   * assert.equal(task.function, "square");
   * assert.equal(task.createdBy, "main thread");
   * assert.equal(await call, 9);
   * assert.deepEqual(rt.goroutines(), []);
   * ```
   *
   * @returns The live tasks, by slot.
   */
  goroutines(): TaskInfo[] {
    return readTasks(this.#m, this.#registry);
  }

  /**
   * {@linkcode Runtime.goroutines} as Go's `SIGQUIT` traceback prints
   * goroutines: one block per task, `goroutine <id> [<state>, worker <n>]:`,
   * its function and module, and who created it.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const url = import.meta.resolve("./_example_tasks.ts");
   * const call = rt.go<number>(url, "square", 3);
   * assert.match(rt.goroutineDump(), /^goroutine \d+ \[(runnable|running)/);
   * await call;
   * ```
   *
   * @returns The dump; empty when no task is live.
   */
  goroutineDump(): string {
    return formatTasks(this.goroutines());
  }

  /**
   * The trace recorded so far, in the Chrome trace event format (start the
   * runtime with `trace: true`): one track per worker, one slice per task.
   * Write it with `Deno.writeTextFile("trace.json", JSON.stringify(trace))`
   * and open it in Perfetto.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1, trace: true });
   * const trace = rt.trace();
   * assert.ok(Array.isArray(trace.traceEvents));
   * ```
   *
   * @returns The trace.
   */
  trace(): TraceFile {
    return buildTrace(
      this.#m,
      (id) => this.#registry.nameOf(id),
      this.#tracePid,
      now() - this.#m.f64[F_T0],
    );
  }

  /**
   * Closes the runtime: new calls throw {@linkcode RuntimeClosedError};
   * then, with `mode: "wait"` (the default unless the runtime was started
   * with `onClose: "cancel"`), waits for every call made from the main
   * thread to settle, or with `mode: "cancel"` rejects them at once with
   * {@linkcode RuntimeClosedError} and cancels their tasks; then terminates
   * the workers.
   *
   * It always returns once the tasks it waits for have: a cancelled task
   * (by its `signal` or by `mode: "cancel"`) counts until it returns or
   * its grace period (`cancelGraceMs`) ends, when the runtime abandons it.
   * A `"wait"` close does wait for a task that never ends and was never
   * cancelled; calling `close({ mode: "cancel" })` then cancels it, and
   * both calls' promise (the same one) settles within the grace period.
   * Once it has resolved, every worker has been terminated and the process
   * can exit (see the class notes for a task stuck in an endless loop).
   *
   * @example Usage
   * ```ts
   * import { Runtime, RuntimeClosedError } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * const rt = await Runtime.start({ procs: 1 });
   * await rt.close();
   * assert.throws(() => rt.go(import.meta.url, "f"), RuntimeClosedError);
   * ```
   *
   * @example Cancel what is left after a close that waits too long
   * ```ts
   * import { Runtime, RuntimeClosedError } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * const rt = await Runtime.start({ procs: 1, cancelGraceMs: 100 });
   * const url = import.meta.resolve("./_example_tasks.ts");
   * const call = rt.run(url, "slow", [60_000]);
   * const rejected = assert.rejects(call, RuntimeClosedError);
   * const closing = rt.close(); // would wait a minute
   * await rt.close({ mode: "cancel" }); // rejects the call, ends the task
   * await rejected;
   * await closing;
   * ```
   *
   * @param options How to treat unfinished tasks.
   * @returns A promise that resolves once the workers are stopped.
   * @throws {TypeError} If `options` is not an object.
   * @throws {RangeError} If `mode` is neither `"wait"` nor `"cancel"`.
   */
  close(options?: CloseOptions): Promise<void> {
    const mode = closeMode(options, this.#onClose);
    this.#closing = true;
    // A cancel after a pending close (say, a "wait" stuck on a task that
    // never ends) escalates it: the same promise, now bound to settle.
    if (mode === "cancel" && !this.#pool.stopping) this.#cancelAll();
    if (this.#closed) return this.#closed;
    this.#closed = (async () => {
      if (this.#inFlight > 0) {
        await new Promise<void>((resolve) => this.#idle.push(resolve));
      }
      await this.#pool.settled();
      await this.#shutdown();
      this.dispatchEvent(new Event("close"));
    })();
    return this.#closed;
  }

  #cancelAll(): void {
    const reason = () =>
      new RuntimeClosedError(
        "close",
        'Runtime.close({ mode: "cancel" }) cancelled the task',
      );
    const reject = (call: WaitingCall) => {
      const signal = call.options?.signal;
      if (signal) this.#leaveWaiting(signal, call);
      this.#inFlight--;
      call.reject!(reason());
    };
    while (this.#overflow.shift(reject));
    const slots = this.#slots;
    for (let slot = slots.first; slot < slots.first + slots.count; slot++) {
      if (slots.awaited(slot)) this.#cancel(slot, reason());
    }
    this.#checkIdle();
  }

  /** Stops the workers (see `WorkerPool.stop`) and the grace timers. */
  #shutdown(): Promise<void> {
    this.#closing = true;
    this.#dropDump();
    for (const timer of this.#grace.values()) clearTimeout(timer);
    this.#grace.clear();
    if (this.#hub) {
      removeHub(this.#hub);
      this.#hub.close();
    }
    return this.#pool.stop();
  }

  /**
   * Closes the runtime as {@linkcode Runtime.close} does with the
   * `onClose` mode, for `await using`.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   *
   * await using _rt = await Runtime.start({ procs: 1 });
   * ```
   *
   * @returns A promise that resolves once the workers are stopped.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
