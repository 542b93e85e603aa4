// Copyright the denogo authors. MIT license.
// Task functions for tests/runtime/retire_test.ts: each blocks its worker in
// a synchronous shared-memory call that ignores cancellation, counting what
// it takes in `took`. `observer` is a Retirement the task's thread adopts
// only to count its parks (the runtime's own retirement is the one retired).

import {
  type AtomicInt32,
  Retirement,
  type RetirementHandle,
  type SharedChannel,
  type SharedMutex,
} from "../../workers/mod.ts";

/** Receives from `ch` until it closes, in recvSync. */
export function recvForever(
  observer: RetirementHandle,
  ch: SharedChannel<number>,
  took: AtomicInt32,
): void {
  Retirement.from(observer).adopt();
  for (let r = ch.recvSync(); r.ok; r = ch.recvSync()) took.add(1);
}

/** Locks and unlocks `mu` for ever, in lockSync. */
export function lockForever(
  observer: RetirementHandle,
  mu: SharedMutex,
  took: AtomicInt32,
): void {
  Retirement.from(observer).adopt();
  for (;;) {
    mu.lockSync();
    took.add(1);
    mu.unlock();
  }
}
