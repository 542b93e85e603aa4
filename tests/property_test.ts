// Copyright the denogo authors. MIT license.

/**
 * Property-based tests of channels and select against a reference model.
 *
 * fast-check generates random programs over two or three channels of
 * capacity 0 to 3: blocking sends and receives (each in its own goroutine),
 * `trySend`, `tryReceive`, `close`, selects over random receive and send
 * cases (some on nil channels, some with a default), and aborts of blocked
 * operations through their `AbortSignal`. Each step runs against the library
 * and against {@linkcode Model}, a small and obviously correct rendition of
 * Go's channel semantics (a buffer as an array, FIFO arrays of blocked
 * senders and receivers, a blocked select as one waiter in the queue of each
 * of its channels). After every step the test lets every goroutine run (one
 * macrotask turn) and compares everything observable: which operations have
 * completed and how (value, `ok`, error), each channel's size and closed
 * flag.
 *
 * A select with several ready cases picks one at random, so there the model
 * checks that the library's choice was one of the ready cases and then
 * follows it. A select that blocks is deterministic again: the first
 * operation to reach one of its queued cases decides (only when it has
 * several cases of one direction on that channel is the case left open, and
 * the model again follows the library).
 *
 * At the end every channel is closed, every abortable wait aborted, and the
 * test checks that every goroutine finished and that no value was lost or
 * duplicated: each value a sender saw delivered was received exactly once,
 * and each value not delivered came back in a `ChannelClosedError`.
 *
 * Each property runs over the tier-1 `Channel` and over `SharedChannel`
 * with the `structured` and the `float64` codec (`conformance/_shared.ts`),
 * all on this thread. Two things Go's spec leaves open, and its runtime
 * decides, are left open for the shared kinds: which of several blocked
 * operations on a channel is served first (`Channel` serves them in arrival
 * order, and the model checks that for it), and what a blocked select with a
 * send and a receive case on a channel does when the channel closes.
 *
 * CI runs a fixed seed and a moderate number of runs; `STRESS=full` runs
 * many more with a random seed (fast-check prints the seed and path of a
 * failure; `FC_SEED=<seed> FC_PATH=<path>` replays it).
 *
 * @module
 */

import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
// A test-only dependency: imported inline, it stays out of deno.json.
import fc from "fast-check";
import {
  ChannelClosedError,
  go,
  numGoroutine,
  recv,
  select,
  send,
} from "../mod.ts";
import {
  type Chan,
  type ChannelKind,
  NUMBER_KINDS,
  testName,
} from "./conformance/_shared.ts";

const FULL = Deno.env.get("STRESS") === "full";
const SEED_ENV = Deno.env.get("FC_SEED");
const FC_OPTIONS: fc.Parameters<unknown> = {
  numRuns: FULL ? 50_000 : 1_000,
  // A fixed seed in CI; a random one in full mode. To replay a failure, set
  // FC_SEED and FC_PATH to the seed and path fast-check printed.
  seed: SEED_ENV !== undefined
    ? Number(SEED_ENV)
    : FULL
    ? undefined
    : 0x5eed_0c4a,
  path: Deno.env.get("FC_PATH"),
};

/**
 * One macrotask turn: every goroutine that can make progress has done so.
 *
 * This is the `setTimeout(0)` of `tests/_util.ts` with a cheaper macrotask:
 * a `setTimeout(0)` takes about 2 ms on our 2-core machine and these tests
 * take thousands of turns; a `setImmediate` takes about 4 µs. Both run only
 * once the microtask queue is empty, which is all the test relies on.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// Steps and outcomes. --------------------------------------------------------

/** One case of a generated select; `ch: null` is a nil-channel case. */
interface CaseSpec {
  kind: "recv" | "send";
  ch: number | null;
}

/** One generated step. Channel indices are taken modulo the channel count. */
type Step =
  | { t: "send"; ch: number; abortable: boolean }
  | { t: "recv"; ch: number; abortable: boolean }
  | { t: "trySend"; ch: number }
  | { t: "tryRecv"; ch: number }
  | { t: "close"; ch: number }
  | {
    t: "select";
    cases: CaseSpec[];
    withDefault: boolean;
    abortable: boolean;
  }
  | { t: "abort"; pick: number };

