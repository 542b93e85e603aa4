// Copyright the denogo authors. MIT license.
// Port of the core of Go's test/chan/powser1.go (after Doug McIlroy's
// "Squinting at Power Series"): a power series is a demand channel along
// which its rational coefficients flow, one per request, and every operator
// (sum, product, derivative, integral, exponential, substitution) is a
// network of goroutines. The series are infinite and their goroutines never
// return, so each test tears the network down with an AbortSignal. The
// terms are objects, so the shared kind is `structured`.

import assert from "node:assert/strict";
import { go, numGoroutine, recv, select, send } from "../../mod.ts";
import {
  ANY_VALUE_KINDS,
  type Chan,
  type ChannelKind,
  testEachKind,
} from "./_shared.ts";
import { settleAll, track } from "./_util.ts";

/** A rational number; a zero denominator marks the end of a series. */
interface Rat {
  readonly num: number;
  readonly den: number;
}

function gcd(u: number, v: number): number {
  if (u < 0) return gcd(-u, v);
  if (u === 0) return v;
  return gcd(v % u, u);
}

/** u/v in lowest terms with a positive denominator (`+ 0` drops -0). */
function rat(u: number, v = 1): Rat {
  const g = gcd(u, v);
  return v > 0
    ? { num: u / g + 0, den: v / g + 0 }
    : { num: -u / g + 0, den: -v / g + 0 };
}

const ZERO = rat(0);
const ONE = rat(1);
const FINIS = rat(1, 0);

function isEnd(u: Rat): boolean {
  return u.den === 0;
}

function add(u: Rat, v: Rat): Rat {
  const g = gcd(u.den, v.den);
  return rat(u.num * (v.den / g) + v.num * (u.den / g), u.den * (v.den / g));
}

function mul(u: Rat, v: Rat): Rat {
  const g1 = gcd(u.num, v.den);
  const g2 = gcd(u.den, v.num);
  return rat((u.num / g1) * (v.num / g2), (u.den / g2) * (v.den / g1));
}

function neg(u: Rat): Rat {
  return rat(-u.num, u.den);
}

/** A demand channel: send a request on `req`, receive a term on `dat`. */
interface Series {
  readonly req: Chan<number>;
  readonly dat: Chan<Rat>;
}

/** Two outputs of one series, read at their own pace; a split may swap them. */
type SeriesPair = [Series, Series];

function newSeries(kind: ChannelKind): Series {
  return { req: kind.make<number>(), dat: kind.make<Rat>() };
}

/**
 * The operators, bound to one network: every goroutine they start is
 * recorded, and every blocking operation observes `signal`.
 */
