// Copyright the denogo authors. MIT license.

// Package bench holds the Go reference benchmarks for denogo: the same
// workloads as bench/*_bench.ts, so that bench/compare.ts can print the ratio
// of each denogo operation to Go's in the same run on the same machine.
//
// Run them with (bench/compare.ts does this for you):
//
//	GOMAXPROCS=2 go test -bench . -benchmem -run '^$' -count 1
//
// The memory measurement (1,000,000 goroutines parked on one channel) is a
// test, not a benchmark, so that it runs exactly once:
//
//	DENOGO_BENCH_MEMORY=1000000 go test -run '^TestParkedGoroutineMemory$' -v -count 1
//
// DENOGO_BENCH_QUICK=1 shrinks the 100,000-goroutine workload to 10,000, as
// the Deno benches do under `compare.ts --quick`.
package bench

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// spawnCount is the number of goroutines of BenchmarkSpawnJoin100k.
func spawnCount() int {
	if os.Getenv("DENOGO_BENCH_QUICK") == "1" {
		return 10_000
	}
	return 100_000
}

// 1. Buffered send+recv, non-blocking path: c <- 1; <-c in one goroutine.
func BenchmarkBufferedSendRecv(b *testing.B) {
	c := make(chan int, 1024)
	for i := 0; i < b.N; i++ {
		c <- i
		<-c
	}
}

// 3. Unbuffered ping-pong: one op is a round trip between two goroutines.
func BenchmarkUnbufferedPingPong(b *testing.B) {
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ping <- i
		<-pong
	}
	b.StopTimer()
	close(ping)
	<-pong
}

// 2b. The same ping-pong with each goroutine locked to its own OS thread,
// so every hand-off crosses threads as it does between two Web Workers
// (with GOMAXPROCS=2 the plain ping-pong mostly stays on one P). A context
// row for the shared-memory ping-pong, not its target.
func BenchmarkUnbufferedPingPongOSThreads(b *testing.B) {
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ping <- i
		<-pong
	}
	b.StopTimer()
	close(ping)
	<-pong
}

func producerConsumer(b *testing.B, capacity int) {
	c := make(chan int, capacity)
	n := b.N
	go func() {
		for i := 0; i < n; i++ {
			c <- i
		}
		close(c)
	}()
	for range c {
	}
}

// 4a. Producer-consumer through a buffer of 1024; one op is one item.
func BenchmarkProducerConsumerBuffered1024(b *testing.B) {
	producerConsumer(b, 1024)
}

// 4b. Producer-consumer through an unbuffered channel; one op is one item.
func BenchmarkProducerConsumerUnbuffered(b *testing.B) {
	producerConsumer(b, 0)
}

// 5. Select over two receive cases, one ready. The refill send is part of
// the op, as in the Deno bench.
func BenchmarkSelectTwoCasesOneReady(b *testing.B) {
	a := make(chan int, 1)
	c := make(chan int, 1)
	for i := 0; i < b.N; i++ {
		a <- i
		select {
		case <-a:
		case <-c:
		}
	}
}

// 6. Spawn a goroutine and wait for it: go f(); <-done.
func BenchmarkSpawnAndWait(b *testing.B) {
	done := make(chan struct{})
	f := func() { done <- struct{}{} }
	for i := 0; i < b.N; i++ {
		go f()
		<-done
	}
}

// 7. 100,000 goroutines spawned and joined with a WaitGroup; one op is the
// whole batch.
func BenchmarkSpawnJoin100k(b *testing.B) {
	n := spawnCount()
	var wg sync.WaitGroup
	f := func() { wg.Done() }
	for i := 0; i < b.N; i++ {
		wg.Add(n)
		for j := 0; j < n; j++ {
			go f()
		}
		wg.Wait()
	}
}

// inUse is the memory the runtime holds for live objects and stacks.
func inUse() (inUse uint64, sys uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse, m.Sys
}

// 8. Memory per goroutine parked on a channel receive, with
// DENOGO_BENCH_MEMORY of them (1,000,000 in the design's row). Compares
// HeapAlloc+StackInuse (live objects and goroutine stacks) before and
// after; the Sys delta (memory obtained from the OS) is printed too.
func TestParkedGoroutineMemory(t *testing.T) {
	count, err := strconv.Atoi(os.Getenv("DENOGO_BENCH_MEMORY"))
	if err != nil || count <= 0 {
		t.Skip("set DENOGO_BENCH_MEMORY=<goroutines> to run")
	}
	c := make(chan int)
	var started, finished sync.WaitGroup
	started.Add(count)
	finished.Add(count)
	before, sysBefore := inUse()
	for i := 0; i < count; i++ {
		go func() {
			started.Done()
			<-c
			finished.Done()
		}()
	}
	started.Wait()
	// Every goroutine is running or parked on <-c; its stack and g exist.
	runtime.Gosched()
	after, sysAfter := inUse()
	close(c)
	finished.Wait()
	perGoroutine := float64(int64(after)-int64(before)) / float64(count)
	sysPerGoroutine := float64(int64(sysAfter)-int64(sysBefore)) / float64(count)
	t.Logf("denogo-memory goroutines=%d bytes_per_goroutine=%.1f sys_bytes_per_goroutine=%.1f",
		count, perGoroutine, sysPerGoroutine)
}