/**
 * What became of an operation, as both the library and the model report it.
 * `closedError` is a `ChannelClosedError` carrying `value` (the unsent value
 * of a send, `undefined` for a second close).
 */
type Outcome =
  | { kind: "pending" }
  | { kind: "sent" }
  | { kind: "received"; value: number | undefined; ok: boolean }
  | { kind: "closedError"; value: number | undefined }
  | { kind: "aborted" }
  | { kind: "case"; index: number; value: number | undefined; ok: boolean }
  | { kind: "default" }
  | { kind: "trySend"; delivered: boolean }
  | {
    kind: "tryRecv";
    state: "ok" | "empty" | "closed";
    value: number | undefined;
  }
  | { kind: "closeDone" }
  | { kind: "noop" };

const PENDING: Outcome = { kind: "pending" };
const SENT: Outcome = { kind: "sent" };
const ABORTED: Outcome = { kind: "aborted" };
const DEFAULT: Outcome = { kind: "default" };
const NOOP: Outcome = { kind: "noop" };

/** What a select with ready cases may do: commit one, or throw. */
type Choice =
  | { kind: "case"; index: number }
  | { kind: "closedError"; value: number };

/** An operation of the program, with the values its sends carry. */
interface Op {
  id: number;
  step: Step;
  /** For a send or trySend: its value. For a select: one per case. */
  values: number[];
}

/** The reason every test abort uses. */
const ABORT_REASON = new Error("aborted by the property test");

function failure(error: unknown): Outcome {
  if (error === ABORT_REASON) return ABORTED;
  if (error instanceof ChannelClosedError) {
    return { kind: "closedError", value: error.value as number | undefined };
  }
  throw error;
}

// The library under test. ----------------------------------------------------

class Real {
  readonly chans: Chan<number>[];
  readonly outcomes: Outcome[] = [];
  readonly controllers: (AbortController | undefined)[] = [];
  readonly goroutines: Promise<void>[] = [];

  constructor(kind: ChannelKind, capacities: number[]) {
    this.chans = capacities.map((capacity) => kind.make<number>(capacity));
  }

  exec(op: Op): void {
    const { id, step } = op;
    const n = this.chans.length;
    this.outcomes[id] = PENDING;
    switch (step.t) {
      case "send": {
        const ch = this.chans[step.ch % n];
        const signal = this.#signal(id, step.abortable);
        this.#spawn(id, async () => {
          await ch.send(op.values[0], { signal });
          return SENT;
        });
        break;
      }
      case "recv": {
        const ch = this.chans[step.ch % n];
        const signal = this.#signal(id, step.abortable);
        this.#spawn(id, async () => {
          const r = await ch.receive({ signal });
          return { kind: "received", value: r.value, ok: r.ok };
        });
        break;
      }
      case "trySend":
        try {
          const delivered = this.chans[step.ch % n].trySend(op.values[0]);
          this.outcomes[id] = { kind: "trySend", delivered };
        } catch (error) {
          this.outcomes[id] = failure(error);
        }
        break;
      case "tryRecv": {
        const r = this.chans[step.ch % n].tryReceive();
        this.outcomes[id] = {
          kind: "tryRecv",
          state: r.state,
          value: r.state === "ok" ? r.value : undefined,
        };
        break;
      }
      case "close":
        try {
          this.chans[step.ch % n].close();
          this.outcomes[id] = { kind: "closeDone" };
        } catch (error) {
          this.outcomes[id] = failure(error);
        }
        break;
      case "select": {
        const cases = step.cases.map((c, index) => {
          const ch = c.ch === null ? null : this.chans[c.ch % n];
          return c.kind === "recv"
            ? recv(ch, (value, ok): Outcome => ({
              kind: "case",
              index,
              value,
              ok,
            }))
            : send(ch, op.values[index], (): Outcome => ({
              kind: "case",
              index,
              value: undefined,
              ok: true,
            }));
        });
        const signal = this.#signal(id, step.abortable);
        const fallback = step.withDefault ? () => DEFAULT : undefined;
        this.#spawn(
          id,
          () => select(cases, { default: fallback, signal }),
        );
        break;
      }
      case "abort":
        this.outcomes[id] = NOOP; // The abort itself has no outcome.
        break;
    }
  }

  abort(id: number): void {
    this.controllers[id]?.abort(ABORT_REASON);
  }

  /** Releases everything still blocked, whatever state a failure left. */
  async cleanup(): Promise<void> {
    for (const ch of this.chans) if (!ch.closed) ch.close();
    for (const c of this.controllers) c?.abort(ABORT_REASON);
    await Promise.allSettled(this.goroutines);
  }

  #signal(id: number, abortable: boolean): AbortSignal | undefined {
    if (!abortable) return undefined;
    const controller = new AbortController();
    this.controllers[id] = controller;
    return controller.signal;
  }

  #spawn(id: number, body: () => Promise<Outcome>): void {
    this.goroutines.push(go(async () => {
      try {
        this.outcomes[id] = await body();
      } catch (error) {
        this.outcomes[id] = failure(error);
      }
    }));
  }
}

