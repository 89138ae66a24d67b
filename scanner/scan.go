package scanner

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-sec/rampart/patterns"
)

// Stats summarises what a scan read. JSON names follow DESIGN.md.
type Stats struct {
	Files   int `json:"files"`
	Commits int `json:"commits"`
	Blobs   int `json:"blobs"`
	// Messages counts commit messages read.
	Messages   int   `json:"messages,omitempty"`
	Bytes      int64 `json:"bytes"`
	DurationMS int64 `json:"duration_ms"`
	// Skipped counts what was deliberately not read, by reason
	// ("binary", "too-large", "submodule", "symlink", "allowlisted-path").
	Skipped map[string]int `json:"skipped,omitempty"`
	// Notes are human-readable remarks (shallow clone, empty repository, …).
	Notes []string `json:"notes,omitempty"`
	// Incomplete repeats the notes that say the scan did not read all it
	// was asked to (a shallow clone, unreadable files or objects): reports
	// print them even when quiet, since a partial scan must say so.
	Incomplete []string `json:"incomplete,omitempty"`
}

// Skip counts one item not read for reason.
func (s *Stats) Skip(reason string) {
	if s.Skipped == nil {
		s.Skipped = map[string]int{}
	}
	s.Skipped[reason]++
}

// Note adds a remark, once.
func (s *Stats) Note(msg string) {
	for _, n := range s.Notes {
		if n == msg {
			return
		}
	}
	s.Notes = append(s.Notes, msg)
}

// Partial adds a note saying the scan did not read everything it was
// asked to, once: it is also listed in Incomplete.
func (s *Stats) Partial(msg string) {
	s.Note(msg)
	for _, n := range s.Incomplete {
		if n == msg {
			return
		}
	}
	s.Incomplete = append(s.Incomplete, msg)
}

// A StatsSource is a Source that also knows what it read and skipped; Scan
// asks it once Chunks has returned.
type StatsSource interface {
	Source
	AddStats(*Stats)
}

// A Resolver is a Source whose chunks' provenance is final only once every
// chunk has been read (history read in pack order, placed by a concurrent
// commit walk). Scan hands it the findings before deduplicating them; it
// fixes their provenance, drops what it must, and returns them in report
// order (the first of each secret first).
type Resolver interface {
	Resolve([]Finding) []Finding
}

// A DropResolver is a Resolver that places dropped candidates as it places
// findings: a blob read before the walk placed it was detected without a
// path, and --explain must name the commit and path a finding there would
// have. Scan then holds every Drop until the read ends and hands them over
// at once; ResolveDrops returns them placed (a blob at several paths gives
// one Drop per path), without those it cannot place or whose path is
// allow-listed, in report order.
type DropResolver interface {
	ResolveDrops([]Drop) []Drop
}

// A HitSource is a Source that can find keyword hits more cheaply than one
// automaton pass per chunk (history derives a delta's hits from its base's).
// Scan hands it the detector's automaton before reading; chunks it sends
// with HitsKnown skip the detector's own pass.
type HitSource interface {
	UseAutomaton(*patterns.Automaton)
}

// A ParallelSource reads with several goroutines at once (history: the delta
// trees of a pack are independent of each other). Scan calls ChunksParallel
// rather than Chunks, with a yield that is safe for concurrent use and that
// detects in the goroutine calling it: each chunk is scanned on the core that
// just produced it, with no hand-off to a worker. ChunksParallel calls yield
// from at most workers goroutines at a time.
type ParallelSource interface {
	Source
	ChunksParallel(ctx context.Context, workers int, yield func(Chunk) error) error
}

// parallelSource returns src, or the source it wraps (Unwrap, as a wrapper
// that only adds notes has), when that reads in parallel.
func parallelSource(src Source) (ParallelSource, bool) {
	for src != nil {
		if ps, ok := src.(ParallelSource); ok {
			return ps, true
		}
		u, ok := src.(interface{ Unwrap() Source })
		if !ok {
			break
		}
		src = u.Unwrap()
	}
	return nil, false
}

// Options tune a scan.
type Options struct {
	// Workers is the number of detector goroutines; 0 means GOMAXPROCS.
	Workers int
	// Baseline, when set, suppresses the findings it lists.
	Baseline *Baseline
	// Explain, when set, receives every candidate that was dropped and why.
	// It is called from worker goroutines, one call at a time.
	Explain func(Drop)
	// Covers, when set, reports whether the scan read the whole of a
	// baseline entry's location, so that an entry it did not find is stale.
	// When nil, a Source that is a Coverer decides; otherwise no entry can
	// be stale (see Baseline.Filter).
	Covers func(BaselineEntry) bool
	// Progress, when set, is called after each chunk with the running totals.
	// It is called from worker goroutines, one call at a time.
	Progress func(chunks int, bytes int64)
}

