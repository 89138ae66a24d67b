package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// planner is implemented by sources that know how many objects they will
// read (history.History); the bar uses it as its moving total.
type planner interface{ Planned() int64 }

// progressDelay is how long a scan runs before it shows progress: a scan
// that ends sooner (one file, a small repository) never flashes a bar.
const progressDelay = time.Second

// progress draws "objects scanned of total, MB/s, elapsed, estimate" on a
// terminal once a scan has run for progressDelay. schollz/progressbar does
// the rendering and the time estimate; this type feeds it from the
// scanner's callback, which runs on worker goroutines.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	bar   *progressbar.ProgressBar // nil until progressDelay has passed
	plan  planner
	start time.Time
	now   func() time.Time
	max   int64
}

func newProgress(w io.Writer, plan planner, now func() time.Time) *progress {
	return &progress{w: w, plan: plan, start: now(), now: now}
}

// update is the scanner.Options.Progress callback.
func (p *progress) update(chunks int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	secs := p.now().Sub(p.start).Seconds()
	if p.bar == nil {
		if secs < progressDelay.Seconds() {
			return
		}
		p.max = -1
		if p.plan != nil {
			p.max = 0
		}
		p.bar = progressbar.NewOptions64(p.max,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("scanning"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("objects"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(150*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30),
		)
	}
	if p.plan != nil {
		if n := p.plan.Planned(); n > p.max {
			p.max = n
			p.bar.ChangeMax64(n)
		}
	}
	if secs > 0 {
		p.bar.Describe(fmt.Sprintf("%.0f MB, %.1f MB/s", float64(bytes)/(1<<20), float64(bytes)/(1<<20)/secs))
	}
	p.bar.Set64(int64(chunks))
}

// finish removes the bar from the terminal, if it was ever drawn.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}