// The reference model. -------------------------------------------------------

/** A blocked operation, or one case of a blocked select, in a queue. */
interface MWaiter {
  op: MOp;
  /** The select case index; -1 for a plain send or receive. */
  index: number;
  chan: MChan;
  kind: "recv" | "send";
  value: number | undefined;
}

interface MOp {
  id: number;
  isSelect: boolean;
  /** Every waiter the operation has in a queue while it is blocked. */
  waiters: MWaiter[];
  outcome: Outcome;
}

class MChan {
  readonly buf: number[] = [];
  closed = false;
  readonly recvq: MWaiter[] = [];
  readonly sendq: MWaiter[] = [];
  constructor(readonly cap: number) {}
}

function removeFrom(queue: MWaiter[], w: MWaiter): void {
  const i = queue.indexOf(w);
  if (i >= 0) queue.splice(i, 1);
}

/** Go's channel semantics, written for clarity rather than speed. */
class Model {
  readonly chans: MChan[];
  readonly ops: MOp[] = [];
  /** The library's outcomes, read where Go leaves the choice open. */
  readonly #observed: Outcome[];

  /**
   * Whether blocked operations are served in arrival order, as Go's
   * runtime (and `Channel`) does. Go's spec leaves the order open, and a
   * `SharedChannel` does not keep it between a blocked select and other
   * blocked operations, so for it the model takes whichever waiter the
   * library served.
   */
  readonly #fifo: boolean;

  constructor(capacities: number[], observed: Outcome[], fifo = true) {
    this.chans = capacities.map((c) => new MChan(c));
    this.#observed = observed;
    this.#fifo = fifo;
  }

  /**
   * Takes the longest-waiting operation out of a queue. A blocked select
   * with several cases of one direction on one channel has a waiter per
   * case there; which of them fires is left open (Go queues them in a
   * random order), so the model takes the one the library chose: the
   * library has already run the step.
   */
  #take(queue: MWaiter[]): MWaiter | undefined {
    if (!this.#fifo) {
      // The first waiter the library has completed, if any.
      const i = queue.findIndex((x) =>
        this.#observed[x.op.id]?.kind !== "pending" &&
        (!x.op.isSelect || this.#chose(x))
      );
      if (i > 0) queue.unshift(...queue.splice(i, 1));
    }
    const w = queue.shift();
    if (w === undefined || !w.op.isSelect) return w;
    const seen = this.#observed[w.op.id];
    return w.op.waiters.find((x) =>
      x.chan === w.chan && x.kind === w.kind &&
      (seen.kind === "case"
        ? x.index === seen.index
        : seen.kind === "closedError" && x.value === seen.value)
    ) ?? w;
  }

