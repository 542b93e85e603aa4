// Copyright the denogo authors. MIT license.
// A worker for the shared-memory tests: each message is one job; the reply
// is `{ ok: true, result }` or `{ ok: false, error }`.

import {
  AtomicInt32,
  CodecError,
  SharedChannel,
  SharedMutex,
  SharedWaitGroup,
} from "../../workers/mod.ts";
import type {
  AtomicHandle,
  SharedChannelHandle,
  SharedMutexHandle,
  SharedWaitGroupHandle,
} from "../../workers/mod.ts";
import { serveJobs } from "./_spawn.ts";

/** One job for the fixture worker. */
export type Job =
  | {
    cmd: "produce";
    ch: SharedChannelHandle<number>;
    from: number;
    count: number;
    sync: boolean;
    close?: boolean;
  }
  | { cmd: "consume"; ch: SharedChannelHandle<number>; sync: boolean }
  | {
    cmd: "echo";
    input: SharedChannelHandle<number>;
    output: SharedChannelHandle<number>;
    sync: boolean;
  }
  | {
    cmd: "delayedSend";
    ch: SharedChannelHandle<number>;
    ms: number;
    value: number;
  }
  | { cmd: "badThenGood"; ch: SharedChannelHandle<unknown> }
  | { cmd: "recvSync"; ch: SharedChannelHandle<unknown> }
  | {
    cmd: "mutexIncrement";
    mu: SharedMutexHandle;
    cell: SharedArrayBuffer;
    n: number;
    sync: boolean;
    /** Lock through `using` guards (`locked()`, `lockedSync()`). */
    guards?: boolean;
  }
  | { cmd: "lockAndHold"; mu: SharedMutexHandle }
  | { cmd: "atomicAdd"; a: AtomicHandle; n: number }
  | { cmd: "wgDone"; wg: SharedWaitGroupHandle; n: number }
  | { cmd: "wgWaitSync"; wg: SharedWaitGroupHandle };

async function run(job: Job): Promise<unknown> {
  switch (job.cmd) {
    case "produce": {
      const ch = SharedChannel.from(job.ch);
      const end = job.from + job.count;
      if (job.sync) { for (let i = job.from; i < end; i++) ch.sendSync(i); }
      else for (let i = job.from; i < end; i++) await ch.send(i);
      if (job.close) ch.close();
      return job.count;
    }
    case "consume": {
      const ch = SharedChannel.from(job.ch);
      const got: number[] = [];
      if (job.sync) {
        for (let r = ch.recvSync(); r.ok; r = ch.recvSync()) got.push(r.value);
      } else {
        for await (const v of ch) got.push(v);
      }
      return got;
    }
    case "echo": {
      const input = SharedChannel.from(job.input);
      const output = SharedChannel.from(job.output);
      let n = 0;
      if (job.sync) {
        for (let r = input.recvSync(); r.ok; r = input.recvSync(), n++) {
          output.sendSync(r.value + 1);
        }
      } else {
        for await (const v of input) {
          await output.send(v + 1);
          n++;
        }
      }
      return n;
    }
    case "delayedSend": {
      // Sleeps the worker's thread (not the test's) so the main thread
      // stays idle for a while before the value arrives.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, job.ms);
      SharedChannel.from(job.ch).sendSync(job.value);
      return null;
    }
    case "badThenGood": {
      const ch = SharedChannel.from(job.ch);
      let refused = 0;
      for (const bad of [() => 1, Symbol("s")]) {
        try {
          ch.sendSync(bad);
        } catch (error) {
          if (error instanceof CodecError) refused++;
          else throw error;
        }
      }
      ch.sendSync({ good: true });
      return refused;
    }
    case "recvSync": {
      return SharedChannel.from(job.ch).recvSync();
    }
    case "mutexIncrement": {
      // A deliberately non-atomic read-modify-write: only the mutex keeps
      // increments from being lost.
      const mu = SharedMutex.from(job.mu);
      const cell = new Int32Array(job.cell);
      for (let i = 0; i < job.n; i++) {
        if (job.guards) {
          using _ = job.sync ? mu.lockedSync() : await mu.locked();
          const x = cell[0];
          if ((i & 63) === 0) await Promise.resolve();
          cell[0] = x + 1;
          continue;
        }
        if (job.sync) mu.lockSync();
        else await mu.lock();
        const x = cell[0];
        if ((i & 63) === 0) await Promise.resolve(); // let goroutines interleave
        cell[0] = x + 1;
        mu.unlock();
      }
      return job.n;
    }
    case "lockAndHold": {
      SharedMutex.from(job.mu).lockSync();
      return SharedMutex.threadId; // and never unlock
    }
    case "atomicAdd": {
      const a = AtomicInt32.from(job.a);
      for (let i = 0; i < job.n; i++) a.add(1);
      return job.n;
    }
    case "wgDone": {
      const wg = SharedWaitGroup.from(job.wg);
      for (let i = 0; i < job.n; i++) wg.done();
      return job.n;
    }
    case "wgWaitSync": {
      SharedWaitGroup.from(job.wg).waitSync();
      return "released";
    }
  }
}

serveJobs<Job>(run);
