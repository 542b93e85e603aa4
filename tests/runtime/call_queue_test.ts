// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import fc from "fast-check";
import { CallQueue, type WaitingCall } from "../../runtime/_call_queue.ts";

const noop = () => {};

/** Shifts every call left; returns their function ids in order. */
function drain(q: CallQueue): number[] {
  const ids: number[] = [];
  while (q.shift((call) => ids.push(call.fnId)));
  return ids;
}

Deno.test("CallQueue.shift() takes calls in arrival order and clears each record after", () => {
  const q = new CallQueue();
  const calls = [1, 2, 3].map((id) =>
    q.push(id, [id, "x"], undefined, noop, noop)
  );
  assert.equal(q.size, 3);
  const seen: unknown[] = [];
  assert.equal(q.shift((call) => seen.push(call.fnId, call.args)), true);
  assert.deepEqual(seen, [1, [1, "x"]]);
  assert.equal(calls[0].resolve, undefined);
  assert.equal(calls[0].args, undefined);
  assert.equal(calls[0].next, undefined);
  assert.deepEqual(drain(q), [2, 3]);
  assert.equal(q.size, 0);
  assert.equal(q.shift(noop), false);
});

Deno.test("CallQueue keeps one number argument as the number, other arguments as the array", () => {
  const q = new CallQueue();
  const args = ["a"];
  assert.equal(q.push(0, [7], undefined, noop, noop).args, 7);
  assert.equal(q.push(0, args, undefined, noop, noop).args, args);
  assert.deepEqual(q.push(0, [1, 2], undefined, noop, noop).args, [1, 2]);
  assert.deepEqual(q.push(0, [], undefined, noop, noop).args, []);
});

Deno.test("CallQueue.remove() takes a waiting call out once and shift() steps over it", () => {
  const q = new CallQueue();
  const reject = () => {};
  const calls = [0, 1, 2, 3].map((id) =>
    q.push(id, [], undefined, noop, reject)
  );
  assert.equal(q.remove(calls[0]), reject);
  assert.equal(q.remove(calls[2]), reject);
  assert.equal(q.remove(calls[2]), undefined, "removed twice");
  assert.equal(q.size, 2);
  assert.deepEqual(drain(q), [1, 3]);
  assert.equal(q.remove(calls[1]), undefined, "already taken");
  // Removing every call empties the queue; it goes on working.
  const more = [4, 5].map((id) => q.push(id, [], undefined, noop, reject));
  for (const call of more) q.remove(call);
  assert.equal(q.size, 0);
  assert.equal(q.shift(noop), false);
  q.push(6, [], undefined, noop, reject);
  assert.deepEqual(drain(q), [6]);
});

Deno.test("CallQueue behaves as a FIFO list with removal (property)", () => {
  type Op = { push: true } | { shift: true } | { remove: number };
  const op = fc.oneof(
    fc.constant<Op>({ push: true }),
    fc.constant<Op>({ shift: true }),
    fc.nat(50).map<Op>((i) => ({ remove: i })),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
    const q = new CallQueue();
    const model: number[] = [];
    const pushed: WaitingCall[] = [];
    for (const o of ops) {
      if ("push" in o) {
        pushed.push(q.push(pushed.length, [], undefined, noop, noop));
        model.push(pushed.length - 1);
      } else if ("shift" in o) {
        let got = -1;
        assert.equal(q.shift((call) => got = call.fnId), model.length > 0);
        if (model.length > 0) assert.equal(got, model.shift());
      } else if (o.remove < pushed.length) {
        const at = model.indexOf(o.remove);
        assert.equal(q.remove(pushed[o.remove]) !== undefined, at >= 0);
        if (at >= 0) model.splice(at, 1);
      }
      assert.equal(q.size, model.length);
    }
    assert.deepEqual(drain(q), model);
  }));
});
