// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A worker's scheduler loop: Go's P (a local run queue) and M (the thread
 * that runs it) in one. See `runtime.ts` for the whole picture.
 *
 * The loop, in order: take completions of children this worker spawned
 * (its completion queue); take cancellations; pop the newest task of its own deque;
 * else take a batch from the global queue; else steal the oldest task of a
 * random victim; else spin briefly (at most half the workers spin), then
 * park. A task runs as a tier-1 goroutine: its synchronous part runs to
 * its first `await`, then the loop goes on with other tasks, and the task
 * resumes when what it awaits settles. So a task blocked on a channel or a
 * child does not block its worker.
 *
 * A task's identity (`TaskContext`: for `spawn()`'s parent link and the
 * goroutine dump's waits) follows it across awaits in an
 * `AsyncLocalStorage`, entered per task, except for a plain function known
 * to return plain values (`#sync`): it gets its context in its
 * synchronous part only, which is all of it.
 *
 * Parking blocks the thread (`Atomics.wait`) only when no task of this
 * worker is suspended; otherwise it waits with `Atomics.waitAsync`, so
 * timers, I/O and promise continuations of the suspended tasks still run.
 * The loop also yields a macrotask every few milliseconds while it is busy,
 * for the same reason.
 *
 * Before it parks with suspended tasks, the loop wakes their waits on
 * shared primitives itself (`#pollWaits`): it polls the waits' futex words
 * for up to `POLL_MAX_MS`, a microtask turn per poll, then sleeps on them with
 * `Atomics.wait` in slices for up to `SLEEP_MS`, and runs the waits whose
 * word changed. While the loop runs, `_futex.ts` puts out no
 * `Atomics.waitAsync` for new waits; it arms them all when the loop goes
 * back to its event loop (parking, a macrotask yield, a module load).
 *
 * @module
 */

import { liveGoroutines } from "../_goroutines.ts";
import { AsyncLocalStorage } from "./_async_store.ts";
import { ABORT, dequeSize, EMPTY, pop, push, steal } from "./_deque.ts";
import { globalSize, globalTake } from "./_global_queue.ts";
import { hasCompletions, pushCompletion } from "./_completions.ts";
import {
  ENDED_CANCELLED,
  ENDED_FAILED,
  ENDED_OK,
  ENDED_UNRUN,
  F_T0,
  H_NPARKED,
  H_NSPINNING,
  H_STATE,
  type Memory,
  now,
  O_CANCEL,
  O_DONE,
  O_GEN,
  O_PARKED,
  O_PARKS,
  O_RUN,
  O_SPINNING,
  O_STEALS,
  O_TRACE_N,
  O_WAITING,
  O_WAKE,
  OWNER_F64S,
  OWNER_WORDS,
  STEAL_RECORD,
} from "./_layout.ts";
import {
  leaveParkedSet,
  wakeIdleWorker,
  wakeIfWaiting,
  wakeOwner,
} from "./_wake.ts";
import {
  CANCELLED,
  cancelSlot,
  DONE,
  FINISHING,
  FLAG_CANCEL,
  K_CANCELLED,
  QUEUED,
  RUNNING,
  S_EXEC,
  S_FLAGS,
  S_FN,
  S_SPAWNER,
  S_STATE,
  S_T_START,
  S_WAIT,
  slotBase,
} from "./_slot.ts";
import { noteTaskWaits } from "./_task_waits.ts";
import { recordAt } from "./_trace.ts";
import { readArgs, writeError, writeMarker, writeResult } from "./_payload.ts";
import { Registry } from "./_registry.ts";
import {
  armWaits,
  deferWaits,
  onWaitWhileIdle,
  pollWords,
  sleepOnWords,
} from "../workers/_futex.ts";
import { PollBudget } from "../workers/_poll_budget.ts";
import { type Reject, type Resolve, SlotOwner } from "./_slot_owner.ts";
import type { ProcessorHooks } from "./spawn.ts";

