// Copyright the denogo authors. MIT license.
import assert from "node:assert/strict";
import { describe } from "../_describe.ts";

Deno.test("describe() shows numbers bare and says the type of anything else", () => {
  class Foo {}
  function named() {}
  const cases: [unknown, string][] = [
    [3, "3"],
    [-1, "-1"],
    [1.5, "1.5"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-0, "-0"],
    ["3", '"3" (a string)'],
    ["", '"" (a string)'],
    ['a"b', '"a\\"b" (a string)'],
    [3n, "3n (a bigint)"],
    [true, "true (a boolean)"],
    [undefined, "undefined"],
    [null, "null"],
    [Symbol("s"), "Symbol(s) (a symbol)"],
    [() => {}, "a function"],
    [named, "function named"],
    [[1, 2], "an array of length 2"],
    [{}, "an object"],
    [Object.create(null), "an object"],
    [new Map(), "an instance of Map"],
    [new Foo(), "an instance of Foo"],
  ];
  for (const [value, expected] of cases) {
    assert.equal(describe(value), expected);
  }
});

Deno.test("describe() cuts long strings and never throws", () => {
  assert.equal(describe("x".repeat(100)), `"${"x".repeat(40)}…" (a string)`);
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(describe(proxy), "an object");
  const weird = Object.create({
    get constructor() {
      throw new Error("no");
    },
  });
  assert.equal(describe(weird), "an object");
});