  /** Whether the library's outcome of `w`'s select is `w`'s case. */
  #chose(w: MWaiter): boolean {
    const seen = this.#observed[w.op.id];
    return w.op.waiters.some((x) =>
      x.chan === w.chan && x.kind === w.kind &&
      (seen.kind === "case"
        ? x.index === seen.index
        : seen.kind === "closedError" && x.value === seen.value)
    );
  }

  /** Takes a blocked operation out of every queue it is in. */
  #unlink(op: MOp): void {
    for (const w of op.waiters) {
      removeFrom(w.kind === "recv" ? w.chan.recvq : w.chan.sendq, w);
    }
    op.waiters = [];
  }

  #wakeReceiver(w: MWaiter, value: number | undefined, ok: boolean): void {
    this.#unlink(w.op);
    w.op.outcome = w.op.isSelect
      ? { kind: "case", index: w.index, value, ok }
      : { kind: "received", value, ok };
  }

  #wakeSender(w: MWaiter): void {
    this.#unlink(w.op);
    w.op.outcome = w.op.isSelect
      ? { kind: "case", index: w.index, value: undefined, ok: true }
      : SENT;
  }

  #failSender(w: MWaiter): void {
    this.#unlink(w.op);
    w.op.outcome = { kind: "closedError", value: w.value };
  }

  /** A receive that does not block: null if it would. */
  #pollRecv(c: MChan): { value: number | undefined; ok: boolean } | null {
    if (c.buf.length > 0) {
      const value = c.buf.shift()!;
      const s = this.#take(c.sendq);
      if (s !== undefined) {
        c.buf.push(s.value!);
        this.#wakeSender(s);
      }
      return { value, ok: true };
    }
    const s = this.#take(c.sendq);
    if (s !== undefined) {
      this.#wakeSender(s);
      return { value: s.value, ok: true };
    }
    return c.closed ? { value: undefined, ok: false } : null;
  }

  /** A send on an open channel that does not block: false if it would. */
  #pollSend(c: MChan, value: number): boolean {
    const r = this.#take(c.recvq);
    if (r !== undefined) {
      this.#wakeReceiver(r, value, true);
      return true;
    }
    if (c.buf.length < c.cap) {
      c.buf.push(value);
      return true;
    }
    return false;
  }

  #park(
    op: MOp,
    index: number,
    c: MChan,
    kind: "recv" | "send",
    value?: number,
  ) {
    const w: MWaiter = { op, index, chan: c, kind, value };
    op.waiters.push(w);
    (kind === "recv" ? c.recvq : c.sendq).push(w);
  }

  /**
   * Runs `op`. For a select with several ready cases, `observed` is what the
   * library did; the model checks it was allowed and does the same.
   */
  exec(op: Op, observed: Outcome): void {
    const { step } = op;
    const n = this.chans.length;
    const m: MOp = {
      id: op.id,
      isSelect: step.t === "select",
      waiters: [],
      outcome: PENDING,
    };
    this.ops[op.id] = m;
    switch (step.t) {
      case "send": {
        const c = this.chans[step.ch % n];
        const value = op.values[0];
        if (c.closed) m.outcome = { kind: "closedError", value };
        else if (this.#pollSend(c, value)) m.outcome = SENT;
        else this.#park(m, -1, c, "send", value);
        break;
      }
      case "recv": {
        const c = this.chans[step.ch % n];
        const r = this.#pollRecv(c);
        if (r !== null) m.outcome = { kind: "received", ...r };
        else this.#park(m, -1, c, "recv");
        break;
      }
      case "trySend": {
        const c = this.chans[step.ch % n];
        m.outcome = c.closed
          ? { kind: "closedError", value: op.values[0] }
          : { kind: "trySend", delivered: this.#pollSend(c, op.values[0]) };
        break;
      }
      case "tryRecv": {
        const r = this.#pollRecv(this.chans[step.ch % n]);
        m.outcome = r === null
          ? { kind: "tryRecv", state: "empty", value: undefined }
          : r.ok
          ? { kind: "tryRecv", state: "ok", value: r.value }
          : { kind: "tryRecv", state: "closed", value: undefined };
        break;
      }
      case "close": {
        const c = this.chans[step.ch % n];
        if (c.closed) {
          m.outcome = { kind: "closedError", value: undefined };
          break;
        }
        c.closed = true;
        m.outcome = { kind: "closeDone" };
        let w: MWaiter | undefined;
        while ((w = this.#take(c.recvq)) !== undefined) {
          // A blocked select with a send case on this channel too may take
          // either: both can proceed at once. Go's runtime (and `Channel`)
          // wakes the receivers first; the shared kinds may do either, and
          // with several send cases here fail with any of their values.
          const seen = this.#observed[w.op.id];
          const failed = !this.#fifo && seen.kind === "closedError" &&
            w.op.waiters.find((x) =>
              x.chan === c && x.kind === "send" && x.value === seen.value
            );
          if (failed) this.#failSender(failed);
          else this.#wakeReceiver(w, undefined, false);
        }
        while ((w = this.#take(c.sendq)) !== undefined) this.#failSender(w);
        break;
      }
      case "select":
        this.#select(op, step, m, observed);
        break;
      case "abort":
        m.outcome = NOOP; // The abort itself has no outcome.
        break;
    }
  }

  #select(
    op: Op,
    step: Extract<Step, { t: "select" }>,
    m: MOp,
    observed: Outcome,
  ): void {
    const n = this.chans.length;
    // Every outcome a select may legally have now: one per ready case, and
    // a ChannelClosedError per send case on a closed channel (Go panics if
    // it tries that case first).
    const allowed: Choice[] = [];
    step.cases.forEach((cs, index) => {
      if (cs.ch === null) return;
      const c = this.chans[cs.ch % n];
      if (cs.kind === "recv") {
        if (c.buf.length > 0 || c.sendq.length > 0 || c.closed) {
          allowed.push({ kind: "case", index });
        }
      } else if (c.closed) {
        allowed.push({ kind: "closedError", value: op.values[index] });
      } else if (c.recvq.length > 0 || c.buf.length < c.cap) {
        allowed.push({ kind: "case", index });
      }
    });
    if (allowed.length === 0) {
      if (step.withDefault) {
        m.outcome = DEFAULT;
        return;
      }
      step.cases.forEach((cs, index) => {
        if (cs.ch === null) return;
        this.#park(m, index, this.chans[cs.ch % n], cs.kind, op.values[index]);
      });
      return;
    }
    const choice = allowed.find((a) =>
      a.kind === "case"
        ? observed.kind === "case" && observed.index === a.index
        : observed.kind === "closedError" && observed.value === a.value
    );
    if (choice === undefined) {
      assert.fail(
        `select ${op.id} did ${JSON.stringify(observed)}, but only these ` +
          `were possible: ${JSON.stringify(allowed)}`,
      );
    }
    if (choice.kind === "closedError") {
      m.outcome = choice;
      return;
    }
    const { index } = choice;
    const cs = step.cases[index];
    const c = this.chans[cs.ch! % n];
    if (cs.kind === "recv") {
      const r = this.#pollRecv(c)!;
      m.outcome = { kind: "case", index, ...r };
    } else {
      assert(this.#pollSend(c, op.values[index]));
      m.outcome = { kind: "case", index, value: undefined, ok: true };
    }
  }

  abort(id: number): void {
    const m = this.ops[id];
    if (m.outcome.kind !== "pending") return;
    this.#unlink(m);
    m.outcome = ABORTED;
  }
}

// The property. --------------------------------------------------------------

interface Scenario {
  capacities: number[];
  steps: Step[];
}

const chanIndex = fc.nat({ max: 2 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("send" as const),
      ch: chanIndex,
      abortable: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("recv" as const),
      ch: chanIndex,
      abortable: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant("trySend" as const), ch: chanIndex }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant("tryRecv" as const), ch: chanIndex }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("close" as const), ch: chanIndex }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("select" as const),
      cases: fc.array(
        fc.record({
          kind: fc.constantFrom("recv" as const, "send" as const),
          ch: fc.option(chanIndex, { freq: 6 }),
        }),
        { maxLength: 4 },
      ),
      withDefault: fc.boolean(),
      abortable: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("abort" as const), pick: fc.nat() }),
  },
);
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  capacities: fc.array(fc.nat({ max: 3 }), { minLength: 2, maxLength: 3 }),
  steps: fc.array(stepArb, { maxLength: 40, size: "max" }),
});

