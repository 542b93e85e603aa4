/**
 * The 10-field object the structured `SharedChannel` rows send
 * (`shared_bench.ts` across two workers, `payload_bench.ts` each side on one
 * thread), so that both time the same shape.
 *
 * @module
 */

/** The row's object, with `id` set to `i`. */
export function benchObject(i: number): Record<string, unknown> {
  return {
    id: i,
    name: "item",
    price: 9.99,
    qty: 3,
    tags: ["a", "b"],
    ok: true,
    when: 1700000000000,
    ratio: 0.25,
    note: null,
    code: "X1",
  };
}
