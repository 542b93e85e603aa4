// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * A fixed log-bucket histogram of durations, cheap to record into (a
 * `Math.log2`, a `Math.ceil` and an array increment) and of fixed size
 * whatever it holds, for {@linkcode Runtime.stats}'s latency figures.
 *
 * ## Buckets (`BUCKETS` = 160 counters, 4 per power of 2)
 *
 * | bucket | holds durations (µs) |
 * | --- | --- |
 * | 0 | ≤ 1 |
 * | i (1 .. 158) | (2^((i-1)/4), 2^(i/4)] |
 * | 159 | > 2^(158/4) (about 8 days) |
 *
 * A bucket is about 19 % wide, so a percentile (reported as its bucket's
 * upper bound, clamped to the largest value seen) is at most 19 % above
 * the true one. The minimum, maximum and mean are exact.
 *
 * @module
 */

import type { HistogramStats } from "./stats.ts";

export const BUCKETS = 160;
const PER_OCTAVE = 4;

/** The durations recorded so far. */
export class Histogram {
  #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  /** Records a duration of `ms` milliseconds (NaN and negatives as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const us = v * 1000;
    const i = us <= 1 ? 0 : Math.ceil(Math.log2(us) * PER_OCTAVE);
    this.#counts[i < BUCKETS ? i : BUCKETS - 1]++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** The percentiles and extremes, in ms (all 0 while empty). */
  snapshot(): HistogramStats {
    const n = this.#count;
    if (n === 0) {
      return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    }
    return {
      count: n,
      min: this.#min,
      mean: this.#sum / n,
      p50: this.#quantile(0.5),
      p90: this.#quantile(0.9),
      p99: this.#quantile(0.99),
      max: this.#max,
    };
  }

  /** The upper bound of the bucket holding the `q`-quantile, in ms. */
  #quantile(q: number): number {
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen >= rank) {
        const upper = i === BUCKETS - 1
          ? Infinity
          : 2 ** (i / PER_OCTAVE) / 1000;
        return Math.max(this.#min, Math.min(upper, this.#max));
      }
    }
    return this.#max;
  }
}
