package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestParseSinceAgreesWithGit: every form --since accepts is handed to git
// unchanged, so git must read it as rampart does. Each is compared with
// what `git rev-parse --since` makes of it (in UTC).
func TestParseSinceAgreesWithGit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	forms := map[string]time.Duration{ // the tolerance: relative forms move with the clock
		"2024-01-31": 5 * time.Second, "2024-1-5": 5 * time.Second, "2024-01-31 10:00": 0, "2024-01-31T10:00:00Z": 0,
		"2024-01-31T10:00:00+05:30": 0, "2024-01-31 23:59:59.999 -0800": 0, "2024.01.31": 5 * time.Second,
		"01/31/2024": 5 * time.Second, "31.01.2024": 5 * time.Second, "Wed, 31 Jan 2024 10:00:00 +0100": 0,
		"31 Jan 2024 10:00:00 +0100": 0, "31 January 2024": 5 * time.Second, "Jan 31, 2024": 5 * time.Second,
		"January 31 2024 08:15": 0, "@1700000000": 0, "1700000000 +0100": 0,
		"now": 5 * time.Second, "today": 5 * time.Second, "yesterday": 5 * time.Second, "midnight": 5 * time.Second,
		"noon": 5 * time.Second, "2.weeks.ago": 5 * time.Second, "2 weeks ago": 5 * time.Second, "3 days": 5 * time.Second,
		"1.hour.ago": 5 * time.Second, "90 minutes ago": 5 * time.Second, "1 day 2 hours ago": 5 * time.Second,
		"last week": 5 * time.Second, "last friday": 5 * time.Second, "last monday": 5 * time.Second,
		"1 month ago": 3 * 24 * time.Hour, "1 year 2 months ago": 3 * 24 * time.Hour,
	}
	for form, tol := range forms {
		mine, _, err := parseSince(form, time.Now(), time.UTC)
		if err != nil {
			t.Errorf("%q refused: %v", form, err)
			continue
		}
		cmd := exec.Command("git", "rev-parse", "--since="+form)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TZ=UTC")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git rev-parse --since=%q: %v", form, err)
		}
		secs, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(string(out)), "--max-age="), 10, 64)
		if err != nil {
			t.Fatalf("git rev-parse --since=%q printed %q", form, out)
		}
		gits := time.Unix(secs, 0)
		if d := gits.Sub(mine); d > tol || d < -tol {
			t.Errorf("--since %q: git reads %s, rampart %s", form, gits.UTC(), mine.UTC())
		}
	}
}

func TestParseSinceRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", " ", "garbage", "2024-13-45", "2024-02-30", "2023-02-29", "1969-12-31", "2024-01-31T24:00",
		"2024-01-31 10:61", "an hour ago", "3 dayz ago", "friday", "tomorrow", "last", "last blursday", "2 ago", "weeks ago",
		"-2 weeks ago", "32.01.2024", "13/01/2024", "Wed, 31 Foo 2024", "Blursday, 31 Jan 2024", "2024-01-31T10:00+25:00",
		"@", "@99999999999999999999", "1700000000 +9999", "2.weeks.ago.garbage", "next friday"} {
		if _, _, err := parseSince(s, time.Now(), time.UTC); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	if _, _, err := parseSince("2024-02-29", time.Now(), time.UTC); err != nil {
		t.Errorf("a leap day refused: %v", err)
	}
}

// FuzzParseSince: nothing panics, and what is accepted is a real time.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{"2024-01-31", "2.weeks.ago", "Wed, 31 Jan 2024 10:00:00 +0100", "@1", "last friday", "1 year 2 months ago", "31.01.2024"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		tm, _, err := parseSince(s, now, time.UTC)
		if err == nil && (tm.IsZero() || tm.Year() > 9999 || tm.Year() < 1600) {
			t.Fatalf("%q accepted as %v", s, tm)
		}
	})
}
