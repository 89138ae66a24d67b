package scanner

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart/patterns"
)

// mallocs counts the heap allocations made while f runs (other
// goroutines' too: a count is never less than f's own).
func mallocs(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.Mallocs - a.Mallocs
}

// fewestMallocs is the least of three counts of f's allocations: f's own
// when nothing else allocated during one of them.
func fewestMallocs(f func()) uint64 {
	return min(mallocs(f), mallocs(f), mallocs(f))
}

// TestWarmGenericCompilesAhead: warming compiles what detection runs for
// every generic rule (asking for it again compiles nothing) and for no
// other rule; told to stop, it compiles nothing.
func TestWarmGenericCompilesAhead(t *testing.T) {
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	warmGeneric(rules, &stop)
	generic, other := 0, 0
	for _, r := range rules {
		var n uint64
		if r.Generic {
			n = fewestMallocs(func() { warmRule(r) })
		} else {
			n = mallocs(func() { warmRule(r) })
		}
		switch {
		case r.Generic && n != 0:
			t.Errorf("%s: generic, compiled after warming (%d allocations)", r.ID, n)
		case r.Generic:
			generic++
		case n > 0:
			other++
		}
	}
	if generic < 40 || other < len(rules)/2 {
		t.Errorf("generic rules warmed %d, other rules left cold %d of %d", generic, other, len(rules))
	}

	rules, err = patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	stop.Store(true)
	warmGeneric(rules, &stop)
	for _, r := range rules {
		if r.Generic {
			if n := mallocs(func() { warmRule(r) }); n == 0 {
				t.Errorf("%s: compiled though warming was told to stop", r.ID)
			}
			break
		}
	}
}

// TestWarmGenericYields: warming gives way, rule by rule, to a goroutine
// it readied. main waits for the catalogue and the detector on
// PrepareDefault's goroutine; readied on that goroutine's P, it ran only
// once warming had ended or been preempted (10 ms later) whenever the
// other P was busy. On one P here, main must get to stop the warming
// after a rule or two, not after all of them.
func TestWarmGenericYields(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	started, done := make(chan struct{}), make(chan struct{})
	go func() {
		close(started) // readies this test, which then waits on this P
		warmGeneric(rules, &stop)
		close(done)
	}()
	<-started
	stop.Store(true)
	<-done
	runtime.GOMAXPROCS(2)
	warmed, generic := 0, 0
	for _, r := range rules {
		if !r.Generic {
			continue
		}
		generic++
		// A rule not compiled yet compiles now (a count is never less
		// than this goroutine's own allocations).
		if mallocs(func() { warmRule(r) }) == 0 {
			warmed++
		}
	}
	if warmed > 3 {
		t.Errorf("warming compiled %d of %d generic rules before the goroutine it readied ran", warmed, generic)
	}
}