/** Runs one scenario on the library and on the model, step by step. */
async function check(
  kind: ChannelKind,
  { capacities, steps }: Scenario,
): Promise<void> {
  const goroutinesBefore = numGoroutine();
  const real = new Real(kind, capacities);
  const model = new Model(capacities, real.outcomes, !kind.shared);
  const ops: Op[] = [];
  const abortable: number[] = [];
  let nextValue = 1;

  const compare = (when: string) => {
    assert.deepEqual(
      real.outcomes,
      model.ops.map((m) => m.outcome),
      `outcomes differ ${when}`,
    );
    assert.deepEqual(
      real.chans.map((c) => [c.size, c.closed]),
      model.chans.map((c) => [c.buf.length, c.closed]),
      `sizes or closed flags differ ${when}`,
    );
  };

  const run = async (step: Step, when: string) => {
    if (step.t === "abort") {
      // Abort one of the abortable operations, blocked or not (aborting a
      // finished one must change nothing).
      if (abortable.length > 0) {
        const id = abortable[step.pick % abortable.length];
        real.abort(id);
        model.abort(id);
      }
    }
    if (
      step.t === "select" && !step.withDefault &&
      step.cases.every((c) => c.ch === null)
    ) {
      // Blocks forever (Go's `select {}`): make sure it can be released.
      step = { ...step, abortable: true };
    }
    const op: Op = { id: ops.length, step, values: [] };
    const sends = step.t === "select" ? step.cases.length : 1;
    for (let i = 0; i < sends; i++) op.values.push(nextValue++);
    ops.push(op);
    if ("abortable" in step && step.abortable) abortable.push(op.id);
    real.exec(op);
    await turn();
    model.exec(op, real.outcomes[op.id]);
    compare(when);
  };

  try {
    for (let i = 0; i < steps.length; i++) {
      await run(steps[i], `after step ${i} (${JSON.stringify(steps[i])})`);
    }
    // Close everything and release what stays blocked; everything settles.
    for (let ch = 0; ch < capacities.length; ch++) {
      if (!real.chans[ch].closed) {
        await run({ t: "close", ch }, `closing channel ${ch} at the end`);
      }
    }
    for (let pick = 0; pick < abortable.length; pick++) {
      await run({ t: "abort", pick }, "aborting at the end");
    }
    for (let ch = 0; ch < capacities.length; ch++) {
      while (real.chans[ch].size > 0) {
        await run({ t: "tryRecv", ch }, `draining channel ${ch}`);
      }
    }
    assert(
      real.outcomes.every((o) => o.kind !== "pending"),
      "an operation is still blocked after every channel closed",
    );
    await Promise.all(real.goroutines);
    assert.equal(numGoroutine(), goroutinesBefore);
    checkConservation(ops, real.outcomes);
  } finally {
    await real.cleanup();
  }
}

