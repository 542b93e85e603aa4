// Copyright the denogo authors. MIT license.

import assert from "node:assert/strict";
import { Histogram } from "../../runtime/_histogram.ts";

Deno.test("histogram percentiles are within one bucket (19 %) above the exact ones", () => {
  const h = new Histogram();
  const values: number[] = [];
  for (let i = 1; i <= 1000; i++) values.push(i * 0.01); // 0.01 .. 10 ms
  for (const v of values) h.record(v);
  const s = h.snapshot();
  assert.equal(s.count, 1000);
  assert.equal(s.min, 0.01);
  assert.equal(s.max, 10);
  assert.ok(Math.abs(s.mean - 5.005) < 1e-9);
  for (const [q, got] of [[0.5, s.p50], [0.9, s.p90], [0.99, s.p99]]) {
    const exact = values[Math.ceil(q * 1000) - 1];
    assert.ok(got >= exact && got <= exact * 1.19, `${q}: ${got} vs ${exact}`);
  }
});

Deno.test("histogram edge cases: zero, negative, NaN, huge, one sample", () => {
  const h = new Histogram();
  h.record(0);
  h.record(-5);
  h.record(NaN);
  assert.deepEqual(h.snapshot(), {
    count: 3,
    min: 0,
    mean: 0,
    p50: 0,
    p90: 0,
    p99: 0,
    max: 0,
  });
  const one = new Histogram();
  one.record(1e12);
  const s = one.snapshot();
  assert.equal(s.p50, 1e12);
  assert.equal(s.p99, 1e12);
});
