// Copyright the denogo authors. MIT license.

package bench

import (
	"context"
	"testing"
	"time"
)

// Context tree: a 4-ary tree of 10,000 WithCancel nodes is built, then the
// root is cancelled; one op is the whole tree. Deno: "context: tree of
// 10,000 nodes, create + cancel".
func BenchmarkContextTree10000(b *testing.B) {
	const nodes = 10_000
	for n := 0; n < b.N; n++ {
		root, cancel := context.WithCancel(context.Background())
		tree := make([]context.Context, 1, nodes)
		tree[0] = root
		for i := 0; len(tree) < nodes; i++ {
			// The root's cancel cancels every node; the per-node cancel
			// functions are dropped, as in the Deno bench.
			child, cancelChild := context.WithCancel(tree[i>>2])
			_ = cancelChild
			tree = append(tree, child)
		}
		cancel()
	}
}

type benchKey struct{}

var valueSink any

// Value lookup of a key stored 10 WithValue layers above the context.
// Deno: "context: value() lookup at depth 10".
func BenchmarkContextValueDepth10(b *testing.B) {
	ctx := context.WithValue(context.Background(), benchKey{}, 42)
	for i := 0; i < 10; i++ {
		ctx = context.WithValue(ctx, i, i)
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		valueSink = ctx.Value(benchKey{})
	}
}

// Select over ctx.Done() (never ready) and a buffered channel with one
// value; the refill send is part of the op. Deno: "context: select on
// ctx.done() + one ready channel".
func BenchmarkContextSelectDoneReady(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan int, 1)
	done := ctx.Done()
	for n := 0; n < b.N; n++ {
		ready <- 1
		select {
		case <-done:
		case <-ready:
		}
	}
}

// WithTimeout + cancel: arms and stops a timer. Deno: "context:
// withTimeout() + cancel()".
func BenchmarkContextWithTimeoutCancel(b *testing.B) {
	parent, cancelParent := context.WithCancel(context.Background())
	defer cancelParent()
	for n := 0; n < b.N; n++ {
		_, cancel := context.WithTimeout(parent, time.Minute)
		cancel()
	}
}
