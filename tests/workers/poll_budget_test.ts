// Copyright the denogo authors. MIT license.

/**
 * The adaptive poll budget of the fast wake-ups (`workers/_poll_budget.ts`):
 * it covers the waits that end while polling or soon after, shrinks for
 * waits out of reach, stays within its bounds, and probes with the whole
 * maximum when asked to.
 *
 * @module
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { PollBudget } from "../../workers/_poll_budget.ts";

const MIN = 0.002;
const MAX = 0.02;

Deno.test("PollBudget starts at its maximum", () => {
  const budget = new PollBudget(MIN, MAX, 0);
  assert.equal(budget.ms, MAX);
  assert.equal(budget.begin(), MAX);
});

Deno.test("PollBudget.missed() halves the budget down to the minimum", () => {
  const budget = new PollBudget(MIN, MAX, 0);
  budget.missed();
  assert.equal(budget.ms, MAX / 2);
  for (let i = 0; i < 10; i++) budget.missed();
  assert.equal(budget.ms, MIN);
});

Deno.test("PollBudget.hit() doubles the budget and makes it cover twice the wait, up to the maximum", () => {
  const budget = new PollBudget(MIN, MAX, 0);
  for (let i = 0; i < 10; i++) budget.missed();
  budget.hit(0.001);
  assert.equal(budget.ms, 2 * MIN);
  budget.hit(0.004);
  assert.equal(budget.ms, 0.008);
  budget.hit(0);
  assert.equal(budget.ms, 0.016);
  budget.hit(0.5);
  assert.equal(budget.ms, MAX);
});

Deno.test("PollBudget.late() after a miss grows the budget only when the wait came within the maximum", () => {
  const budget = new PollBudget(MIN, MAX, 0);
  for (let i = 0; i < 10; i++) budget.missed();
  budget.late(0.003); // a longer poll would have caught it
  assert.equal(budget.ms, 0.006);
  budget.missed();
  budget.late(0.001); // undoes the halving
  assert.equal(budget.ms, 0.006);
  budget.missed();
  budget.late(MAX * 2); // out of reach: stays halved
  assert.equal(budget.ms, 0.003);
  budget.late(MAX);
  assert.equal(budget.ms, MAX);
});

Deno.test("PollBudget probes with its whole maximum every probeEvery-th poll", () => {
  const budget = new PollBudget(MIN, MAX, 4);
  for (let i = 0; i < 10; i++) budget.missed();
  const begun = Array.from({ length: 8 }, () => budget.begin());
  assert.deepEqual(begun, [MIN, MIN, MIN, MAX, MIN, MIN, MIN, MAX]);
  assert.equal(budget.ms, MIN, "a probe leaves the budget as it was");
});

Deno.test("PollBudget stays within its bounds whatever it is told", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom("hit", "late", "missed", "begin"),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
      ),
      (steps) => {
        const budget = new PollBudget(MIN, MAX, 3);
        for (const [step, ms] of steps) {
          if (step === "begin") {
            const b = budget.begin();
            assert.ok(b >= MIN && b <= MAX);
          } else if (step === "missed") budget.missed();
          else budget[step](ms);
          assert.ok(budget.ms >= MIN && budget.ms <= MAX, `${budget.ms}`);
        }
      },
    ),
  );
});
