// Copyright the denogo authors. MIT license.

/**
 * The events a {@linkcode Runtime} dispatches (it is an `EventTarget`),
 * for a service to log or count:
 *
 * | type | class | when |
 * | --- | --- | --- |
 * | `"crash"` | {@linkcode WorkerCrashEvent} | a worker died or was terminated (its tasks fail or re-run) |
 * | `"replace"` | {@linkcode WorkerReplaceEvent} | its replacement is ready |
 * | `"idle"` | `Event` | the last call from the main thread settled: nothing is in flight |
 * | `"close"` | `Event` | `close()` finished: every worker is stopped |
 *
 * Listeners run on the main thread, synchronously from the runtime's
 * bookkeeping: an error a listener throws is reported as an uncaught
 * error (as `EventTarget` does), not to the runtime.
 *
 * @module
 */

/**
 * The `"crash"` event: worker `worker` died (an uncaught error, an exit,
 * or the runtime terminated it for a cancelled task that ran past
 * `cancelGraceMs`). Its running tasks fail with a
 * {@linkcode WorkerCrashedError} (or re-run, with `retries`), and a
 * replacement starts (a `"replace"` event once it is ready).
 *
 * @example Usage
 * ```ts
 * import { Runtime, WorkerCrashEvent } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * rt.addEventListener("crash", (event) => {
 *   console.error(`worker ${event.worker} crashed: ${event.reason}`);
 * });
 * assert.equal(new WorkerCrashEvent(0, "boom").worker, 0);
 * ```
 */
export class WorkerCrashEvent extends Event {
  /** The worker's index (its P). */
  readonly worker: number;
  /** Why it died. */
  readonly reason: string;

  /**
   * An event for worker `worker`'s death.
   *
   * @param worker The worker's index.
   * @param reason Why it died.
   */
  constructor(worker: number, reason: string) {
    super("crash");
    this.worker = worker;
    this.reason = reason;
  }
}

/**
 * The `"replace"` event: the replacement of crashed worker `worker` is
 * ready and takes tasks again.
 *
 * @example Usage
 * ```ts
 * import { Runtime, WorkerReplaceEvent } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * await using rt = await Runtime.start({ procs: 1 });
 * rt.addEventListener("replace", (event) => {
 *   console.log(`worker ${event.worker} is back`);
 * });
 * assert.equal(new WorkerReplaceEvent(0).worker, 0);
 * ```
 */
export class WorkerReplaceEvent extends Event {
  /** The worker's index (its P). */
  readonly worker: number;

  /**
   * An event for worker `worker`'s replacement.
   *
   * @param worker The worker's index.
   */
  constructor(worker: number) {
    super("replace");
    this.worker = worker;
  }
}

/**
 * The events of a {@linkcode Runtime} by type, for typed listeners.
 *
 * @example Usage
 * ```ts
 * import type { RuntimeEventMap } from "@denogo/go/runtime";
 *
 * const log = (event: RuntimeEventMap["crash"]) => console.log(event.reason);
 * ```
 */
export interface RuntimeEventMap {
  /** A worker died. */
  crash: WorkerCrashEvent;
  /** A crashed worker's replacement is ready. */
  replace: WorkerReplaceEvent;
  /** Nothing from the main thread is in flight any more. */
  idle: Event;
  /** `close()` finished. */
  close: Event;
}

/**
 * An `EventTarget` with typed listeners for {@linkcode RuntimeEventMap}:
 * the base class of {@linkcode Runtime}.
 *
 * @example Usage
 * ```ts
 * import { Runtime } from "@denogo/go/runtime";
 * import assert from "node:assert/strict";
 *
 * const rt = await Runtime.start({ procs: 1 });
 * const closed = new Promise((resolve) =>
 *   rt.addEventListener("close", resolve, { once: true })
 * );
 * await rt.close();
 * assert.equal(((await closed) as Event).type, "close");
 * ```
 */
export class RuntimeEventTarget extends EventTarget {
  #idleListeners = false;

  /**
   * Adds a listener for `type` (see {@linkcode RuntimeEventMap}).
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * rt.addEventListener("idle", () => console.log("idle"));
   * ```
   *
   * @param type The event's type.
   * @param listener The listener.
   * @param options `once`, `signal`, ...
   */
  override addEventListener<K extends keyof RuntimeEventMap>(
    type: K,
    listener: (event: RuntimeEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /**
   * Adds a listener for any other event type, as `EventTarget` does.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * rt.addEventListener("custom", { handleEvent: () => {} });
   * ```
   *
   * @param type The event's type.
   * @param listener The listener.
   * @param options `once`, `signal`, ...
   */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (type === "idle") this.#idleListeners = true;
    super.addEventListener(type, listener, options);
  }

  /**
   * Removes a listener added with {@linkcode addEventListener}.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * const onIdle = () => {};
   * rt.addEventListener("idle", onIdle);
   * rt.removeEventListener("idle", onIdle);
   * ```
   *
   * @param type The event's type.
   * @param listener The listener.
   * @param options `capture`.
   */
  override removeEventListener<K extends keyof RuntimeEventMap>(
    type: K,
    listener: (event: RuntimeEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  /**
   * Removes a listener of any other event type, as `EventTarget` does.
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * rt.removeEventListener("custom", null);
   * ```
   *
   * @param type The event's type.
   * @param listener The listener.
   * @param options `capture`.
   */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  /**
   * Whether an `"idle"` listener was ever added: the runtime skips
   * building idle events nobody listens to (they would come once per
   * call in a request-response loop).
   *
   * @example Usage
   * ```ts
   * import { Runtime } from "@denogo/go/runtime";
   * import assert from "node:assert/strict";
   *
   * await using rt = await Runtime.start({ procs: 1 });
   * assert.equal(rt.listensForIdle, false);
   * ```
   *
   * @returns Whether to dispatch `"idle"` events.
   */
  get listensForIdle(): boolean {
    return this.#idleListeners;
  }
}
