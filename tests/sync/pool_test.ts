// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Pool } from "../../sync/mod.ts";

Deno.test("Pool.get() makes a new item with new() when the pool is empty", () => {
  let made = 0;
  const pool = new Pool({ new: () => ({ id: ++made }) });
  assert.deepEqual(pool.get(), { id: 1 });
  assert.deepEqual(pool.get(), { id: 2 });
});

Deno.test("Pool.get() returns a put item instead of making one, most recent first", () => {
  let made = 0;
  const pool = new Pool({ new: () => ({ id: ++made }) });
  const a = pool.get();
  const b = pool.get();
  pool.put(a);
  pool.put(b);
  assert.equal(pool.get(), b);
  assert.equal(pool.get(), a);
  assert.equal(made, 2);
});

Deno.test("Pool.put() ignores null and undefined, as Go's Put(nil)", () => {
  const pool = new Pool<object | null>({ new: () => ({ fresh: true }) });
  pool.put(null);
  pool.put(undefined as unknown as null);
  assert.deepEqual(pool.get(), { fresh: true });
});

Deno.test("Pool keeps at most maxIdle idle items", () => {
  let made = 0;
  const pool = new Pool({ new: () => ++made, maxIdle: 2 });
  const items = [pool.get(), pool.get(), pool.get()];
  for (const x of items) pool.put(x);
  assert.equal(pool.get(), 2);
  assert.equal(pool.get(), 1);
  assert.equal(pool.get(), 4, "the third was dropped");
});

Deno.test("new Pool() rejects a missing new() and a bad maxIdle", () => {
  assert.throws(
    () => new Pool({} as unknown as { new: () => number }),
    TypeError,
  );
  assert.throws(() => new Pool({ new: () => 1, maxIdle: -1 }), RangeError);
  assert.throws(() => new Pool({ new: () => 1, maxIdle: 1.5 }), RangeError);
  new Pool({ new: () => 1, maxIdle: Infinity }).put(1);
});
