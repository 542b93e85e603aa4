// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * How shared memory reaches every thread of a runtime: the
 * {@linkcode BufferHub} (`workers/_buffer_ids.ts`) that a runtime installs
 * on its main thread and on each worker, so that a task's arguments and
 * result, and values on `structured` channels, may hold shared objects.
 *
 * Every two threads of the runtime share a `MessageChannel` (a full mesh:
 * the main thread and P workers, P(P+1)/2 channels). The first time a
 * thread names a buffer, it posts `{ id, buffer }` to every other thread,
 * before the bytes that name it are written; a thread that meets an id it
 * does not have drains its ports with `receiveMessageOnPort`, which is
 * synchronous: a message posted before the bytes were published (by an
 * `Atomics` store the reader has loaded) is already there. No thread ever
 * waits for another to run its event loop.
 *
 * | message, on a port | meaning |
 * | --- | --- |
 * | `{ id, buffer }` | buffer `id` (from the thread at the other end, or relayed by the main thread to a new worker) |
 * | `{ peer, port }` (from the main thread) | the port to worker `peer`, started as a replacement: it supersedes the old one |
 *
 * The main thread makes the channels: at each worker's start
 * ({@linkcode PortHub.connect}) it gives the new worker one port to itself,
 * one to each running worker (posting the other end to that worker) and
 * every buffer it has (so a replacement worker can open what its
 * predecessor was sent).
 *
 * A worker publishing a buffer while a replacement starts must not miss
 * it: the hub's one shared word, the *epoch*, closes that race. The main
 * thread posts the new ports, adds 1 to the epoch, then drains its own
 * ports and takes its snapshot; a publishing worker posts to the ports it
 * knows, then loads the epoch, and while it has moved since its last drain,
 * drains again and posts to the ports it did not know. Either the worker's
 * load sees the new epoch (and it posts to the new worker itself), or its
 * post to the main thread came first (and is in the snapshot). A thread keeps every buffer published to it until
 * the runtime closes (its workers end; the main thread drops its hub).
 *
 * Without `node:worker_threads` (browsers) there is no synchronous
 * receive: no hub is made, and shared objects do not cross.
 *
 * @module
 */

import { builtin } from "../workers/_builtin.ts";
import type { BufferHub } from "../workers/_buffer_ids.ts";

/** The part of a `node:worker_threads` `MessagePort` the hub uses. */
export interface Port {
  postMessage(message: unknown, transfer?: unknown[]): void;
  close(): void;
  unref?(): void;
}

interface Threads {
  MessageChannel: new () => { port1: Port; port2: Port };
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}

const threads = builtin<Threads>("node:worker_threads");

/** What a worker gets from the main thread at its start. */
export interface HubInit {
  /** Its port to the main thread, then to each other worker, by index. */
  ports: [number, Port][];
  /** Every buffer the main thread has, by id. */
  buffers: [number, SharedArrayBuffer][];
  /** The epoch word (one Int32). */
  epoch: SharedArrayBuffer;
}

/** The main thread's key in a hub's port table. */
const MAIN = -1;

type Message = { id: number; buffer: SharedArrayBuffer } | {
  peer: number;
  port: Port;
};

/** One thread's end of a runtime's mesh. */
export class PortHub implements BufferHub {
  #buffers = new Map<number, SharedArrayBuffer>();
  #ports = new Map<number, Port>();
  #epoch: Int32Array;

  private constructor(epoch: SharedArrayBuffer) {
    this.#epoch = new Int32Array(epoch);
  }

  /** The main thread's hub, or undefined where the platform has none. */
  static forMain(): PortHub | undefined {
    return threads === undefined
      ? undefined
      : new PortHub(new SharedArrayBuffer(4));
  }

  /** A worker's hub, from what the main thread sent it. */
  static forWorker(init: HubInit): PortHub {
    const hub = new PortHub(init.epoch);
    for (const [key, port] of init.ports) hub.#ports.set(key, port);
    for (const [id, buffer] of init.buffers) hub.#buffers.set(id, buffer);
    return hub;
  }

  publish(id: number, buffer: SharedArrayBuffer): void {
    if (this.#buffers.has(id)) return;
    this.#buffers.set(id, buffer);
    const sent = new Set<Port>();
    let seen = Atomics.load(this.#epoch, 0);
    for (;;) {
      // Learn of replaced workers, so that they hear of it too.
      this.#drain();
      for (const port of this.#ports.values()) {
        if (sent.has(port)) continue;
        sent.add(port);
        port.postMessage({ id, buffer });
      }
      const now = Atomics.load(this.#epoch, 0);
      if (now === seen) return;
      seen = now;
    }
  }

  find(id: number): SharedArrayBuffer | undefined {
    const buffer = this.#buffers.get(id);
    if (buffer !== undefined) return buffer;
    this.#drain();
    return this.#buffers.get(id);
  }

  /**
   * On the main thread, as worker `index` starts: the ports and buffers to
   * send it (the ports are to be transferred).
   */
  connect(index: number): HubInit {
    const ports: [number, Port][] = [];
    const own = new threads!.MessageChannel();
    own.port1.unref?.();
    this.#replace(index, own.port1);
    ports.push([MAIN, own.port2]);
    for (const [peer, port] of this.#ports) {
      if (peer === index) continue;
      const pair = new threads!.MessageChannel();
      port.postMessage({ peer: index, port: pair.port1 }, [pair.port1]);
      ports.push([peer, pair.port2]);
    }
    Atomics.add(this.#epoch, 0, 1);
    this.#drain();
    return {
      ports,
      buffers: [...this.#buffers],
      epoch: this.#epoch.buffer as SharedArrayBuffer,
    };
  }

  /** Closes every port and forgets every buffer. */
  close(): void {
    for (const port of this.#ports.values()) port.close();
    this.#ports.clear();
    this.#buffers.clear();
  }

  #replace(key: number, port: Port): void {
    const old = this.#ports.get(key);
    if (old !== undefined) {
      this.#drainPort(old);
      old.close();
    }
    port.unref?.();
    this.#ports.set(key, port);
  }

  #drain(): void {
    for (const port of [...this.#ports.values()]) this.#drainPort(port);
  }

  #drainPort(port: Port): void {
    for (;;) {
      const got = threads!.receiveMessageOnPort(port);
      if (got === undefined) return;
      const message = got.message as Message;
      if ("peer" in message) this.#replace(message.peer, message.port);
      else this.#buffers.set(message.id, message.buffer);
    }
  }
}
