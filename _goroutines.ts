// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * The goroutine registry: one {@linkcode Goroutine} record per goroutine
 * started with `go()` that has not returned (Go's `allgs`), and which of
 * them is running now.
 *
 * A goroutine that has not started yet is three slots of one queue (its
 * function, its arguments and the goroutine that started it: see
 * {@linkcode spawn}), not a record: a burst of `go()` calls leaves nothing
 * for the garbage collector to copy but the promises it returns. Its record
 * is made the first time something asks for the running goroutine while its
 * body runs ({@linkcode running}: a park, a `go()`, a dump) or when the body
 * returns a promise, which keeps it (and one bound function) until that
 * promise settles. A sync body that asks for nothing never has one: it
 * costs a count and the queue's three slots. What a record
 * knows for free: its number, its function, and the goroutine that started
 * it. What costs more is kept only while tracing is on
 * ({@linkcode setTracing}): the place `go()` was called (an `Error` stack,
 * about 4 µs a spawn) and the time each wait began.
 *
 * "Which goroutine is running" has no direct answer in JavaScript: an async
 * function resumes in a microtask the library does not run. The record is
 * exact while a goroutine's body runs synchronously (up to its first
 * `await`), and again each time one of this library's primitives wakes it
 * from a wait: the primitive queues a microtask that names the goroutine
 * just before the microtask that resumes it, and one that clears the name
 * just after (the three are queued back to back, so nothing runs between
 * them). Code resumed by anything else (an operation that did not have to
 * wait, a `fetch`, a plain promise, `Promise.all`) runs as "not known": what
 * it parks on belongs to no goroutine until the report pairs it up (see
 * {@linkcode describe}).
 */

import { objectName } from "./_object_ids.ts";
import * as recorder from "./_trace_recorder.ts";
import type { Parked } from "./_parking.ts";
import { Ring } from "./_ring.ts";

/**
 * Who started a goroutine, and where: the id and function name of the
 * goroutine that called `go()` (1 and "main" for the main program), not its
 * record, which would keep every ancestor of a long chain of goroutines
 * alive; and, while tracing, the place of the call. One origin without a
 * place is shared by the goroutines one goroutine starts in a row, so a
 * record holds one field for all three.
 */
export class Origin {
  readonly parentId: number;
  readonly parentName: string;
  /** Where `go()` was called (tracing only). */
  readonly site: { stack?: string } | undefined;

  constructor(
    parentId: number,
    parentName: string,
    site: { stack?: string } | undefined,
  ) {
    this.parentId = parentId;
    this.parentName = parentName;
    this.site = site;
  }
}

/** The origin of the goroutines the main program starts, tracing off. */
const MAIN_ORIGIN = new Origin(1, "main", undefined);
/** The origin made last for a goroutine started by another, tracing off. */
let lastOrigin = MAIN_ORIGIN;

function originOf(
  parent: Goroutine | null,
  site: { stack?: string } | undefined,
): Origin {
  if (site !== undefined) {
    return parent === null
      ? new Origin(1, "main", site)
      : new Origin(parent.id, nameOf(parent.id, parent.fn), site);
  }
  if (parent === null) return MAIN_ORIGIN;
  // Ids are never reused, and a record's function never changes (but the
  // main program's, whose name is "main" whatever it is).
  if (lastOrigin.parentId !== parent.id) {
    lastOrigin = new Origin(parent.id, nameOf(parent.id, parent.fn), undefined);
  }
  return lastOrigin;
}

/** One live goroutine (Go's `g`). */
export class Goroutine {
  /** Links of the registry, oldest first. */
  prev: Goroutine | null;
  next: Goroutine | null;
  /** Go's goroutine id: 1 is the main program; others count up from 2. */
  readonly id: number;
  /** The goroutine's body: its name is what the dump prints. */
  fn: unknown;
  /** Who started it, and where. */
  readonly origin: Origin;

  constructor(
    id: number,
    fn: unknown,
    parent: Goroutine | null,
    site: { stack?: string } | undefined,
  ) {
    this.prev = null;
    this.next = null;
    this.id = id;
    this.fn = fn;
    this.origin = originOf(parent, site);
  }

  /** The id of the goroutine that started this one (1 for the main program). */
  get parentId(): number {
    return this.origin.parentId;
  }

  /** The function name of the goroutine that started this one. */
  get parentName(): string {
    return this.origin.parentName;
  }

