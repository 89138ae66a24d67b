//go:build linux

package main

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
)

// TestRunRatios: a command that sleeps 50 ms more than the first shows a
// ratio above 1 and a wall time at least 50 ms longer; a failing command is
// an error, not a fast run.
func TestRunRatios(t *testing.T) {
	var b strings.Builder
	if err := run(&b, []string{"true", "sleep 0.05"}, 3); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	var walls, ratios []float64
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 {
			continue
		}
		w, err1 := strconv.ParseFloat(f[0], 64)
		r, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		walls, ratios = append(walls, w), append(ratios, r)
	}
	if len(walls) != 2 {
		t.Fatalf("want 2 result lines, got %d:\n%s", len(walls), b.String())
	}
	if ratios[0] != 1 || ratios[1] <= 1 || walls[1]-walls[0] < 45 {
		t.Errorf("walls %v ratios %v:\n%s", walls, ratios, b.String())
	}
	if err := run(&b, []string{"exit 3"}, 1); err == nil {
		t.Error("a command exiting 3 was timed, not reported")
	}
}