// deno-lint-ignore no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/** How long an idle worker looks for work before it parks, in ms. */
const SPIN_MS = 0.05;
/**
 * How long a worker whose tasks all wait polls the words of their waits
 * on shared primitives, a microtask turn per poll, in ms, at most and at
 * least (the budget adapts, see `#pollWaits`); how long it then sleeps on
 * them with `Atomics.wait` before it parks, in ms, and the slice of one
 * sleep.
 */
const POLL_MAX_MS = 0.02;
const POLL_MIN_MS = 0.002;
const SLEEP_MS = 1;
const SLICE_MS = 0.1;
/** Polls of the words between two looks at the clock and the queues. */
const CHECK_EVERY = 8;
/**
 * How long a worker whose tasks wait for children it spawned sleeps in
 * `Atomics.wait` before it parks with `Atomics.waitAsync`, in ms: a
 * child's completion (or new work) wakes it in microseconds rather than
 * tens, at the cost of delaying the worker's timers and I/O by as much.
 */
const CHILD_WAIT_MS = 0.2;
/** Longest stretch of work between two macrotask yields, in ms. */
const YIELD_EVERY_MS = 4;
/** Most tasks taken from the global queue at once. */
const BATCH = 64;

/**
 * A running task's identity, carried across its awaits by an
 * `AsyncLocalStorage`, so that `spawn()` knows its parent even after the
 * parent's first `await`. `slot` is only trusted while `live` maps it to
 * this very object (the slot is reused once the task completes).
 */
interface TaskContext {
  slot: number;
  /** Its waits the goroutine dump sees (`_task_waits.ts`). */
  waits: number;
  /**
   * The slots of its children not yet settled, which its signal's one
   * abort listener cancels (see `#link`); made with its first child.
   */
  kids: Set<number> | undefined;
}

/** One worker's scheduler. */
export class Processor implements ProcessorHooks {
  readonly index: number;
  #m: Memory;
  #i32: Int32Array;
  #block: number;
  #procs: number;
  #registry: Registry;
  #fns: (AnyFunction | undefined)[] = [];
  #names = new WeakMap<AnyFunction, { url: string; name: string }>();
  #slots: SlotOwner;
  #suspended = 0;
  #running = new Set<number>();
  #controllers = new Map<number, AbortController>();
  #context = new AsyncLocalStorage<TaskContext>();
  /**
   * By function id: true once a plain (not `async`) function returned a
   * value that is not a thenable, false once one returned a thenable.
   * A known synchronous function runs without `#context` (entering an
   * `AsyncLocalStorage` costs about as much as the rest of a tiny task):
   * no code of it runs after it returns with the task still live, so
   * its synchronous part is all that needs its context, `#syncTask`.
   */
  #sync: (boolean | undefined)[] = [];
  /** The context of the known synchronous task running now. */
  #syncTask: TaskContext | undefined;
  /** The context of each slot's running task, by slot id. */
  #live: (TaskContext | undefined)[];
  #current = -1;
  #cancelSeen = 0;
  #batch = new Int32Array(BATCH);
  #trace: boolean;
  #statF64: number;
  #macrotask: () => Promise<void>;
  #unpark: ((value?: unknown) => void) | undefined;
  #gen: number;
  /** `#pollWaits`' budget of polls. */
  #budget = new PollBudget(POLL_MIN_MS, POLL_MAX_MS, 0);
  /** When the last task's synchronous part ended (`performance.now()`), or NaN. */
  #ended = NaN;

  /** Opens worker `index`'s processor on `m`. */
  constructor(m: Memory, index: number, gen: number) {
    this.#gen = gen;
    this.#m = m;
    this.#i32 = m.i32;
    this.index = index;
    this.#procs = m.layout.procs;
    this.#block = m.layout.owners + index * OWNER_WORDS;
    this.#registry = new Registry(m);
    // A replacement worker inherits the slots still in flight; they return
    // through the completion queue and are freed then.
    this.#slots = new SlotOwner(m, index, this.#registry);
    this.#trace = m.layout.traceEvents > 0;
    this.#statF64 = m.layout.ownerF64 + index * OWNER_F64S;
    const slotCount = m.layout.slotCount.reduce((a, b) => a + b, 0);
    this.#live = new Array(slotCount).fill(undefined);
    this.#cancelSeen = Atomics.load(this.#i32, this.#block + O_CANCEL);
    noteTaskWaits(
      m,
      () => this.#task(),
      (task) => this.#live[task.slot] === task,
    );
    const channel = new MessageChannel();
    let wakeUp: (() => void) | undefined;
    channel.port1.onmessage = () => wakeUp?.();
    this.#macrotask = () =>
      new Promise<void>((resolve) => {
        wakeUp = resolve;
        channel.port2.postMessage(0);
      });
  }