function powerSeries(
  kind: ChannelKind,
  signal: AbortSignal,
  goroutines: Promise<void>[],
) {
  let seqno = 0;
  const spawn = <A extends unknown[]>(
    fn: (...args: A) => Promise<void>,
    ...args: A
  ) => track(goroutines, go(fn, ...args));
  const receive = async <T>(ch: Chan<T>): Promise<T> =>
    (await ch.receive({ signal })).value as T;
  const give = <T>(ch: Chan<T>, v: T) => ch.send(v, { signal });

  // A split serves two readers. Each generation fetches one term, hands it
  // to out[0] at once and to out[1] when asked; meanwhile the next
  // generation serves out[0]. `wait` tells a generation that the previous
  // one is done with out[1], so it may serve whichever side asks first
  // (renaming that side out[0]).
  async function dosplit(
    input: Series,
    out: SeriesPair,
    wait: Chan<number>,
  ): Promise<void> {
    let both = false;
    await select([
      recv(out[0].req),
      recv(wait, () => {
        both = true;
      }),
    ], { signal });
    if (both) {
      await select([
        recv(out[0].req),
        recv(out[1].req, () => {
          [out[0], out[1]] = [out[1], out[0]];
        }),
      ], { signal });
    }
    await give(input.req, ++seqno);
    const release = kind.make<number>();
    spawn(dosplit, input, out, release);
    const term = await receive(input.dat);
    await give(out[0].dat, term);
    if (!both) await receive(wait);
    await receive(out[1].req);
    await give(out[1].dat, term);
    await give(release, 0);
  }

  async function split(input: Series, out: SeriesPair): Promise<void> {
    const release = kind.make<number>();
    spawn(dosplit, input, out, release);
    await give(release, 0);
  }

  async function put(term: Rat, out: Series): Promise<void> {
    await receive(out.req);
    await give(out.dat, term);
  }

  async function get(input: Series): Promise<Rat> {
    await give(input.req, ++seqno);
    return await receive(input.dat);
  }

  /** One term from each of two series, requested and read in any order. */
  async function get2(in0: Series, in1: Series): Promise<[Rat, Rat]> {
    const inputs = [in0, in1];
    const req: (Chan<number> | null)[] = [in0.req, in1.req];
    const dat: (Chan<Rat> | null)[] = [null, null];
    const out: [Rat, Rat] = [ZERO, ZERO];
    for (let n = 4; n > 0; n--) {
      seqno++;
      await select([
        send(req[0], seqno, () => {
          dat[0] = inputs[0].dat;
          req[0] = null;
        }),
        send(req[1], seqno, () => {
          dat[1] = inputs[1].dat;
          req[1] = null;
        }),
        recv(dat[0], (term) => {
          out[0] = term!;
          dat[0] = null;
        }),
        recv(dat[1], (term) => {
          out[1] = term!;
          dat[1] = null;
        }),
      ], { signal });
    }
    return out;
  }

  async function copy(input: Series, out: Series): Promise<never> {
    for (;;) {
      await receive(out.req);
      await give(out.dat, await get(input));
    }
  }

  /** The constant series c, c, c, ... */
  function repeat(c: Rat): Series {
    const z = newSeries(kind);
    spawn(async () => {
      for (;;) await put(c, z);
    });
    return z;
  }

  function splitOf(u: Series): SeriesPair {
    const uu: SeriesPair = [newSeries(kind), newSeries(kind)];
    spawn(split, u, uu);
    return uu;
  }

  function sum(u: Series, v: Series): Series {
    const z = newSeries(kind);
    spawn(async () => {
      for (;;) {
        await receive(z.req);
        const [a, b] = await get2(u, v);
        if (!isEnd(a) && !isEnd(b)) {
          await give(z.dat, add(a, b));
        } else if (isEnd(a) && isEnd(b)) {
          await give(z.dat, FINIS);
        } else if (isEnd(a)) {
          await give(z.dat, b);
          await copy(v, z);
        } else {
          await give(z.dat, a);
          await copy(u, z);
        }
      }
    });
    return z;
  }

  function scale(c: Rat, u: Series): Series {
    const z = newSeries(kind);
    spawn(async () => {
      for (;;) {
        await receive(z.req);
        const term = await get(u);
        if (isEnd(term)) break;
        await give(z.dat, mul(c, term));
      }
      await give(z.dat, FINIS);
    });
    return z;
  }

  function difference(u: Series, v: Series): Series {
    return sum(u, scale(neg(ONE), v));
  }

  // (u + x·U')(v + x·V') = uv + x·(u·V' + v·U') + x²·U'·V'
  function product(u: Series, v: Series): Series {
    const z = newSeries(kind);
    spawn(async () => {
      await receive(z.req);
      const [a, b] = await get2(u, v);
      if (isEnd(a) || isEnd(b)) {
        await give(z.dat, FINIS);
        return;
      }
      await give(z.dat, mul(a, b));
      const uu = splitOf(u);
      const vv = splitOf(v);
      const w = sum(scale(a, vv[0]), scale(b, uu[0]));
      await receive(z.req);
      await give(z.dat, await get(w));
      await copy(sum(w, product(uu[1], vv[1])), z);
    });
    return z;
  }

  function derivative(u: Series): Series {
    const z = newSeries(kind);
    spawn(async () => {
      await receive(z.req);
      if (!isEnd(await get(u))) {
        for (let i = 1;; i++) {
          const term = await get(u);
          if (isEnd(term)) break;
          await give(z.dat, mul(rat(i), term));
          await receive(z.req);
        }
      }
      await give(z.dat, FINIS);
    });
    return z;
  }

  function integral(c: Rat, u: Series): Series {
    const z = newSeries(kind);
    spawn(async () => {
      await put(c, z);
      for (let i = 1;; i++) {
        await receive(z.req);
        const term = await get(u);
        await give(z.dat, mul(rat(1, i), term));
        if (isEnd(term)) break;
      }
      await give(z.dat, FINIS);
    });
    return z;
  }

  // Z = exp(U) solves Z' = Z·U', Z(0) = 1: integrate a product that reads
  // back Z itself through a split.
  async function exp(u: Series): Promise<Series> {
    const zz: SeriesPair = [newSeries(kind), newSeries(kind)];
    await split(integral(ONE, product(zz[0], derivative(u))), zz);
    return zz[1];
  }

  /** U(c·xⁿ): term i is multiplied by cⁱ and followed by n - 1 zeros. */
  function monomialSubstitution(u: Series, c0: Rat, n: number): Series {
    const z = newSeries(kind);
    spawn(async () => {
      let c = ONE;
      for (;;) {
        await receive(z.req);
        const term = await get(u);
        await give(z.dat, mul(term, c));
        c = mul(c, c0);
        if (isEnd(term)) {
          await give(z.dat, FINIS);
          return;
        }
        for (let i = 1; i < n; i++) {
          await receive(z.req);
          await give(z.dat, ZERO);
        }
      }
    });
    return z;
  }

  return {
    get,
    repeat,
    sum,
    scale,
    difference,
    product,
    derivative,
    integral,
    exp,
    monomialSubstitution,
  };
}

