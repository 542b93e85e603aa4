// Copyright the denogo authors. MIT license.
// A worker for the shared RW mutex, semaphore and once tests: each message
// is one job; the reply is `{ ok: true, result }` or `{ ok: false, error }`.

import {
  SharedMutex,
  SharedOnce,
  type SharedOnceHandle,
  SharedRWMutex,
  type SharedRWMutexHandle,
  SharedSemaphore,
  type SharedSemaphoreHandle,
} from "../../workers/mod.ts";
import { serveJobs } from "./_spawn.ts";

/** One job for the sync fixture worker. */
export type SyncJob =
  | {
    /**
     * `n` times: write-lock, then write `cells[0]` and `cells[1]` with a
     * deliberately non-atomic increment; or, every 4th time, read-lock and
     * check the two cells are equal. Returns the mismatches seen.
     */
    cmd: "rw";
    mu: SharedRWMutexHandle;
    cells: SharedArrayBuffer;
    n: number;
    sync: boolean;
    /** Lock through `using` guards (`locked()`, `lockedSync()`, ...). */
    guards?: boolean;
  }
  | {
    /** Write-locks and never unlocks; returns the thread id. */
    cmd: "rwHold";
    mu: SharedRWMutexHandle;
  }
  | {
    /** Read-locks `n` times and never unlocks; returns the thread id. */
    cmd: "rwHoldRead";
    mu: SharedRWMutexHandle;
    n: number;
  }
  | {
    /**
     * `n` times: acquire `weight`, add it to `cells[0]` (in use), record the
     * maximum in `cells[1]`, subtract, release.
     */
    cmd: "sem";
    sem: SharedSemaphoreHandle;
    cells: SharedArrayBuffer;
    weight: number;
    n: number;
    sync: boolean;
    /** Give the weight back by disposing the permit. */
    guards?: boolean;
  }
  | {
    /** Runs `once.do` with a function that increments `cells[0]`. */
    cmd: "once";
    once: SharedOnceHandle;
    cells: SharedArrayBuffer;
    sync: boolean;
  };

async function run(job: SyncJob): Promise<unknown> {
  switch (job.cmd) {
    case "rw": {
      const mu = SharedRWMutex.from(job.mu);
      const cells = new Int32Array(job.cells);
      let bad = 0;
      for (let i = 0; i < job.n; i++) {
        if (job.guards && i % 4 === 3) {
          using _ = job.sync ? mu.rLockedSync() : await mu.rLocked();
          if (cells[0] !== cells[1]) bad++;
        } else if (job.guards) {
          using _ = job.sync ? mu.lockedSync() : await mu.locked();
          const x = cells[0];
          if ((i & 15) === 0) await Promise.resolve();
          cells[0] = x + 1;
          cells[1] = x + 1;
        } else if (i % 4 === 3) {
          if (job.sync) mu.rLockSync();
          else await mu.rLock();
          if (cells[0] !== cells[1]) bad++;
          mu.rUnlock();
        } else {
          if (job.sync) mu.lockSync();
          else await mu.lock();
          const x = cells[0];
          if ((i & 15) === 0) await Promise.resolve();
          cells[0] = x + 1;
          cells[1] = x + 1;
          mu.unlock();
        }
      }
      return bad;
    }
    case "rwHold": {
      SharedRWMutex.from(job.mu).lockSync();
      return SharedMutex.threadId;
    }
    case "rwHoldRead": {
      const mu = SharedRWMutex.from(job.mu);
      for (let i = 0; i < job.n; i++) mu.rLockSync();
      return SharedMutex.threadId;
    }
    case "sem": {
      const sem = SharedSemaphore.from(job.sem);
      const cells = new Int32Array(job.cells);
      for (let i = 0; i < job.n; i++) {
        const permit = job.sync
          ? sem.acquireSync(job.weight)
          : await sem.acquire(job.weight);
        const now = Atomics.add(cells, 0, job.weight) + job.weight;
        let max = Atomics.load(cells, 1);
        while (now > max) {
          const seen = Atomics.compareExchange(cells, 1, max, now);
          if (seen === max) break;
          max = seen;
        }
        if ((i & 7) === 0) await Promise.resolve();
        Atomics.sub(cells, 0, job.weight);
        if (job.guards) permit[Symbol.dispose]();
        else sem.release(job.weight);
      }
      return job.n;
    }
    case "once": {
      const once = SharedOnce.from(job.once);
      const cells = new Int32Array(job.cells);
      const fn = () => {
        Atomics.add(cells, 0, 1);
      };
      if (job.sync) once.doSync(fn);
      else await once.do(fn);
      return Atomics.load(cells, 0);
    }
  }
}

serveJobs<SyncJob>(run);