  /** Runs the scheduler loop until the runtime closes. */
  async run(): Promise<void> {
    const i32 = this.#i32;
    let lastYield = performance.now();
    onWaitWhileIdle(() => this.#unpark?.());
    deferWaits();
    // When the last task ended, while nothing else has run since.
    let ended = NaN;
    while (Atomics.load(i32, H_STATE) === 0 && !this.#stale()) {
      if (this.#slots.drain() > 0) ended = NaN;
      if (Atomics.load(i32, this.#block + O_CANCEL) !== this.#cancelSeen) {
        this.#takeCancellations();
        ended = NaN;
      }
      if (this.#pending()) pollWords();
      let slot = pop(this.#m, this.index);
      // A task taken from the deque at once starts when the last ended:
      // one clock read per task, not two.
      let t0 = slot >= 0 ? ended : NaN;
      ended = NaN;
      // Spinning for work would hold back the continuations of suspended
      // tasks: `#pollWaits` spins for them and for work alike.
      if (slot < 0) {
        slot = this.#pending() ? this.#findWork() : this.#search();
      }
      if (slot >= 0) {
        if (t0 !== t0) t0 = performance.now();
        const loading = this.#execute(slot, t0);
        // Load a task's module before taking more work: a thief must not
        // hoard tasks it cannot run yet.
        if (loading !== undefined) {
          armWaits();
          await loading;
          deferWaits();
        }
        // The task's end time serves unless other code ran since.
        let t = loading === undefined ? this.#ended : NaN;
        this.#ended = NaN;
        if (this.#pending()) {
          await null; // let continuations run
          t = NaN;
        }
        if (t !== t) t = performance.now();
        if (t - lastYield > YIELD_EVERY_MS) {
          await this.#yield();
          lastYield = performance.now();
        } else if (!this.#pending()) ended = t;
        continue;
      }
      if (this.#pending()) {
        await null; // a continuation may be ready to run
        if (hasCompletions(this.#m, this.index)) continue;
        // One clock read serves the yield's check and the poll's start.
        const t = performance.now();
        if (t - lastYield > YIELD_EVERY_MS) {
          await this.#yield();
          lastYield = performance.now();
          continue;
        }
        if (await this.#pollWaits(t)) continue;
      }
      armWaits();
      await this.#park();
      deferWaits();
      lastYield = performance.now();
    }
    armWaits();
    onWaitWhileIdle(() => {});
  }

  /**
   * Whether code of this worker's tasks is still to run: a task is
   * suspended, or a goroutine one of them started with `go()` is live (a
   * plain task that returned may leave one behind, which the loop must not
   * starve by running on or parking on the thread).
   */
  #pending(): boolean {
    return this.#suspended > 0 || liveGoroutines() > 0;
  }

  /** Yields a macrotask, so timers and I/O are served: waits are armed. */
  async #yield(): Promise<void> {
    armWaits();
    await this.#macrotask();
    deferWaits();
  }

  /**
   * The fast wake-up of goroutines in this worker (`_futex.ts`), from
   * `start` (`performance.now()`, read by the caller): with
   * nothing to run and tasks suspended, the loop polls the words of their
   * waits on shared primitives for its budget, a microtask turn per poll
   * (so continuations and promise chains of the tasks run on), then sleeps
   * on those words with `Atomics.wait`, a `SLICE_MS` slice at a time, for
   * up to `SLEEP_MS`, and runs the waits whose word changed. Another
   * thread's `send`, `unlock` or `done` notifies the word, so it wakes a
   * goroutine here in microseconds, where `Atomics.waitAsync` takes tens.
   * Returns true once a wait ran, or work, a wake-up or the runtime's
   * close shows (seen between slices); false when the budget is spent or
   * no wait is on a shared word, and the caller parks. Timers and I/O of
   * the worker wait at most `POLL_MAX_MS + SLEEP_MS` for it.
   *
   * The budget of polls (`PollBudget`, between `POLL_MIN_MS` and
   * `POLL_MAX_MS`) learns from each call: a wait that ran while polling,
   * or while sleeping but within `POLL_MAX_MS` of the start, doubles it
   * (and makes it cover that wait's time); a wait that came later, or
   * none before the loop parks, halves it. So a worker whose peers answer
   * within the maximum polls long enough to catch them, and one whose
   * waits outlast the polls, or whose peers do not get a core while it
   * spins (a loaded machine), sleeps at once rather than taking the core
   * they need.
   */
  async #pollWaits(start: number): Promise<boolean> {
    const i32 = this.#i32;
    const budget = this.#budget;
    const seen = Atomics.load(i32, this.#block + O_WAKE);
    let t = start;
    const spinUntil = start + budget.begin();
    const sleepUntil = spinUntil + SLEEP_MS;
    let spun = false;
    for (let polls = 0;; polls++) {
      if (pollWords() > 0) {
        // A wait that ran while polling is within the budget (give or take
        // the polls since the last look at the clock), and `hit` then
        // doubles it whatever `ms` is: no clock read on the fast path.
        if (spun) budget.late(performance.now() - start);
        else budget.hit(0);
        // Let the woken tasks' continuations run first (a promise's
        // reaction, then the task's code up to its next wait or wake-up
        // of another thread), before the loop's own look for work.
        await null;
        await null;
        return true;
      }
      // The rest is looked at every few polls: a poll is a word load and a
      // microtask turn, the clock and the queues cost more than both.
      if (t < spinUntil && (polls & (CHECK_EVERY - 1)) !== 0) {
        await null;
        continue;
      }
      if (
        Atomics.load(i32, this.#block + O_WAKE) !== seen ||
        Atomics.load(i32, H_STATE) !== 0 || this.#stale() ||
        this.#workVisible()
      ) return true;
      if (t < spinUntil) await null;
      else {
        if (!spun) {
          spun = true;
          budget.missed();
        }
        if (t >= sleepUntil || !sleepOnWords(SLICE_MS)) return false;
      }
      t = performance.now();
    }
  }

  /**
   * Looks for work elsewhere (global queue, then stealing), spinning for up
   * to `SPIN_MS` while it finds none; returns a slot or EMPTY. While it
   * spins it counts in `H_NSPINNING`, so new work does not wake a parked
   * worker for nothing (Go's rule); at most half the workers spin.
   */
  #search(): number {
    const i32 = this.#i32;
    const spinning = Atomics.load(i32, H_NSPINNING);
    if (spinning * 2 >= Math.max(2, this.#procs)) return this.#findWork();
    Atomics.add(i32, H_NSPINNING, 1);
    Atomics.store(i32, this.#block + O_SPINNING, 1);
    let slot = EMPTY;
    let until = 0;
    for (;;) {
      slot = this.#findWork();
      if (slot >= 0 || hasCompletions(this.#m, this.index)) break;
      if (
        Atomics.load(i32, this.#block + O_CANCEL) !== this.#cancelSeen ||
        Atomics.load(i32, H_STATE) !== 0
      ) break;
      const t = performance.now();
      if (until === 0) until = t + SPIN_MS;
      else if (t >= until) break;
    }
    Atomics.store(i32, this.#block + O_SPINNING, 0);
    Atomics.sub(i32, H_NSPINNING, 1);
    return slot;
  }

  // Finding work. -------------------------------------------------------

  #findWork(): number {
    const m = this.#m;
    const space = m.layout.dequeCapacity - dequeSize(m, this.index);
    const k = globalTake(m, this.#batch, Math.min(BATCH, space + 1));
    if (k > 0) {
      for (let i = 1; i < k; i++) push(m, this.index, this.#batch[i]);
      if (k > 1 || globalSize(m) > 0) wakeIdleWorker(m);
      return this.#batch[0];
    }
    const procs = this.#procs;
    if (procs > 1) {
      const start = (Math.random() * procs) | 0;
      for (let round = 0; round < 2; round++) {
        for (let j = 0; j < procs; j++) {
          const victim = (start + j) % procs;
          if (victim === this.index) continue;
          let slot = steal(m, victim);
          if (slot === ABORT) slot = steal(m, victim);
          if (slot >= 0) {
            Atomics.add(this.#i32, this.#block + O_STEALS, 1);
            if (this.#trace) this.#recordSteal(victim, slot);
            return slot;
          }
        }
      }
    }
    return EMPTY;
  }

  #workVisible(): boolean {
    const m = this.#m;
    if (globalSize(m) > 0 || hasCompletions(m, this.index)) return true;
    for (let w = 0; w < this.#procs; w++) {
      if (dequeSize(m, w) > 0) return true;
    }
    return Atomics.load(this.#i32, this.#block + O_CANCEL) !== this.#cancelSeen;
  }

  async #park(): Promise<void> {
    const i32 = this.#i32;
    const block = this.#block;
    Atomics.store(i32, block + O_PARKED, 1);
    Atomics.add(i32, H_NPARKED, 1);
    const seen = Atomics.load(i32, block + O_WAKE);
    Atomics.store(i32, block + O_WAITING, 1);
    if (this.#workVisible() || Atomics.load(i32, H_STATE) !== 0) {
      Atomics.store(i32, block + O_WAITING, 0);
      leaveParkedSet(this.#m, this.index);
      return;
    }
    Atomics.add(i32, block + O_PARKS, 1);
    if (!this.#pending()) {
      Atomics.wait(i32, block + O_WAKE, seen);
    } else if (
      // A fork-join parent waits for children: their completions come
      // through O_WAKE, so wait for them on the thread for a little while.
      this.#slots.free < this.#slots.count &&
      Atomics.wait(i32, block + O_WAKE, seen, CHILD_WAIT_MS) !== "timed-out"
    ) {
      // Woken (or O_WAKE had already moved): work or a completion is here.
    } else {
      const result = Atomics.waitAsync(i32, block + O_WAKE, seen);
      // A task that waits on a shared primitive while the loop is parked
      // (after a timer, say) brings the loop back to poll for it.
      if (result.async) {
        let unparked = false;
        await new Promise<unknown>((resolve) => {
          this.#unpark = () => {
            unparked = true;
            resolve(undefined);
          };
          result.value.then(resolve);
        });
        this.#unpark = undefined;
        // Release the waitAsync left pending (each unpark would leave one
        // more until the word's next notify): only this thread waits on
        // its O_WAKE, and a spurious wake-up of it is harmless.
        if (unparked) Atomics.notify(i32, block + O_WAKE);
      }
    }
    Atomics.store(i32, block + O_WAITING, 0);
    leaveParkedSet(this.#m, this.index);
  }

  // Running tasks. ------------------------------------------------------

  /**
   * Runs `slot`, taken at `t0` (`performance.now()`); returns a promise
   * while its function's module loads.
   */
  #execute(slot: number, t0: number): Promise<void> | undefined {
    const m = this.#m;
    const i32 = this.#i32;
    const base = slotBase(m, slot);
    if (
      Atomics.compareExchange(i32, base + S_STATE, QUEUED, RUNNING) !== QUEUED
    ) {
      // Cancelled while queued: hand it back unrun.
      if (Atomics.load(i32, base + S_STATE) === CANCELLED) {
        if (this.#trace) this.#recordUnrun(slot, base);
        writeMarker(m, slot, K_CANCELLED);
        this.#finish(slot, base);
      }
      return;
    }
    i32[base + S_EXEC] = this.index;
    Atomics.store(i32, base + S_WAIT, 0);
    m.f64[(base + S_T_START) >> 1] = ORIGIN + t0; // stats().queueWait
    // Atomic: a terminated processor still running at this index (see
    // #stale()) and its replacement can both count here.
    Atomics.add(i32, this.#block + O_RUN, 1);
    const fnId = i32[base + S_FN];
    const fn = this.#fns[fnId];
    if (fn !== undefined) {
      this.#invoke(slot, base, fn, t0);
      return;
    }
    this.#suspended++;
    return this.#load(fnId).then(
      (loaded) => {
        this.#suspended--;
        this.#invoke(slot, base, loaded, performance.now());
      },
      (error) => {
        this.#suspended--;
        // A module that fails to load fails the task: traced as a slice.
        const record = this.#trace ? this.#recordStart(slot, base) : -1;
        this.#complete(slot, base, error, true, record);
      },
    );
  }

  async #load(fnId: number): Promise<AnyFunction> {
    const { url, name } = this.#registry.nameOf(fnId);
    const module = await import(url) as Record<string, unknown>;
    for (const [key, value] of Object.entries(module)) {
      if (
        typeof value === "function" && !this.#names.has(value as AnyFunction)
      ) {
        this.#names.set(value as AnyFunction, { url, name: key });
      }
    }
    const fn = module[name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot run task "${name}": ${url} has no exported function of that ` +
          `name (found ${typeof fn})`,
      );
    }
    this.#fns[fnId] = fn as AnyFunction;
    return fn as AnyFunction;
  }

  /** Runs `fn` for `slot`, whose run started at `t0` (`performance.now()`). */
  #invoke(slot: number, base: number, fn: AnyFunction, t0: number): void {
    const m = this.#m;
    const record = this.#trace ? this.#recordStart(slot, base) : -1;
    let result: unknown;
    this.#current = slot;
    try {
      const args = readArgs(m, slot);
      const context: TaskContext = { slot, waits: 0, kids: undefined };
      this.#live[slot] = context;
      const fnId = this.#i32[base + S_FN];
      if (this.#sync[fnId] === true) {
        // Known synchronous: no continuation of it will ask for its
        // context, so the sync part gets it without the async store.
        this.#syncTask = context;
        result = args.length === 1 ? fn(args[0]) : fn(...args);
        this.#syncTask = undefined;
        if (isThenable(result)) this.#sync[fnId] = false; // from now on
      } else {
        result = this.#context.run(
          context,
          () => args.length === 1 ? fn(args[0]) : fn(...args),
        );
        if (!isThenable(result) && !(fn instanceof AsyncFunction)) {
          this.#sync[fnId] ??= true;
        }
      }
    } catch (error) {
      this.#syncTask = undefined;
      this.#current = -1;
      this.#busy(t0);
      this.#complete(slot, base, error, true, record);
      return;
    }
    this.#current = -1;
    const t1 = this.#busy(t0);
    if (record >= 0) this.#m.f64[record + 1] = t1 - t0;
    if (isThenable(result)) {
      this.#suspended++;
      this.#running.add(slot);
      (result as PromiseLike<unknown>).then(
        (value) => this.#resume(slot, base, value, false, record),
        (error) => this.#resume(slot, base, error, true, record),
      );
      return;
    }
    this.#complete(slot, base, result, false, record);
  }

  /** The task whose code runs now (synchronous part or continuation). */
  #task(): TaskContext | undefined {
    return this.#context.getStore() ?? this.#syncTask;
  }

  #resume(
    slot: number,
    base: number,
    value: unknown,
    failed: boolean,
    record: number,
  ): void {
    this.#suspended--;
    this.#running.delete(slot);
    this.#complete(slot, base, value, failed, record);
    // The loop may be parked with waitAsync: let it look again.
    wakeOwner(this.#m, this.index);
  }

  /** Adds the time since `t0` to this worker's busy time; returns now. */
  #busy(t0: number): number {
    const t1 = performance.now();
    this.#m.f64[this.#statF64] += t1 - t0;
    this.#ended = t1;
    return t1;
  }

  /**
   * Whether the main thread has given this worker's index to a
   * replacement: this processor was terminated (Deno lets a terminated
   * worker run on until its code returns) and must not touch shared memory.
   */
  #stale(): boolean {
    return Atomics.load(this.#i32, this.#block + O_GEN) !== this.#gen;
  }

  #complete(
    slot: number,
    base: number,
    value: unknown,
    failed: boolean,
    record: number,
  ): void {
    const m = this.#m;
    if (this.#controllers.size !== 0) this.#controllers.delete(slot);
    this.#live[slot] = undefined;
    if (this.#stale()) return;
    if (
      Atomics.compareExchange(this.#i32, base + S_STATE, RUNNING, FINISHING) !==
        RUNNING
    ) return; // reaped by the main thread
    try {
      if (failed) writeError(m, slot, value);
      else writeResult(m, slot, value);
    } catch (error) {
      writeError(m, slot, error);
    }
    if (record >= 0) {
      this.#recordEnd(
        record,
        !failed
          ? ENDED_OK
          : this.#i32[base + S_FLAGS] & FLAG_CANCEL
          ? ENDED_CANCELLED
          : ENDED_FAILED,
      );
    }
    // Atomic: the main thread adds a dead worker's reaped tasks here while
    // that worker may still finish one (#stale() was checked before #reap
    // bumped O_GEN), and its replacement counts here too.
    Atomics.add(this.#i32, this.#block + O_DONE, 1);
    this.#finish(slot, base);
  }

  /** Marks `slot` done and hands it to its spawner. */
  #finish(slot: number, base: number): void {
    const m = this.#m;
    Atomics.store(this.#i32, base + S_STATE, DONE);
    const spawner = this.#i32[base + S_SPAWNER];
    if (spawner === this.index) {
      this.#slots.settle(slot);
    } else {
      pushCompletion(m, spawner, slot);
      // The main thread looks at O_WAKE only to sleep on it.
      if (spawner === this.#procs) wakeIfWaiting(m, spawner);
      else wakeOwner(m, spawner);
    }
  }

  /**
   * Opens the trace record of a task starting now (`_trace.ts`); returns
   * its Float64 index, or -1 when this worker's records are used up. The
   * record is visible at once, with a NaN duration while the task runs.
   */
  #recordStart(slot: number, base: number): number {
    const at = this.#nextRecord();
    if (at < 0) return at;
    const f64 = this.#m.f64;
    f64[at] = now() - f64[F_T0];
    f64[at + 1] = NaN;
    f64[at + 2] = NaN;
    f64[at + 3] = this.#i32[base + S_FN];
    f64[at + 4] = slot;
    f64[at + 5] = this.#i32[base + S_SPAWNER];
    f64[at + 6] = NaN;
    Atomics.add(this.#i32, this.#block + O_TRACE_N, 1);
    return at;
  }

  /** Closes the trace record at `at`: the task ended now, as `how` says. */
  #recordEnd(at: number, how: number): void {
    const f64 = this.#m.f64;
    f64[at + 6] = how;
    f64[at + 2] = now() - f64[F_T0] - f64[at];
  }

  /** Records that `slot`, taken from a queue now, was cancelled unrun. */
  #recordUnrun(slot: number, base: number): void {
    const at = this.#recordStart(slot, base);
    if (at < 0) return;
    this.#m.f64[at + 1] = 0;
    this.#recordEnd(at, ENDED_UNRUN);
  }

  /** Records that this worker stole `slot` from `victim` just now. */
  #recordSteal(victim: number, slot: number): void {
    const at = this.#nextRecord();
    if (at < 0) return;
    const f64 = this.#m.f64;
    f64[at] = now() - f64[F_T0];
    f64[at + 1] = 0;
    f64[at + 2] = 0;
    f64[at + 3] = STEAL_RECORD;
    f64[at + 4] = slot;
    f64[at + 5] = victim;
    f64[at + 6] = 0;
    Atomics.add(this.#i32, this.#block + O_TRACE_N, 1);
  }

  #nextRecord(): number {
    const { layout } = this.#m;
    const n = this.#i32[this.#block + O_TRACE_N];
    if (n >= layout.traceEvents) return -1;
    return recordAt(this.#m, this.index, n);
  }

  // Children: spawning and collecting. ----------------------------------

  /**
   * Spawns `fn(...args)` on this worker's deque, as a child of the task
   * that calls it: cancelling that task cancels the child.
   */
  spawn(fn: AnyFunction, args: unknown[]): Promise<unknown> {
    // A terminated worker's leftover code: its deque belongs to another.
    if (this.#stale()) return new Promise<never>(() => {});
    const name = this.#names.get(fn);
    if (name === undefined) {
      throw new TypeError(
        `Cannot spawn ${fn.name || "an anonymous function"}: it is not an ` +
          `exported function of a module the runtime has loaded in this worker`,
      );
    }
    const m = this.#m;
    const fnId = this.#registry.idOf(name.url, name.name);
    this.#fns[fnId] ??= fn;
    const slots = this.#slots;
    const slot = slots.take();
    if (slot < 0) return this.#inline(fn, args);
    try {
      slots.fill(slot, fnId, args, 0);
    } catch (error) {
      return Promise.reject(error);
    }
    let resolve: Resolve | undefined;
    let reject: Reject | undefined;
    const promise = new Promise<unknown>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    slots.publish(slot, resolve!, reject!);
    if (!push(m, this.index, slot)) {
      slots.unpublish(slot);
      return this.#inline(fn, args);
    }
    const parent = this.#task();
    if (parent !== undefined && this.#live[parent.slot] === parent) {
      this.#link(parent, slot);
    }
    wakeIdleWorker(m);
    return promise;
  }

  /**
   * Cancels child `slot` when task `parent` (running here) is cancelled,
   * until the child completes; at once if the parent is already.
   */
  #link(parent: TaskContext, slot: number): void {
    const signal = this.#controllerOf(parent.slot).signal;
    if (signal.aborted) {
      cancelSlot(this.#m, slot);
      return;
    }
    // One listener per parent, over the set of its unsettled children: a
    // listener per child costs O(listeners) to add and remove in an
    // EventTarget, so a parent of n children paid O(n²).
    let kids = parent.kids;
    if (kids === undefined) {
      const m = this.#m;
      const set = kids = parent.kids = new Set<number>();
      signal.addEventListener("abort", () => {
        for (const kid of set) cancelSlot(m, kid);
      }, { once: true });
    }
    kids.add(slot);
    this.#slots.onSettle(slot, () => kids.delete(slot));
  }

  /** Runs a child as a goroutine here (no slot or deque room left). */
  async #inline(fn: AnyFunction, args: unknown[]): Promise<unknown> {
    await undefined;
    return await fn(...args);
  }

  // Cancellation. -------------------------------------------------------

  /** The signal of the task whose synchronous code runs now. */
  taskSignal(): AbortSignal {
    const slot = this.#current;
    if (slot < 0) {
      throw new Error(
        "Cannot call taskSignal() here: call it in the task's synchronous " +
          "part, before its first await, and keep the signal",
      );
    }
    return this.#controllerOf(slot).signal;
  }

  /** The controller of running task `slot`'s signal, made on first use. */
  #controllerOf(slot: number): AbortController {
    let controller = this.#controllers.get(slot);
    if (controller === undefined) {
      controller = new AbortController();
      this.#controllers.set(slot, controller);
      const flags = Atomics.load(this.#i32, slotBase(this.#m, slot) + S_FLAGS);
      if (flags & FLAG_CANCEL) controller.abort(cancelReason());
    }
    return controller;
  }

  #takeCancellations(): void {
    this.#cancelSeen = Atomics.load(this.#i32, this.#block + O_CANCEL);
    for (const [slot, controller] of this.#controllers) {
      const flags = Atomics.load(this.#i32, slotBase(this.#m, slot) + S_FLAGS);
      if (flags & FLAG_CANCEL) controller.abort(cancelReason());
    }
  }
}

/** The constructor of `async function`s. */
const AsyncFunction = (async () => {}).constructor;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** `performance.timeOrigin`: `now()` is it plus `performance.now()`. */
const ORIGIN = performance.timeOrigin;

function cancelReason(): DOMException {
  return new DOMException("The task was cancelled", "AbortError");
}