// Result is the outcome of a scan.
type Result struct {
	Findings []Finding
	Stats    Stats
	// Stale lists baseline entries that matched nothing in this scan.
	Stale []BaselineEntry
	// Suppressed counts findings hidden by the baseline.
	Suppressed int
}

// Scan reads every chunk from src, detects in parallel, and returns the
// findings in source order, deduplicated and filtered by the baseline.
func Scan(ctx context.Context, src Source, det *Detector, opts Options) (*Result, error) {
	reading.Store(true)
	start := time.Now()
	if hs, ok := src.(HitSource); ok {
		hs.UseAutomaton(det.Automaton())
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu sync.Mutex
		// batches holds each chunk's findings as Detect returned them:
		// appending them to one slice under the lock recopied every
		// finding each time it grew (tens of thousands in a
		// secret-dense history, before deduplication).
		batches [][]Finding
		stats   Stats
		chunks  int
		// judged counts the binary files found to be credential files.
		judged int
	)
	var explain func(Drop)
	// held are the drops of a DropResolver's chunks, explained once placed.
	var held []Drop
	dr, placesDrops := src.(DropResolver)
	if opts.Explain != nil {
		explain = func(d Drop) {
			mu.Lock()
			defer mu.Unlock()
			if placesDrops {
				held = append(held, d)
				return
			}
			opts.Explain(d)
		}
	}
	// detect scans one chunk in the calling goroutine and records what it
	// found; seq orders findings by chunk.
	detect := func(c Chunk, seq int) {
		size, kind, binary := len(c.Data), c.Kind, c.Binary
		var fs []Finding
		if explain != nil {
			fs = det.DetectExplain(c, ownDrops(c, explain))
		} else {
			fs = det.Detect(c)
		}
		if c.Release != nil {
			c.Release()
		}
		if c.ownFrom > 0 || c.ownTo > 0 {
			// A window of a large file: the findings of the other halves
			// of its overlaps are its neighbours' to report.
			fs = slices.DeleteFunc(fs, func(f Finding) bool {
				return f.offset < c.ownFrom || c.ownTo > 0 && f.offset >= c.ownTo
			})
		}
		mu.Lock()
		for i := range fs {
			fs[i].seq, fs[i].part = seq, c.part
		}
		if len(fs) > 0 {
			batches = append(batches, fs)
		}
		chunks++
		if binary && len(fs) == 0 {
			// Counted by its source as a skipped binary file: its text was
			// not scanned, only its format judged.
			mu.Unlock()
			return
		}
		if binary {
			// A credential file (a keystore, a PKCS#12 bundle): read whole
			// and judged, a file scanned like any other, not one skipped;
			// its source counted it skipped before it was judged.
			judged++
		}
		// A later window of a file counts only the bytes it added.
		stats.Bytes += int64(size - c.counted)
		switch kind {
		case KindFile, KindStdin, KindDiff:
			if c.part == 0 {
				stats.Files++
			}
		case KindBlob:
			stats.Blobs++
		case KindCommitMessage:
			stats.Messages++
		}
		if opts.Progress != nil {
			opts.Progress(chunks, stats.Bytes)
		}
		mu.Unlock()
	}
	var err error
	if ps, ok := parallelSource(src); ok {
		var seq atomic.Int64
		err = ps.ChunksParallel(ctx, workers, func(c Chunk) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			n := int(seq.Add(1))
			if c.order > 0 {
				n = c.order
			}
			detect(c, n)
			return nil
		})
	} else {
		type job struct {
			c   Chunk
			seq int
		}
		jobs := make(chan job, workers*2)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					detect(j.c, j.seq)
				}
			}()
		}
		seq := 0
		err = src.Chunks(ctx, func(c Chunk) error {
			select {
			case jobs <- job{c: c, seq: seq}:
				seq++
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(jobs)
		wg.Wait()
	}
	if err != nil {
		return nil, err
	}
	// In chunk order (each chunk has its own seq; the batches arrive in
	// any order); within a chunk, by offset, Detect's order kept for equal
	// offsets.
	slices.SortFunc(batches, func(a, b []Finding) int {
		return cmp.Or(cmp.Compare(a[0].seq, b[0].seq), cmp.Compare(a[0].part, b[0].part))
	})
	for _, b := range batches {
		slices.SortStableFunc(b, func(x, y Finding) int { return cmp.Compare(x.offset, y.offset) })
	}
	findings := slices.Concat(batches...)
	if r, ok := src.(Resolver); ok {
		findings = r.Resolve(findings)
		// A history scan reads a blob as soon as it can, often before the
		// commit walk has placed it: detection may not have known its
		// path. What depends on the path is judged again now that it is
		// known, or the findings would depend on which came first.
		findings = det.judgePaths(findings)
	}
	if placesDrops && opts.Explain != nil {
		for _, d := range dr.ResolveDrops(held) {
			opts.Explain(d)
		}
	}
	if ss, ok := src.(StatsSource); ok {
		ss.AddStats(&stats)
		if n := min(judged, stats.Skipped["binary"]); n > 0 {
			stats.Skipped["binary"] -= n
			if stats.Skipped["binary"] == 0 {
				delete(stats.Skipped, "binary")
			}
		}
	}
	if n := stats.Skipped["too-large"]; n > 0 {
		// A folder's text files are read in windows whatever their size;
		// what is left is a blob or a change git hands over whole. Coverage
		// lost must be said even to a quiet scan.
		stats.Partial(fmt.Sprintf("%d file(s) or blob(s) larger than --max-file-size were not scanned: raise --max-file-size to read them", n))
	}
	var moved func(a, b *Finding) bool
	if m, ok := src.(Mover); ok {
		moved = m.Moved
	}
	res := &Result{Findings: Dedup(findings, moved)}
	if opts.Baseline != nil {
		covers := opts.Covers
		if cv, ok := src.(Coverer); ok && covers == nil {
			covers = func(e BaselineEntry) bool { return cv.Covers(e.Path) }
		}
		res.Findings, res.Suppressed, res.Stale = opts.Baseline.Filter(res.Findings, covers)
	}
	stats.DurationMS = time.Since(start).Milliseconds()
	res.Stats = stats
	return res, nil
}

// Dedup keeps the first finding of each secret per path: a secret that
// survives many versions of a file is one finding, attributed to the commit
// that introduced it. Outside git the line is part of the key, so two copies
// of a secret in one file are both shown. When moved is set (history), a
// secret met again at another path is merged into the first finding, its
// path listed in attributes.also_in, if moved says the file was moved there
// rather than the secret copied. A companion value (an account SID) that
// only a later version of the file has next to the secret is carried to
// the finding kept.
func Dedup(fs []Finding, moved func(earlier, later *Finding) bool) []Finding {
	type key struct {
		fp, path string
		line     int
	}
	first := make(map[key]int, len(fs))
	byFP := map[string][]int{}
	out := fs[:0]
	for _, f := range fs {
		k := key{fp: f.Fingerprint, path: f.Path}
		if f.Commit == nil {
			k.line = f.Line
		}
		if i, dup := first[k]; dup {
			carryCompanions(&out[i], &f)
			continue
		}
		merged := false
		if moved != nil && f.Kind == KindBlob {
			for _, i := range byFP[f.Fingerprint] {
				if moved(&out[i], &f) {
					addAlsoIn(&out[i], f.Path)
					first[k] = i
					merged = true
					break
				}
			}
		}
		if merged {
			continue
		}
		first[k] = len(out)
		byFP[f.Fingerprint] = append(byFP[f.Fingerprint], len(out))
		out = append(out, f)
	}
	return out
}

// A Coverer is a Source that knows which paths it read in full (a folder
// or a file scan), so that a baseline entry there that it did not find is
// stale.
type Coverer interface {
	Covers(path string) bool
}

// A Mover is a Source that can tell a file moved from a secret copied: Dedup
// merges a later finding of the same secret at another path into the first
// when Moved says the first path no longer existed there.
type Mover interface {
	Moved(earlier, later *Finding) bool
}

// maxAlsoIn bounds the paths listed in attributes.also_in.
const maxAlsoIn = 10

func addAlsoIn(f *Finding, path string) {
	prev := f.Attributes["also_in"]
	var paths []string
	if prev != "" {
		paths = strings.Split(prev, "\n")
	}
	for _, p := range paths {
		if p == path {
			return
		}
	}
	if len(paths) >= maxAlsoIn {
		return
	}
	setAttr(f, "also_in", strings.Join(append(paths, path), "\n"))
}

// ownDrops is explain for a window of a large file: only the dropped
// candidates on the lines the window owns, so that a candidate in an
// overlap is explained once. A window owns the lines from the one holding
// ownFrom up to the one before the line holding ownTo (its neighbour owns
// that one): by line, since a drop records no offset.
func ownDrops(c Chunk, explain func(Drop)) func(Drop) {
	if c.ownFrom == 0 && c.ownTo == 0 {
		return explain
	}
	from := lineAt(c, c.ownFrom)
	to := 0
	if c.ownTo > 0 {
		to = lineAt(c, c.ownTo)
	}
	return func(d Drop) {
		if d.Line >= from && (to == 0 || d.Line < to) {
			explain(d)
		}
	}
}
