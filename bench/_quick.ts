// Copyright the denogo authors. MIT license.

/**
 * The quick mode of the bench files: `compare.ts --quick` sets
 * `DENOGO_BENCH_QUICK=1` for a short smoke run.
 *
 * @module
 */

/** Whether `compare.ts --quick` asked for a short smoke run. */
export function quick(): boolean {
  const variable = "DENOGO_BENCH_QUICK";
  try {
    return Deno.permissions.querySync({ name: "env", variable }).state ===
        "granted" && Deno.env.get(variable) === "1";
  } catch {
    return false;
  }
}

/** Iteration counts for a quick run; `deno bench`'s own when undefined. */
export const RUNS: { n?: number; warmup?: number } = quick()
  ? { n: 10, warmup: 2 }
  : {};