  /** Where `go()` was called (tracing only). */
  get site(): { stack?: string } | undefined {
    return this.origin.site;
  }
}

/**
 * The main program: goroutine 1, never in the registry's list. Its `fn` is
 * the body given to `main()`, if any.
 */
export const MAIN: Goroutine = new Goroutine(1, undefined, null, undefined);

let head: Goroutine | null = null;
let tail: Goroutine | null = null;
/**
 * The goroutines whose bodies have not started, oldest first from
 * `queueHead` up to `queueTail`, three slots each:
 *
 * | slot | holds                                                             |
 * | ---- | ----------------------------------------------------------------- |
 * | 0    | the body, or the goroutine's record if one was made at `go()`     |
 * | 1    | the body's arguments                                              |
 * | 2    | the goroutine that called `go()` (null for the main program)      |
 *
 * Bodies start in the order `go()` was called and ids are given in that
 * order, so the queued goroutines have the ids `firstQueuedId` up to
 * `nextId - 1`, oldest first, and every started one a smaller id.
 */
let queued: unknown[] = [];
/** The index in `queued` of the oldest goroutine's first slot. */
let queueHead = 0;
/** The index after the newest goroutine's last slot. */
let queueTail = 0;
/** A drained queue longer than this is replaced, so a burst's is let go. */
const QUEUE_KEPT = 3072;
let firstQueuedId = 2;
let nextId = 2;
let live = 0;
let tracing = false;

/**
 * Stands in {@linkcode current} for a goroutine whose body runs and whose
 * record is not made yet; {@linkcode running} makes it.
 */
const UNMADE: Goroutine = new Goroutine(0, undefined, null, undefined);

/**
 * The goroutine running now, {@linkcode UNMADE} while a body whose record
 * is not made yet runs, or null where that is not known (the main
 * program's own code, or code resumed by something outside this library).
 * Read it through {@linkcode running}.
 */
let current: Goroutine | null = null;

/** The started body's id, function and parent, while {@linkcode UNMADE}. */
let startingId = 0;
let startingFn: unknown = undefined;
let startingParent: Goroutine | null = null;
/** The started body's record, once made. */
let startedRecord: Goroutine | null = null;
/** What was running when the body started: it runs again after. */
let startingWas: Goroutine | null = null;

/**
 * The goroutine running now, or null where that is not known (the main
 * program's own code, or code resumed by something outside this library).
 * Makes the record of a running body that has none yet.
 */
export function running(): Goroutine | null {
  return current === UNMADE ? make() : current;
}

/** Makes, links and names as running the record of the body running now. */
function make(): Goroutine {
  const g = new Goroutine(startingId, startingFn, startingParent, undefined);
  startingFn = startingParent = null;
  link(g);
  current = startedRecord = g;
  return g;
}

/**
 * Sets the running goroutine; returns the one it replaces (as
 * {@linkcode running} reads it).
 */
export function setCurrent(g: Goroutine | null): Goroutine | null {
  const was = running();
  current = g;
  return was;
}

/** The number of goroutines started with `go()` still running. */
export function liveGoroutines(): number {
  return live;
}

/** Whether creation sites and wait times are recorded. */
export function isTracing(): boolean {
  return tracing;
}

/** Turns tracing on or off; returns whether it was on. */
export function setTracing(enabled: boolean): boolean {
  const was = tracing;
  tracing = enabled;
  return was;
}

/**
 * Queues a new goroutine running `fn(...args)`, started by the current one;
 * its body starts with {@linkcode startQueued}. While tracing or a trace
 * recording is on, its record is made now (it holds the creation site, and
 * the recording names it from the start).
 */
export function spawn(fn: unknown, args: unknown[]): void {
  const id = nextId++;
  live++;
  if (tracing || recorder.recording) {
    let site: { stack?: string } | undefined;
    if (tracing) {
      site = {};
      Error.captureStackTrace(site, spawn);
    }
    const parent = running();
    const g = new Goroutine(id, fn, parent, site);
    if (recorder.recording) recorder.created(g, parent, goroutineName);
    enqueue(g, args, parent);
  } else {
    enqueue(fn, args, running());
  }
}

function enqueue(first: unknown, args: unknown, parent: unknown): void {
  const t = queueTail;
  if (t === queued.length) queued.push(first, args, parent);
  else {
    queued[t] = first;
    queued[t + 1] = args;
    queued[t + 2] = parent;
  }
  queueTail = t + 3;
}

