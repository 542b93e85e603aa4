// Copyright the denogo authors. MIT license.
// The pool workers' task: { op: "inc", x } returns x + 1; { op: "burn", ms }
// busy-loops for ms milliseconds (the CPU-bound workload).

export default function task({ op, x, ms }) {
  if (op === "inc") return x + 1;
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
  return ms;
}
