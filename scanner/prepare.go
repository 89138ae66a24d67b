package scanner

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/rampart-sec/rampart/patterns"
)

// prepared is the built-in catalogue and its detector, built in the
// background by PrepareDefault.
var prepared struct {
	mu sync.Mutex
	// ch delivers the catalogue; nil when none is under way or it was
	// taken.
	ch chan preparedDefault
	// The catalogue once DefaultConfig has taken it, and det, which
	// delivers its detector, until NewDetector takes it.
	rules []*patterns.Rule
	det   chan *Detector
}

// preparedDefault is the catalogue, delivered before its detector is
// built (det delivers that): a history scan opens its packs and plans
// its reading meanwhile, which needs the configuration, not the detector.
type preparedDefault struct {
	rules []*patterns.Rule
	det   chan *Detector
	err   error
}

// PrepareDefault starts building the built-in catalogue and its detector
// in the background. A scan first asks git where the repository is and
// what it is, a child process's few milliseconds in which it has nothing
// else to do, and only then knows its configuration: the next
// DefaultConfig or ParseConfig takes the catalogue built meanwhile, and
// NewDetector given DefaultConfig's very rules takes the detector (the
// keyword automaton is most of its cost). A run with any other
// configuration builds its own detector, as without PrepareDefault.
func PrepareDefault() {
	prepared.mu.Lock()
	defer prepared.mu.Unlock()
	if prepared.ch != nil {
		return
	}
	ch := make(chan preparedDefault, 1)
	prepared.ch = ch
	// Read here, not in the goroutine: a test that swaps buildPrepared
	// must not race a build an earlier test left running.
	build := buildPrepared
	go func() {
		rules, err := patterns.Builtin()
		if err != nil {
			ch <- preparedDefault{err: err}
			return
		}
		det := make(chan *Detector, 1)
		ch <- preparedDefault{rules, det, nil}
		// Each send readies main (waiting for the catalogue, then the
		// detector) on this P, where it would wait until this goroutine
		// blocks or is preempted, up to 10 ms, whenever the other P is
		// busy (the huge-page collection, the history's walk): main
		// resumed 1-3 ms after a send in half of Kingfisher's history
		// scans. Yielding runs main now; this goroutine goes on on
		// whichever P frees first, and main soon waits for it again.
		runtime.Gosched()
		det <- build(rules)
		runtime.Gosched()
		// With one core there is no idle one to compile on.
		if runtime.GOMAXPROCS(0) > 1 {
			patterns.WarmValidators(&reading)
			warmGeneric(rules, &reading)
		}
	}()
}

// reading is set when a scan begins (Scan): PrepareDefault's goroutine
// stops compiling ahead then.
var reading atomic.Bool

// warmGeneric compiles, ahead of their first keyword hit, what detection
// runs for the catalogue's generic rules (a password, a secret, a token
// known by its name alone: the rules that fire in nearly every
// repository), until a scan begins. It runs on PrepareDefault's goroutine
// once the detector is built, while main still sets the scan up on one
// core and the other has nothing to do: compiling that the readers, both
// cores busy, would otherwise pay at their first hits. Each rule compiles
// once, whoever asks first. It stops when stop is set.
func warmGeneric(rules []*patterns.Rule, stop *atomic.Bool) {
	for _, r := range rules {
		if stop.Load() {
			return
		}
		// (A rule limited to some paths runs only where they are: its
		// regex is compiled at its first hit there, if any.)
		if r.Generic && r.Path == nil {
			warmRule(r)
			// Whoever this goroutine readied (main, waiting for the
			// catalogue or a channel) runs now rather than after it.
			runtime.Gosched()
		}
	}
}

// warmRule compiles what runRule runs for r.
func warmRule(r *patterns.Rule) {
	switch {
	case r.Anchored():
		r.AnchoredMatcher()
	case r.LineFinder() != nil:
	default:
		r.Finder()
		if r.Starts() != nil {
			r.StartFinders()
		}
	}
}

// Preparing reports whether PrepareDefault has begun a build that no
// configuration has taken yet.
func Preparing() bool {
	prepared.mu.Lock()
	defer prepared.mu.Unlock()
	return prepared.ch != nil
}

// buildPrepared builds PrepareDefault's detector (a test holds it up).
var buildPrepared = func(rules []*patterns.Rule) *Detector { return newDetector(rules, nil) }

// builtinRules returns the built-in catalogue: PrepareDefault's, waiting
// for it, if one is under way (keepDetector: its detector stays for
// NewDetector), else freshly compiled.
func builtinRules(keepDetector bool) ([]*patterns.Rule, error) {
	prepared.mu.Lock()
	ch := prepared.ch
	prepared.ch = nil
	prepared.mu.Unlock()
	if ch == nil {
		return patterns.Builtin()
	}
	p := <-ch
	if p.err == nil && keepDetector {
		prepared.mu.Lock()
		prepared.rules, prepared.det = p.rules, p.det
		prepared.mu.Unlock()
	}
	// Otherwise the detector is built for nothing, as the catalogue's
	// was before it could be known that another configuration follows.
	return p.rules, p.err
}

// preparedDetector returns PrepareDefault's detector, waiting for it to be
// built, if rules are the very rules it was built for (the same slice, as
// DefaultConfig returned it), once; else nil.
func preparedDetector(rules []*patterns.Rule) *Detector {
	prepared.mu.Lock()
	if prepared.det == nil || len(rules) == 0 || len(rules) != len(prepared.rules) || &rules[0] != &prepared.rules[0] {
		prepared.mu.Unlock()
		return nil
	}
	det := prepared.det
	prepared.rules, prepared.det = nil, nil
	prepared.mu.Unlock()
	return <-det
}