/**
 * From the library's outcomes alone: every value a sender saw delivered was
 * received exactly once, every value not delivered was never received, and
 * every undelivered send value came back in its error.
 */
function checkConservation(ops: Op[], outcomes: Outcome[]): void {
  const delivered: number[] = [];
  const returned: number[] = [];
  const received: number[] = [];
  for (const op of ops) {
    const o = outcomes[op.id];
    const { step } = op;
    if (step.t === "send" || step.t === "trySend") {
      const v = op.values[0];
      if (o.kind === "sent" || (o.kind === "trySend" && o.delivered)) {
        delivered.push(v);
      } else if (o.kind === "closedError") {
        assert.equal(o.value, v, "a failed send's error holds its value");
        returned.push(v);
      }
    } else if (step.t === "recv" || step.t === "tryRecv") {
      if (o.kind === "received" && o.ok) received.push(o.value!);
      if (o.kind === "tryRecv" && o.state === "ok") received.push(o.value!);
    } else if (step.t === "select") {
      if (o.kind === "case") {
        const cs = step.cases[o.index];
        if (cs.kind === "send") delivered.push(op.values[o.index]);
        else if (o.ok) received.push(o.value!);
      } else if (o.kind === "closedError") {
        const i = op.values.indexOf(o.value!);
        assert(
          i >= 0 && step.cases[i].kind === "send",
          "a select's ChannelClosedError holds the value of its send case",
        );
        returned.push(o.value!);
      }
    }
  }
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  assert.equal(new Set(received).size, received.length, "a value duplicated");
  assert.deepEqual(sorted(received), sorted(delivered), "a value lost");
  for (const v of returned) {
    assert(!received.includes(v), `value ${v} both received and returned`);
  }
}

for (const kind of NUMBER_KINDS) {
  Deno.test(
    testName(
      "random programs over channels and selects behave as Go's channel model",
      kind,
    ),
    async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, (s) => check(kind, s)),
        FC_OPTIONS,
      );
    },
  );

  Deno.test(
    testName(
      "random programs over unbuffered channels only behave as Go's channel model",
      kind,
    ),
    async () => {
      const unbuffered = fc.record({
        capacities: fc.array(fc.constant(0), { minLength: 2, maxLength: 3 }),
        steps: fc.array(stepArb, { maxLength: 40, size: "max" }),
      });
      await fc.assert(
        fc.asyncProperty(unbuffered, (s) => check(kind, s)),
        { ...FC_OPTIONS, numRuns: Math.ceil(FC_OPTIONS.numRuns! / 3) },
      );
    },
  );
}