const NO_ARGS: unknown[] = [];
/** The arguments of the body {@linkcode startQueued} returned last. */
let startingArgs: unknown[] = NO_ARGS;

/** Takes the arguments of the body just started, and forgets them. */
export function takeStartingArgs(): unknown[] {
  const args = startingArgs;
  startingArgs = NO_ARGS;
  return args;
}

/**
 * Takes the oldest goroutine whose body has not started (one exists) and
 * makes it the running goroutine; returns its body. Its record, if it has
 * none yet, is made on demand ({@linkcode running}); {@linkcode startEnded}
 * or {@linkcode startSuspended} ends the start. The body's arguments are
 * taken with {@linkcode takeStartingArgs}: a record holds none.
 */
export function startQueued(): unknown {
  const i = queueHead;
  const first = queued[i];
  const args = queued[i + 1] as unknown[] | undefined;
  const parent = queued[i + 2] as Goroutine | null;
  const id = firstQueuedId++;
  queued[i] = queued[i + 1] = queued[i + 2] = undefined;
  if (i + 3 === queueTail) {
    queueHead = queueTail = 0;
    if (queued.length > QUEUE_KEPT) queued = [];
  } else {
    queueHead = i + 3;
    if (queueHead > QUEUE_KEPT && queueHead * 2 >= queueTail) {
      // Never drained: drop the front.
      queued = queued.slice(queueHead, queueTail);
      queueTail -= queueHead;
      queueHead = 0;
    }
  }
  startingArgs = args!;
  startingWas = current;
  if (typeof first === "function") {
    startingId = id;
    startingFn = first;
    startingParent = parent;
    current = UNMADE;
    return first;
  }
  const g = first as Goroutine;
  link(g);
  current = startedRecord = g;
  return g.fn;
}

/**
 * Ends the start of a body that returned or threw: takes the goroutine out
 * of the registry (a record never made is only counted out) and names what
 * ran before it as running again.
 */
export function startEnded(): void {
  const g = startedRecord;
  if (g !== null) {
    startedRecord = null;
    unregister(g);
  } else if (recorder.recording) unregister(make());
  else {
    startingFn = startingParent = null;
    live--;
  }
  current = startingWas;
  startingWas = null;
}

/**
 * Ends the start of a body that returned a promise: the goroutine stays in
 * the registry until it settles. Returns its record (made now if it has
 * none) and names what ran before it as running again.
 */
export function startSuspended(): Goroutine {
  const g = startedRecord ?? make();
  startedRecord = null;
  current = startingWas;
  startingWas = null;
  return g;
}

function link(g: Goroutine): void {
  g.prev = tail;
  if (tail === null) head = g;
  else tail.next = g;
  tail = g;
}

/** Removes a goroutine that returned or threw. */
export function unregister(g: Goroutine): void {
  if (recorder.recording) recorder.ended(g, goroutineName);
  const prev = g.prev, next = g.next;
  if (prev === null) head = next;
  else prev.next = next;
  if (next === null) tail = prev;
  else next.prev = prev;
  // An ended goroutine links to itself: no other record ever does.
  g.prev = g.next = g;
  live--;
}

/**
 * Every live goroutine, oldest first (the main program not included). A
 * goroutine not started yet is described by a record made for the call:
 * it has no parked operation, nor is it running.
 */
export function allGoroutines(): Goroutine[] {
  const all: Goroutine[] = [];
  for (let g = head; g !== null; g = g.next) all.push(g);
  for (let i = queueHead, id = firstQueuedId; i < queueTail; i += 3, id++) {
    const first = queued[i];
    if (typeof first !== "function") {
      all.push(first as Goroutine);
      continue;
    }
    all.push(
      new Goroutine(id, first, queued[i + 2] as Goroutine | null, undefined),
    );
  }
  return all;
}

// Naming the goroutine a primitive resumes. ---------------------------------

/**
 * Goroutines a primitive is resuming, oldest first: each `enter` microtask
 * takes the next (microtasks run in the order they were queued), so no
 * closure is made per goroutine.
 */
const entering = new Ring<Goroutine>(16);

function enter(): void {
  current = entering.shift();
}

function leave(): void {
  current = null;
}

/**
 * Called just before a primitive settles the promise `p`'s goroutine
 * awaits: queues the microtask that names it as running.
 */
