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

// progress draws "objects scanned of total, MB/s, elapsed, estimate" on a
// terminal. schollz/progressbar does the rendering and the time estimate;
// this type feeds it from the scanner's callback, which runs on worker
// goroutines.
type progress struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	plan  planner
	start time.Time
	max   int64
}

func newProgress(w io.Writer, plan planner) *progress {
	max := int64(-1)
	if plan != nil {
		max = 0
	}
	bar := progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(w),
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
	return &progress{bar: bar, plan: plan, start: time.Now(), max: max}
}

// update is the scanner.Options.Progress callback.
func (p *progress) update(chunks int, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.plan != nil {
		if n := p.plan.Planned(); n > p.max {
			p.max = n
			p.bar.ChangeMax64(n)
		}
	}
	secs := time.Since(p.start).Seconds()
	if secs > 0 {
		p.bar.Describe(fmt.Sprintf("%.0f MB, %.1f MB/s", float64(bytes)/(1<<20), float64(bytes)/(1<<20)/secs))
	}
	p.bar.Set64(int64(chunks))
}

// finish removes the bar from the terminal.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Finish()
	p.bar.Clear()
}
