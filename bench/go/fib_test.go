package bench

import (
	"sync"
	"testing"
)

// Fork-join Fibonacci with a goroutine per call above the cutoff: the Go
// twin of the fib task in bench/scheduler_bench.ts (fib(30), cutoff 18).
// Run with -cpu 1,2 to get the speedup over one processor.

func fibSeq(n int) int {
	if n < 2 {
		return n
	}
	return fibSeq(n-1) + fibSeq(n-2)
}

func fibForkJoin(n, cutoff int) int {
	if n <= cutoff {
		return fibSeq(n)
	}
	var a int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a = fibForkJoin(n-1, cutoff)
	}()
	b := fibForkJoin(n-2, cutoff)
	wg.Wait()
	return a + b
}

func BenchmarkForkJoinFib30(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if fibForkJoin(30, 18) != 832040 {
			b.Fatal("wrong fib(30)")
		}
	}
}