export function resuming(p: Parked): void {
  const g = p.g;
  if (g === null) return;
  entering.push(g);
  queueMicrotask(enter);
}

/** Called just after: queues the microtask that forgets the name again. */
export function resumed(p: Parked): void {
  if (p.g !== null) queueMicrotask(leave);
}

// The report. ----------------------------------------------------------------

/** One goroutine, as `goroutines()` describes it. */
export interface GoroutineInfo {
  /** Go's goroutine id: 1 is the main program. */
  id: number;
  /**
   * What it waits on, in Go's words (`"chan receive"`, `"select"`,
   * `"sync.WaitGroup.Wait"`, ...); `"running"` for the caller; `"unknown"`
   * when the library cannot tell (it awaits something else, is runnable, or
   * was last resumed by something the library does not see).
   */
  state: string;
  /** How long it has waited, in ms; only while tracing is on. */
  waitingMs: number | undefined;
  /**
   * The channel or primitive it waits on, by class and id (`"Channel
   * 3"`): the id its `console.log` shows. Undefined when it waits on no
   * one thing (a select) or on nothing the library knows.
   */
  waitingOn: string | undefined;
  /** The name of its function (`"main"` for goroutine 1). */
  function: string;
  /** The function of the goroutine that started it; undefined for 1. */
  createdBy: string | undefined;
  /** The id of the goroutine that started it; undefined for 1. */
  createdIn: number | undefined;
  /** Where `go()` was called (`"main.ts:12:3"`); only while tracing is on. */
  site: string | undefined;
  /** Where it parked, innermost frame first; only while tracing is on. */
  frames: string[];
}

/** A report: the goroutines, and parked operations no goroutine claims. */
export interface Described {
  goroutines: GoroutineInfo[];
  /** Reasons (and frames, while tracing) of the operations left over. */
  unmatched: { reason: string; frames: string[] }[];
}

/** The name the dump and the trace give `g`: its function's. */
export function goroutineName(g: Goroutine): string {
  return nameOf(g.id, g.fn);
}

function nameOf(id: number, fn: unknown): string {
  if (id === 1) return "main";
  const name = typeof fn === "function" ? fn.name : "";
  return name === "" ? "anonymous" : name;
}