type PowerSeries = ReturnType<typeof powerSeries>;

/** Runs `body` on a fresh network, then stops every goroutine it started. */
async function withPowerSeries(
  kind: ChannelKind,
  body: (ps: PowerSeries) => Promise<void>,
): Promise<void> {
  const before = numGoroutine();
  const controller = new AbortController();
  const goroutines: Promise<void>[] = [];
  const checked = body(powerSeries(kind, controller.signal, goroutines));
  await checked.catch(() => {});
  const stop = new Error("stop the network");
  controller.abort(stop);
  const results = await settleAll(goroutines);
  await checked; // Report a failed check first,
  for (const result of results) { // then a goroutine that failed.
    if (result.status === "rejected" && result.reason !== stop) {
      throw result.reason;
    }
  }
  assert.equal(numGoroutine(), before);
}

async function expectTerms(
  ps: PowerSeries,
  u: Series,
  expected: readonly Rat[],
): Promise<void> {
  const got: Rat[] = [];
  for (let i = 0; i < expected.length; i++) got.push(await ps.get(u));
  assert.deepEqual(got, expected);
}

const N = 10;
const constant = (c: Rat, n = N) => Array.from({ length: n }, () => c);
const range = (f: (i: number) => Rat) =>
  Array.from({ length: N }, (_, i) => f(i));

testEachKind(
  ANY_VALUE_KINDS,
  "power series: constant series, sums, scaling and differences",
  async (kind) => {
    await withPowerSeries(kind, async (ps) => {
      const ones = ps.repeat(ONE);
      const twos = ps.repeat(rat(2));
      await expectTerms(ps, ones, constant(ONE, 5));
      await expectTerms(ps, ps.sum(ones, ones), constant(rat(2), 5));
      await expectTerms(ps, ps.sum(ones, twos), constant(rat(3), 5));
      await expectTerms(ps, ps.scale(neg(ONE), twos), constant(rat(-2)));
      await expectTerms(ps, ps.difference(ones, twos), constant(rat(-1), 5));
    });
  },
);

testEachKind(
  ANY_VALUE_KINDS,
  "power series: derivative and integral of 1/(1-x)",
  async (kind) => {
    await withPowerSeries(kind, async (ps) => {
      const ones = ps.repeat(ONE);
      // d/dx (1 + x + x² + ...) = 1 + 2x + 3x² + ...
      await expectTerms(ps, ps.derivative(ones), range((i) => rat(i + 1)));
      // ∫ (1 + x + x² + ...) = x + x²/2 + x³/3 + ...
      await expectTerms(
        ps,
        ps.integral(ZERO, ones),
        range((i) => i === 0 ? ZERO : rat(1, i)),
      );
    });
  },
);

testEachKind(
  ANY_VALUE_KINDS,
  "power series: product of 1/(1-x) with itself",
  async (kind) => {
    await withPowerSeries(kind, async (ps) => {
      const ones = ps.repeat(ONE);
      await expectTerms(ps, ps.product(ones, ones), range((i) => rat(i + 1)));
    });
  },
);

testEachKind(
  ANY_VALUE_KINDS,
  "power series: exp(1/(1-x)) through a self-referential split",
  async (kind) => {
    await withPowerSeries(kind, async (ps) => {
      const ones = ps.repeat(ONE);
      await expectTerms(ps, await ps.exp(ones), [
        rat(1),
        rat(1),
        rat(3, 2),
        rat(13, 6),
        rat(73, 24),
        rat(167, 40),
        rat(4051, 720),
        rat(37633, 5040),
        rat(43817, 4480),
        rat(4596553, 362880),
      ]);
    });
  },
);

testEachKind(
  ANY_VALUE_KINDS,
  "power series: arctangent as the integral of 1/(1+x²)",
  async (kind) => {
    await withPowerSeries(kind, async (ps) => {
      const ones = ps.repeat(ONE);
      const atan = ps.integral(
        ZERO,
        ps.monomialSubstitution(ones, neg(ONE), 2),
      );
      // x - x³/3 + x⁵/5 - ...
      await expectTerms(
        ps,
        atan,
        range((i) => i % 2 === 0 ? ZERO : rat((i - 1) % 4 === 0 ? 1 : -1, i)),
      );
    });
  },
);
