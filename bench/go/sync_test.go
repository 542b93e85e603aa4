// Copyright the denogo authors. MIT license.

package bench

// Go's side of bench/sync_bench.ts: one operation per b.N, where the Deno
// bench does a batch per iteration (the table in sync_bench.ts pairs them).
// Run with: GOMAXPROCS=2 go test -bench 'Mutex|WaitGroup|Once|Semaphore' -run '^$'

import (
	"sync"
	"testing"
)

func BenchmarkMutexTryLock(b *testing.B) {
	var mu sync.Mutex
	for i := 0; i < b.N; i++ {
		mu.TryLock()
		mu.Unlock()
	}
}

func BenchmarkMutexUncontended(b *testing.B) {
	var mu sync.Mutex
	for i := 0; i < b.N; i++ {
		mu.Lock()
		mu.Unlock()
	}
}

// Lock/unlock pairs shared by two goroutines: b.N pairs in all.
func BenchmarkMutexContended(b *testing.B) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	shared := 0
	wg.Add(2)
	for g := 0; g < 2; g++ {
		go func(n int) {
			defer wg.Done()
			for j := 0; j < n; j++ {
				mu.Lock()
				shared++
				mu.Unlock()
			}
		}(b.N / 2)
	}
	wg.Wait()
	_ = shared
}

func BenchmarkRWMutexRLockUncontended(b *testing.B) {
	var rw sync.RWMutex
	for i := 0; i < b.N; i++ {
		rw.TryRLock()
		rw.RUnlock()
	}
}

func BenchmarkWaitGroupSpawnWait(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		wg.Add(1)
		go wg.Done()
		wg.Wait()
	}
}

// One op: 100 goroutines spawned and waited for.
func BenchmarkWaitGroupSpawnWait100(b *testing.B) {
	for i := 0; i < b.N; i++ {
		var wg sync.WaitGroup
		wg.Add(100)
		for j := 0; j < 100; j++ {
			go wg.Done()
		}
		wg.Wait()
	}
}

func BenchmarkOnceDone(b *testing.B) {
	var once sync.Once
	once.Do(func() {})
	for i := 0; i < b.N; i++ {
		once.Do(func() {})
	}
}

// x/sync/semaphore is not in the standard library; a buffered channel of
// tokens is the standard library's counting semaphore.
func BenchmarkSemaphoreTryAcquire(b *testing.B) {
	sem := make(chan struct{}, 10)
	for i := 0; i < b.N; i++ {
		select {
		case sem <- struct{}{}:
		default:
		}
		<-sem
	}
}
