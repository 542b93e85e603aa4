// Copyright the denogo authors. MIT license.

/**
 * The shape caches of the structured codec's plain format
 * (`workers/_plain.ts`): objects that repeat their keys are written with a
 * remembered key block and, after a few, read and built by functions made
 * for their shape. Whatever the caches hold, every value must decode to
 * what `structuredClone` gives, and what is not plain data must still go
 * to `node:v8`; and the transient encodings of `sendSync` / `trySend`
 * (`workers/_transient.ts`) must never let one value's bytes overwrite
 * another's.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { recv, select } from "../../mod.ts";
import { decodePlain, encodePlain } from "../../workers/_plain.ts";
import { SharedChannel } from "../../workers/mod.ts";
import { flush } from "../_util.ts";
import { codec, plain, roundTrip } from "./_structured.ts";

const FULL = Deno.env.get("STRESS") === "full";

/** Keys that are hard for a literal or a key-by-key store. */
const awkwardKey = fc.constantFrom(
  "__proto__",
  "toString",
  "constructor",
  "hasOwnProperty",
  "",
  "0",
  "10",
  "4294967295",
  "-1",
  "a b",
  '"',
  "\\",
  "\u2028",
  "é",
  "日本",
  "🎉",
  "`${x}`",
  "}; throw 1; ({",
);

const key = fc.oneof(fc.string({ maxLength: 6 }), awkwardKey);

/** A plain value of its own, for a field. */
const field = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(undefined, -0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31)),
);

/**
 * A stream of objects drawn from a few shapes (key lists, some sharing
 * keys in another order, some nested), with fresh values for each: what a
 * channel carries, shapes changing from one item to the next.
 */
const stream = fc
  .array(fc.uniqueArray(key, { maxLength: 40 }), {
    minLength: 1,
    maxLength: 12,
  })
  .chain((shapes) =>
    fc.array(
      fc.tuple(
        fc.nat(shapes.length - 1),
        fc.array(field, { minLength: 40, maxLength: 40 }),
        fc.boolean(),
      ).map(([s, values, nest]) => {
        const o: Record<string, unknown> = {};
        shapes[s].forEach((k, i) => {
          Object.defineProperty(o, k, {
            value: values[i],
            writable: true,
            enumerable: true,
            configurable: true,
          });
        });
        return nest ? { inner: o, list: [true, { ...o }] } : o;
      }),
      { minLength: 1, maxLength: 60 },
    )
  );

Deno.test("structured codec: a stream of objects of changing shapes decodes as structuredClone does", () => {
  fc.assert(
    fc.property(stream, (values) => {
      // Encoded in order, decoded in reverse: the decoder's caches hold
      // shapes met in another order than the encoder's.
      const encoded = values.map((v) => codec.encode(v) as Uint8Array);
      for (let i = values.length - 1; i >= 0; i--) {
        assert.deepStrictEqual(
          codec.decode(encoded[i]),
          structuredClone(values[i]),
        );
      }
      for (const v of values) {
        assert.deepStrictEqual(roundTrip(v), structuredClone(v));
      }
    }),
    { numRuns: FULL ? 5_000 : 300, seed: FULL ? undefined : 0x5a9e },
  );
});

Deno.test("structured codec: objects of one shape, many times, through a SharedChannel", () => {
  const ch = new SharedChannel<unknown>({ capacity: 64 });
  const shapes = [
    (i: number) => ({ id: i, name: "item", tags: ["a", "b"], ok: i % 2 === 0 }),
    (i: number) => ({ name: "item", id: i, tags: ["a", "b"], ok: true }),
    (i: number) => ({ id: i, name: "x".repeat(i % 70), note: null }),
    (i: number) => ({ ["__proto__"]: { id: i }, toString: i, "0": -0 }),
    (i: number) => Object.assign(Object.create(null), { id: i, v: NaN }),
  ];
  for (let round = 0; round < 40; round++) {
    const sent: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      const v = shapes[(round + i) % shapes.length](round * 100 + i);
      sent.push(v);
      assert.equal(ch.trySend(v), true);
    }
    for (const v of sent) {
      const got = ch.tryReceive();
      assert.equal(got.state, "ok");
      assert.deepStrictEqual(
        (got as { value: unknown }).value,
        structuredClone(v),
      );
    }
  }
  // `__proto__` stays an own property, Object.prototype's names stay own
  // data properties, and a null prototype comes back as Object.prototype.
  ch.trySend({ ["__proto__"]: { p: 1 }, toString: 2 });
  const got = (ch.tryReceive() as { value: Record<string, unknown> }).value;
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(Object.keys(got), ["__proto__", "toString"]);
  assert.equal(Object.hasOwn(got, "toString"), true);
  ch.close();
});

Deno.test("structured codec: more shapes than the caches hold, in turn", () => {
  const values = Array.from({ length: 2_000 }, (_, i) => {
    const o: Record<string, number> = {};
    for (let k = 0; k <= i % 37; k++) o[`k${(i + k) % 41}`] = i;
    return o;
  });
  for (const v of values) {
    assert.deepStrictEqual(roundTrip(v), structuredClone(v));
  }
});