/** The function a traceback's outermost frame is in ("" if unnamed). */
function outermost(frames: string[]): string | undefined {
  const last = frames.at(-1);
  if (last === undefined) return undefined;
  const match = last.match(/^(?:async )?([^\s(]+) \(/);
  return match === null ? "" : match[1];
}

/** This library's folder: its frames are left out of tracebacks. */
const LIBRARY = new URL(".", import.meta.url).href;
const OWN_FOLDERS = ["tests/", "examples/", "bench/"];

function isLibraryFrame(location: string): boolean {
  if (!location.startsWith(LIBRARY)) return false;
  const rest = location.slice(LIBRARY.length);
  // A doc test's module is "scheduler.ts#12-30.ts": user code.
  return !rest.includes("#") &&
    !OWN_FOLDERS.some((folder) => rest.startsWith(folder));
}

/** The frames of a captured stack outside this library: "main.ts:12:3". */
function framesOf(site: { stack?: string } | undefined): string[] {
  const frames: string[] = [];
  for (const line of site?.stack?.split("\n").slice(1) ?? []) {
    let text = line.trim().replace(/^at /, "");
    const async = text.startsWith("async ") ? "async " : "";
    text = text.slice(async.length);
    const paren = text.match(/^(.*) \((.*)\)$/);
    const location = paren === null ? text : paren[2];
    if (
      isLibraryFrame(location) || location.startsWith("ext:") ||
      location === "<anonymous>" || location === "native"
    ) continue;
    frames.push(
      paren === null
        ? `${async}${shortPath(location)}`
        : `${async}${paren[1]} (${shortPath(location)})`,
    );
  }
  return frames;
}

function shortPath(location: string): string {
  // Relative to the main module's folder, as Go prints paths from GOPATH.
  const main = (globalThis as { Deno?: { mainModule?: string } }).Deno
    ?.mainModule;
  if (main !== undefined) {
    const dir = main.slice(0, main.lastIndexOf("/") + 1);
    if (location.startsWith(dir)) return location.slice(dir.length);
  }
  return location;
}

/**
 * Describes every goroutine: the main program (when `withMain`, or when an
 * operation is its own), then each live one, oldest first. `parked` is every
 * parked operation, oldest first; `running` is the goroutine that asks
 * (shown as running), or null when none runs.
 *
 * An operation parked while no goroutine was known to run belongs to no
 * one. When exactly one goroutine (the main program included, if it is
 * blocked) has no operation and exactly one operation has no goroutine, the
 * two go together: each goroutine waits on one thing at a time.
 */
export function describe(
  parked: Parked[],
  withMain: boolean,
  running: Goroutine | null,
): Described {
  const byGoroutine = new Map<Goroutine, Parked>();
  const unowned: Parked[] = [];
  for (const p of parked) {
    const g = p.g;
    if (g === null || g.next === g) {
      unowned.push(p); // Parked outside any goroutine, or by one now gone.
    } else if (!byGoroutine.has(g)) {
      byGoroutine.set(g, p);
    }
  }
  const all = [MAIN, ...allGoroutines()];
  const shown = all.filter((g) =>
    g !== MAIN || withMain || byGoroutine.has(MAIN) || unowned.length > 0
  );
  pair(shown, unowned, byGoroutine, running);
  const now = tracing ? performance.now() : 0;
  const goroutines = shown.map((g): GoroutineInfo => {
    const p = byGoroutine.get(g);
    return {
      id: g.id,
      state: p !== undefined ? p.reason : g === running ? "running" : "unknown",
      waitingMs: p?.extra?.trace === undefined
        ? undefined
        : now - p.extra.trace.since,
      waitingOn: p?.target ? objectName(p.target) : undefined,
      function: nameOf(g.id, g.fn),
      createdBy: g === MAIN ? undefined : g.parentName,
      createdIn: g === MAIN ? undefined : g.parentId,
      site: framesOf(g.site)[0],
      frames: framesOf(p?.extra?.trace),
    };
  });
  const unmatched = unowned.map((p) => ({
    reason: p.reason,
    frames: framesOf(p.extra?.trace),
  }));
  return { goroutines, unmatched };
}

/**
 * Gives operations that belong to no known goroutine to goroutines that
 * wait on nothing known: one left over on each side go together (each
 * goroutine waits on one thing at a time); while tracing, so does an
 * operation whose traceback ends in the function of exactly one of them.
 */
function pair(
  shown: Goroutine[],
  unowned: Parked[],
  byGoroutine: Map<Goroutine, Parked>,
  running: Goroutine | null,
): void {
  const idle = () => shown.filter((g) => !byGoroutine.has(g) && g !== running);
  for (let progress = true; progress && unowned.length > 0;) {
    progress = false;
    const candidates = idle();
    if (candidates.length === 1 && unowned.length === 1) {
      byGoroutine.set(candidates[0], unowned.pop()!);
      return;
    }
    for (let i = 0; i < unowned.length; i++) {
      const fn = outermost(framesOf(unowned[i].extra?.trace));
      if (fn === undefined) continue;
      const named = candidates.filter((g) => {
        const name = typeof g.fn === "function" ? g.fn.name : "";
        return name === fn;
      });
      if (named.length !== 1) continue;
      byGoroutine.set(named[0], unowned[i]);
      unowned.splice(i, 1);
      progress = true;
      break;
    }
  }
}

/** Go's wait time text: only waits of a minute or more are shown. */
function waited(ms: number | undefined): string {
  if (ms === undefined || ms < 60_000) return "";
  const minutes = Math.floor(ms / 60_000);
  return `, ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** Formats a report as Go's traceback does, one block per goroutine. */
export function format({ goroutines, unmatched }: Described): string {
  const blocks = goroutines.map((r) => {
    let text = `goroutine ${r.id} [${r.state}${waited(r.waitingMs)}]:\n` +
      `${r.function}(...)`;
    for (const frame of r.frames) text += `\n\t${frame}`;
    if (r.createdBy !== undefined) {
      text += `\ncreated by ${r.createdBy} in goroutine ${r.createdIn}`;
      if (r.site !== undefined) text += `\n\t${r.site}`;
    }
    return text;
  });
  if (unmatched.length > 0) {
    let text = "parked, in goroutines the report cannot name " +
      "(setGoroutineTracing(true) shows where each parked):";
    for (const op of unmatched) {
      text += `\n[${op.reason}]`;
      for (const frame of op.frames) text += `\n\t${frame}`;
    }
    blocks.push(text);
  }
  return blocks.join("\n\n");
}
