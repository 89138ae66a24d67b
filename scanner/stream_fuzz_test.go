package scanner

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
)

// windowSource yields data through windows of the given size, as a file
// larger than --max-file-size is read, or whole (window 0).
type windowSource struct {
	data   []byte
	window int
}

func (s windowSource) Chunks(ctx context.Context, yield func(Chunk) error) error {
	if s.window == 0 {
		return yield(Chunk{Data: s.data, Kind: KindFile, Path: "f"})
	}
	err := windows(ctx, bytes.NewReader(s.data), s.window, Chunk{Kind: KindFile, Path: "f"}, yield)
	if ye, ok := err.(yieldError); ok {
		return ye.err
	}
	return err
}

// narrowDetector holds rules that need no context beyond their token (AWS
// key IDs, GitHub tokens), so that a window whose overlap holds a token
// must find what a whole read finds.
func narrowDetector(t testing.TB) *Detector {
	t.Helper()
	rules, err := patterns.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rules = slices.DeleteFunc(rules, func(r *patterns.Rule) bool {
		return r.ID != "aws-access-key-id" && r.ID != "github-pat"
	})
	if len(rules) != 2 {
		t.Fatalf("%d rules, want aws-access-key-id and github-pat", len(rules))
	}
	return NewDetector(rules, nil)
}

func findingsAt(t testing.TB, src Source, det *Detector) []string {
	t.Helper()
	res, err := Scan(context.Background(), src, det, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s %d:%d %s", f.RuleID, f.Line, f.Column, f.Secret))
	}
	return out
}

// streamSeeds are texts where a window is cut inside a line longer than its
// overlap: in two-, three- and four-byte characters (decoded UTF-16 of
// French, Chinese, emoji), with keys just before, across and after the cuts.
func streamSeeds() [][]byte {
	key := testKeyID
	var seeds [][]byte
	for _, filler := range []string{"é", "密", "🔑", "x", "é\n", "ab密"} {
		for _, n := range []int{40, 97, 130, 255} {
			var b strings.Builder
			for i := 0; i < 12; i++ {
				b.WriteString(strings.Repeat(filler, n+i))
				b.WriteString(" " + key + " ")
			}
			seeds = append(seeds, []byte(b.String()))
		}
	}
	seeds = append(seeds, []byte(strings.Repeat("line\r\n", 50)+"id "+key+"\r\n"+strings.Repeat("é", 300)+key))
	return seeds
}

// FuzzStreamWindows: a text read in windows (tiny ones here, so that the
// fuzzer's inputs span many) is reported as a whole read reports it: the
// same findings, once each, at the same lines and columns; and no window
// starts inside a character.
func FuzzStreamWindows(f *testing.F) {
	for i, s := range streamSeeds() {
		f.Add(s, uint16(i*37))
	}
	det := narrowDetector(f)
	f.Fuzz(func(t *testing.T, data []byte, w uint16) {
		// At least 192 bytes: half an overlap holds a key with the bytes
		// either side of it that its \b tests.
		window := 192 + int(w%512)
		if utf8.Valid(data) {
			// Every window holds whole characters: it starts at one.
			err := windows(context.Background(), bytes.NewReader(data), window, Chunk{}, func(c Chunk) error {
				defer c.Release()
				if !utf8.RuneStart(c.Data[0]) {
					return fmt.Errorf("window %d starts inside a character: % x", c.part, c.Data[:min(len(c.Data), 4)])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		whole := findingsAt(t, windowSource{data, 0}, det)
		got := findingsAt(t, windowSource{data, window}, det)
		if !slices.Equal(got, whole) {
			t.Fatalf("window %d:\n got %q\nwant %q (whole)", window, got, whole)
		}
	})
}