Deno.test("structured codec: what a remembered shape holds that is not plain still goes to node:v8", () => {
  const shape = (a: unknown, b: unknown) => ({ a, b });
  // Make the shape's writer and builder.
  for (let i = 0; i < 20; i++) {
    assert.deepStrictEqual(roundTrip(shape(i, "s")), shape(i, "s"));
  }
  const shared = { n: 1 };
  const cyclic: Record<string, unknown> = { a: 1, b: null };
  cyclic.b = cyclic;
  class Point {
    constructor(public a: number, public b: number) {}
  }
  const notPlain: unknown[] = [
    shape(new Date(0), 1),
    shape(new Map([[1, 2]]), new Set([3])),
    shape(1n, 2),
    shape(new Uint8Array([1, 2]), 1),
    shape([1, , 3], 1),
    shape("lone \uD800", 1),
    shape(shared, shared),
    cyclic,
    new Point(1, 2),
    shape(Object.assign([1], { extra: 1 }), 2),
  ];
  for (const value of notPlain) {
    assert.equal(plain(value), false, Deno.inspect(value));
    assert.deepStrictEqual(roundTrip(value), structuredClone(value));
  }
  const pair = roundTrip(shape(shared, shared)) as { a: object; b: object };
  assert.equal(pair.a, pair.b);
  const loop = roundTrip(cyclic) as Record<string, unknown>;
  assert.equal(loop.b, loop);
  // Refused as structuredClone refuses them, with the shape remembered.
  for (const value of [new Proxy(shape(1, 2), {}), shape(() => 1, 2)]) {
    assert.throws(() => structuredClone(value));
    assert.throws(() => codec.encode(value), TypeError);
  }
  // -0, NaN and undefined in a remembered shape.
  assert.deepStrictEqual(roundTrip(shape(-0, NaN)), { a: -0, b: NaN });
  assert.deepStrictEqual(roundTrip(shape(undefined, [])), {
    a: undefined,
    b: [],
  });
});

Deno.test("structured codec: a getter of a remembered shape runs once per encoding", () => {
  let reads = 0;
  const make = (i: number) => ({
    x: i,
    get y() {
      reads++;
      return i * 2;
    },
  });
  for (let i = 0; i < 30; i++) {
    reads = 0;
    assert.deepStrictEqual(roundTrip(make(i)), { x: i, y: i * 2 });
    assert.equal(reads, 1);
  }
  // A getter that throws: node:v8 meets it and reports it.
  const boom = {
    x: 1,
    get y(): number {
      throw new Error("getter failed");
    },
  };
  assert.throws(() => codec.encode(boom), TypeError);
});

Deno.test("structured codec: a key block is checked byte for byte, not trusted by its hash", () => {
  for (let i = 0; i < 20; i++) roundTrip({ a: i });
  const bytes = encodePlain({ a: 7 })!;
  const forged = bytes.slice();
  // Byte 0 format, 1 tag, 2-5 hash, 6-9 block length, 10-13 key count,
  // 14-17 the key's length, 18 the key "a": now "b", hash unchanged.
  assert.equal(forged[18], "a".charCodeAt(0));
  forged[18] = "b".charCodeAt(0);
  assert.deepStrictEqual(decodePlain(forged), { b: 7 });
  assert.deepStrictEqual(decodePlain(bytes), { a: 7 });
});

Deno.test("structured codec: sendSync and trySend copy a transient encoding before the next one", async () => {
  const ch = new SharedChannel<unknown>({ capacity: 4 });
  const other = new SharedChannel<unknown>({ capacity: 4 });
  // A getter that encodes for another channel while the first encodes.
  const value = {
    a: 1,
    get b() {
      other.trySend({ nested: [1, 2] });
      return 2;
    },
  };
  assert.equal(ch.trySend(value), true);
  assert.equal(ch.trySend({ a: 3, b: 4 }), true);
  assert.equal(other.trySend({ c: "x" }), true);
  assert.deepStrictEqual(ch.tryReceive(), {
    state: "ok",
    value: { a: 1, b: 2 },
  });
  assert.deepStrictEqual(ch.tryReceive(), {
    state: "ok",
    value: { a: 3, b: 4 },
  });
  assert.deepStrictEqual(other.tryReceive(), {
    state: "ok",
    value: { nested: [1, 2] },
  });
  assert.deepStrictEqual(other.tryReceive(), {
    state: "ok",
    value: { c: "x" },
  });
  // An unbuffered channel hands the encoding to a select of this thread,
  // which keeps it: it must not be the scratch space.
  const unbuffered = new SharedChannel<unknown>();
  const selected = select([recv(unbuffered, (v) => v)]);
  await flush();
  assert.equal(unbuffered.trySend({ kept: [1, 2, 3] }), true);
  // Encodings after the hand-off reuse the scratch space.
  for (let i = 0; i < 10; i++) codec.encode({ kept: [9, 9, 9] });
  assert.equal(ch.trySend({ kept: [7, 7, 7] }), true);
  assert.deepStrictEqual(await selected, { kept: [1, 2, 3] });
  ch.close();
  other.close();
  unbuffered.close();
});

Deno.test("structured codec: records of every length wrap around a small ring and come back whole", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.record({
            s: fc.string({ maxLength: 300, size: "max" }),
            n: fc.double(),
          }),
          fc.constant("take" as const),
        ),
        { maxLength: 200, size: "max" },
      ),
      (ops) => {
        const ch = new SharedChannel<unknown>({ capacity: 3, maxBytes: 4096 });
        const model: unknown[] = [];
        for (const op of ops) {
          if (op === "take") {
            // One record stays behind, so the ring never empties (which
            // moves its records back to offset 0) and records wrap.
            if (model.length < 2) continue;
            assert.deepStrictEqual(ch.tryReceive(), {
              state: "ok",
              value: model.shift(),
            });
          } else if (ch.trySend(op)) model.push(structuredClone(op));
          else assert.equal(model.length, 3);
        }
        ch.close();
        for (const v of model) {
          assert.deepStrictEqual(ch.tryReceive(), { state: "ok", value: v });
        }
        assert.deepEqual(ch.tryReceive(), { state: "closed" });
      },
    ),
    { numRuns: FULL ? 2_000 : 200, seed: FULL ? undefined : 0x3a9 },
  );
});
