// Copyright the denogo authors. MIT license.

/**
 * The `structured` codec against the structured clone algorithm itself:
 * every value, plain or not, must decode to what `structuredClone` gives,
 * whether it took the fast plain-data path (`workers/_plain.ts`) or went to
 * `node:v8`; and what `structuredClone` refuses, the codec refuses with a
 * `CodecError`.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { decodePlain, encodePlain, MAX_NODES } from "../../workers/_plain.ts";
import { CodecError, SharedChannel } from "../../workers/mod.ts";
import { codec, plain, roundTrip } from "./_structured.ts";

const FULL = Deno.env.get("STRESS") === "full";

Deno.test("structured codec decodes every value as structuredClone does", () => {
  const anything = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  });
  fc.assert(
    fc.property(anything, (value) => {
      assert.deepStrictEqual(roundTrip(value), structuredClone(value));
    }),
    { numRuns: FULL ? 20_000 : 1_000, seed: FULL ? undefined : 0x57c },
  );
});

Deno.test("structured codec takes the fast path for JSON-like data, and round-trips it", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      assert.equal(plain(value), true);
      assert.deepStrictEqual(roundTrip(value), structuredClone(value));
    }),
    { numRuns: FULL ? 20_000 : 1_000, seed: FULL ? undefined : 0x57d },
  );
});

Deno.test("structured codec keeps the edge cases of plain data", () => {
  const values: unknown[] = [
    -0,
    NaN,
    -Infinity,
    2 ** 31,
    -(2 ** 31),
    undefined,
    [undefined, null],
    "",
    "ascii",
    "é日本語🎉",
    "x".repeat(100_000),
    { "": 1, "0": 2, "10": 3, "b": 4, "a": 5 },
    { toString: 1, constructor: 2, hasOwnProperty: 3, valueOf: 4 },
    [[[]], {}],
    JSON.parse('{"__proto__": {"polluted": true}}'),
  ];
  for (const value of values) {
    assert.equal(plain(value), true, Deno.inspect(value));
    const got = roundTrip(value);
    assert.deepStrictEqual(got, structuredClone(value));
  }
  // Own data properties even where Object.prototype has a property of that
  // name; key order as in the original.
  const back = roundTrip({ toString: 1, b: 2, a: 3 }) as Record<string, number>;
  assert.deepEqual(Object.keys(back), ["toString", "b", "a"]);
  assert.equal(Object.hasOwn(back, "toString"), true);
});

Deno.test("structured codec sends what plain data cannot say to node:v8, keeping structured clone's semantics", () => {
  const shared = { n: 1 };
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const nullProto = Object.assign(Object.create(null), { a: 1 });
  const withExtra = Object.assign([1, 2], { extra: true });
  const holes = [1, , 3];
  // As many keys as elements, but a hole and a named property.
  const holeAndName = Object.assign([1, , 3], { name: "x" });
  const trailingHole = Object.assign([1, 2, ,], { name: "x" });
  const hiddenIndex = [1, 2];
  Object.defineProperty(hiddenIndex, 1, { value: 2, enumerable: false });
  class Point {
    constructor(public x: number, public y: number) {}
  }
  const notPlain: unknown[] = [
    { a: shared, b: shared },
    cyclic,
    withExtra,
    holes,
    holeAndName,
    trailingHole,
    hiddenIndex,
    "lone \uD800 surrogate",
    { key: "\uDC00" },
    10n,
    new Date(0),
    new Map([[1, 2]]),
    new Point(1, 2),
    new Uint8Array([1, 2]),
    Array.from({ length: MAX_NODES }, (_, i) => i),
  ];
  for (const value of notPlain) {
    assert.equal(plain(value), false, Deno.inspect(value));
    assert.deepStrictEqual(roundTrip(value), structuredClone(value));
  }
  // A null-prototype object is plain; like structuredClone, it comes back
  // with Object.prototype.
  assert.equal(plain(nullProto), true);
  assert.equal(Object.getPrototypeOf(roundTrip(nullProto)), Object.prototype);
  // Identity inside a value survives (through node:v8).
  const pair = roundTrip({ a: shared, b: shared }) as { a: object; b: object };
  assert.equal(pair.a, pair.b);
  const loop = roundTrip(cyclic) as Record<string, unknown>;
  assert.equal(loop.self, loop);
  // `__proto__` stays an own property, not a prototype.
  const proto = roundTrip(JSON.parse('{"__proto__": {"p": 1}}')) as object;
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
});

Deno.test("structured codec refuses what structuredClone refuses, with a CodecError", async () => {
  const refused: unknown[] = [
    () => 1,
    Symbol("s"),
    { f() {} },
    [1, Symbol("s")],
    new Proxy({ a: 1 }, {}),
    {
      get boom() {
        throw new Error("getter failed");
      },
    },
  ];
  for (const value of refused) {
    assert.throws(() => structuredClone(value));
    assert.throws(() => codec.encode(value), CodecError);
  }
  // The channel stays as it was.
  const ch = new SharedChannel<unknown>({ capacity: 2 });
  await ch.send({ ok: 1 });
  for (const value of refused) {
    await assert.rejects(ch.send(value), CodecError);
  }
  assert.equal(ch.size, 1);
  assert.deepEqual(ch.tryReceive(), { state: "ok", value: { ok: 1 } });
  ch.close();
});

Deno.test("structured codec: a getter that sends on a structured channel while encoding", async () => {
  const inner = new SharedChannel<unknown>({ capacity: 1 });
  const outer = new SharedChannel<unknown>({ capacity: 1 });
  const value = {
    a: 1,
    get b() {
      // Encodes another value while this one is being encoded.
      inner.trySend({ nested: [1, 2] });
      return 2;
    },
  };
  await outer.send(value);
  assert.deepEqual(outer.tryReceive(), { state: "ok", value: { a: 1, b: 2 } });
  assert.deepEqual(inner.tryReceive(), {
    state: "ok",
    value: { nested: [1, 2] },
  });
});

Deno.test("plain format: encodings are independent copies, and a corrupt tag is reported", () => {
  const a = encodePlain({ x: 1 })!;
  const b = encodePlain({ x: 2 })!;
  assert.deepEqual(decodePlain(a), { x: 1 });
  assert.deepEqual(decodePlain(b), { x: 2 });
  const bad = a.slice();
  bad[1] = 99;
  assert.throws(() => decodePlain(bad), /unknown tag 99 at byte 1/);
});

Deno.test("structured codec keeps working after a caller transfers an encoding's buffer", () => {
  const first = codec.encode({ a: 1 }) as Uint8Array;
  // Transferring the pooled buffer detaches it for every view of it.
  structuredClone(first.buffer, { transfer: [first.buffer as ArrayBuffer] });
  assert.equal(first.byteLength, 0);
  assert.equal(plain({ b: [2, 3] }), true); // still the fast path
  const next = codec.encode({ b: [2, 3] }) as Uint8Array;
  assert.deepEqual(codec.decode(next), { b: [2, 3] });
});

Deno.test("structured codec: every typed array and DataView it decodes owns an ArrayBuffer of its own, as structuredClone gives", () => {
  // Misaligned views went to Node's shared Buffer pool, aligned ones viewed
  // the encoding, which may be a view of a pool other values share.
  const make = (i: number) => ({
    tag: new Uint8Array([i]),
    f64: new Float64Array([i + 0.5, i + 1.5]),
    i16: new Int16Array([i, -i]),
    big: new BigInt64Array([BigInt(i)]),
    dv: new DataView(new Uint8Array([i, i, i]).buffer),
    map: new Map([["k", new Uint32Array([i])]]),
  });
  const ch = new SharedChannel<ReturnType<typeof make>>({ capacity: 8 });
  for (let i = 0; i < 3; i++) assert.equal(ch.trySend(make(i)), true);
  const got = [0, 1, 2].map(() => {
    const r = ch.tryReceive();
    assert.equal(r.state, "ok");
    return (r as { value: ReturnType<typeof make> }).value;
  });
  const views = got.flatMap((
    v,
  ) => [v.tag, v.f64, v.i16, v.big, v.dv, v.map.get("k")!]);
  for (const view of views) {
    assert.equal(view.byteOffset, 0);
    assert.equal(view.buffer.byteLength, view.byteLength);
  }
  assert.equal(new Set(views.map((v) => v.buffer)).size, views.length);
  // Transferring one value's buffer leaves the others whole.
  structuredClone(got[0].f64.buffer, { transfer: [got[0].f64.buffer] });
  assert.equal(got[0].f64.length, 0);
  got.slice(1).forEach((v, i) => {
    assert.deepEqual([...v.f64], [i + 1.5, i + 2.5]);
    assert.deepEqual([...v.tag], [i + 1]);
    assert.equal(v.dv.getUint8(2), i + 1);
  });
  assert.deepEqual(roundTrip(make(4)), structuredClone(make(4)));
});

Deno.test("plain format: a forged count of keys or elements is refused at once as corrupt", () => {
  const forged = (tag: number, words: number[]) => {
    const bytes = new Uint8Array(2 + 4 * words.length);
    bytes[0] = 1; // the plain format
    bytes[1] = tag;
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(2 + 4 * i, w, true));
    return bytes;
  };
  const OBJECT = 8, ARRAY = 7;
  // An object of 50,000,000 keys in a 16-byte value; unshaped and shaped.
  for (const hash of [0, 12345]) {
    assert.throws(
      () => decodePlain(forged(OBJECT, [hash, 4, 50_000_000])),
      /count of 50000000 at byte \d+ is more than the bytes hold/,
    );
  }
  assert.throws(
    () => decodePlain(forged(ARRAY, [2 ** 32 - 1])),
    /count of 4294967295 at byte 2 is more than the bytes hold/,
  );
  // A key block longer than its keys.
  assert.throws(
    () => decodePlain(forged(OBJECT, [12345, 8, 0])),
    /keys end at byte \d+, not at byte \d+/,
  );
  assert.deepEqual(decodePlain(encodePlain({ a: [1, 2], b: {} })!), {
    a: [1, 2],
    b: {},
  });
  // A known shape's key block past the end of the bytes (in the same
  // buffer) is not taken for the block the header promises.
  const shaped = () => ({ forgedKeyOne: 1, forgedKeyTwo: 2 });
  encodePlain(shaped());
  const whole = encodePlain(shaped())!;
  decodePlain(whole);
  const cut = new Uint8Array(whole.length + 10);
  cut.set(whole.subarray(0, 10));
  cut.set(whole.subarray(10), 10);
  assert.throws(
    () => decodePlain(cut.subarray(0, 10)),
    /count of 0 at byte 10 is more than the bytes hold/,
  );
});

Deno.test("plain format: an element a getter deletes is a hole, as structuredClone keeps it", () => {
  const make = () => {
    const a: unknown[] = [1, 2, 3];
    Object.defineProperty(a, 0, {
      get() {
        delete a[1];
        return 1;
      },
      enumerable: true,
      configurable: true,
    });
    return a;
  };
  const got = roundTrip(make()) as unknown[];
  assert.equal(Object.hasOwn(got, 1), false);
  assert.deepStrictEqual(got, structuredClone(make()));
});

Deno.test("plain format: a null-prototype array stays an array and an arguments object is refused, as in structuredClone", () => {
  const bare = [1, 2];
  Object.setPrototypeOf(bare, null);
  assert.equal(plain(bare), false);
  const got = roundTrip(bare);
  assert.equal(Array.isArray(got), true);
  assert.deepEqual([...(got as number[])], [1, 2]);
  const args = (function (..._a: unknown[]) {
    return arguments;
  })(1, 2);
  assert.throws(() => structuredClone(args), DOMException);
  assert.equal(plain(args), false);
  assert.throws(() => codec.encode(args), CodecError);
  assert.throws(() => codec.encode({ nested: [args] }), CodecError);
});

Deno.test("plain format: a forged string length, a value cut short and bytes after the value are refused with a CodecError", () => {
  const bytes = (value: unknown) => new Uint8Array(encodePlain(value)!);
  const refused = (b: Uint8Array, why: RegExp) =>
    assert.throws(() => decodePlain(b), (e: unknown) => {
      assert.ok(e instanceof CodecError);
      assert.match(e.message, /Cannot decode a value with the "structured"/);
      assert.match(e.message, why);
      return true;
    });
  const s = bytes("hello world");
  const forged = s.slice();
  new DataView(forged.buffer).setUint32(2, 0x7fffffff, true);
  refused(forged, /string's length of 2147483647 at byte 2/);
  refused(s.subarray(0, s.length - 4), /string's length of 11/);
  const n = bytes(123456);
  refused(n.subarray(0, n.length - 2), /ends at byte 6, past the 4 bytes/);
  const d = bytes(1.5);
  refused(d.subarray(0, d.length - 3), /past the 7 bytes/);
  const o = bytes({ alpha: 1, beta: "x" });
  for (let cut = 1; cut < o.length - 1; cut++) {
    refused(o.subarray(0, o.length - cut), /./);
  }
  const a = bytes([1, 2, 3, 4, 5, 6]);
  for (let cut = 1; cut < a.length - 1; cut++) {
    refused(a.subarray(0, a.length - cut), /./);
  }
  const trailing = new Uint8Array(n.length + 3);
  trailing.set(n);
  refused(trailing, /with 3 bytes after it/);
  refused(bytes([1]).subarray(0, 1), /unknown tag undefined at byte 1/);
  // The codec's decode refuses them the same way.
  assert.throws(() => codec.decode(forged), CodecError);
  assert.deepEqual(decodePlain(o), { alpha: 1, beta: "x" });
});
