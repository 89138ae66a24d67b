package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sinceForms is what --since accepts, for its error message and the README.
const sinceForms = `2024-01-31, "2024-01-31 10:00", 2024-01-31T10:00:00+02:00, 2024.01.31, 01/31/2024, 31.01.2024, ` +
	`"Wed, 31 Jan 2024 10:00:00 +0100", "Jan 31, 2024", @1706695200, now, today, yesterday, noon, midnight, ` +
	`"2 weeks ago" (or 2.weeks.ago), "1 year 2 months ago", "last week", "last friday"`

// sinceValue is the --since flag. git's own date parser (approxidate) reads
// almost anything as some date, silently: "garbage" as now, "2024-13-45" as
// a day of 2024, "an hour ago" as now. So rampart accepts only the forms git
// documents and reads as written, checks the calendar itself, and hands git
// the text unchanged (git's reading of each accepted form is tested against
// git). Anything else is a usage error when the flag is parsed.
type sinceValue struct{ s *string }

func (v sinceValue) String() string {
	if v.s == nil {
		return ""
	}
	return *v.s
}

func (v sinceValue) Type() string { return "DATE" }

func (v sinceValue) Set(s string) error {
	if _, _, err := parseSince(s, time.Now(), time.Local); err != nil {
		return err
	}
	*v.s = s
	return nil
}

var (
	sinceISO = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(z|[+-]\d{2}:?\d{2})?)?$`)
	})
	// git's documented alternatives: YYYY.MM.DD, MM/DD/YYYY, DD.MM.YYYY.
	sinceDotted = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})\.(\d{1,2})\.(\d{1,2})$`) })
	sinceSlash  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`) })
	sinceEuro   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4})$`) })
	// RFC 2822 and its relatives: [Wed, ]31 Jan 2024[ 10:00[:00][ +0100]].
	sinceRFC = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:([a-z]+),?\s+)?(\d{1,2})\s+([a-z]+)\.?,?\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([+-]\d{4}|ut|gmt|z))?)?$`)
	})
	// Jan 31[,] 2024[ 10:00[:00]].
	sinceMonthFirst = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
	})
	sinceUnix     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^@(\d+)$`) })
	sinceInternal = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{9,})\s+([+-]\d{4})$`) })
)

var (
	monthNames   = []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
	// sinceUnits are git's relative units; months and years as approxidate
	// counts them, on the calendar.
	sinceUnits = map[string]func(time.Time, int) time.Time{
		"second": func(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Second) },
		"minute": func(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Minute) },
		"hour":   func(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Hour) },
		"day":    func(t time.Time, n int) time.Time { return t.AddDate(0, 0, -n) },
		"week":   func(t time.Time, n int) time.Time { return t.AddDate(0, 0, -7*n) },
		"month":  func(t time.Time, n int) time.Time { return t.AddDate(0, -n, 0) },
		"year":   func(t time.Time, n int) time.Time { return t.AddDate(-n, 0, 0) },
	}
)

// parseSince reads s as one of the forms sinceForms lists, relative to now
// in loc (git's local time zone), and returns the time it names and
// whether that includes a time of day (for a date alone git keeps the
// current time of day). Anything else is an error naming the forms.
func parseSince(s string, now time.Time, loc *time.Location) (time.Time, bool, error) {
	t, exact, ok := parseSinceForm(strings.ToLower(strings.TrimSpace(s)), now.In(loc), loc)
	if !ok {
		return time.Time{}, false, fmt.Errorf("%q is not a date rampart can hand to git unambiguously; use one of %s", s, sinceForms)
	}
	return t, exact, nil
}

func parseSinceForm(s string, now time.Time, loc *time.Location) (time.Time, bool, bool) {
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	if m := sinceUnix().FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		return time.Unix(n, 0), true, err == nil && n < 1<<40
	}
	if m := sinceInternal().FindStringSubmatch(s); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		_, zok := sinceZone(m[2])
		return time.Unix(n, 0), true, err == nil && n < 1<<40 && zok
	}
	if m := sinceISO().FindStringSubmatch(s); m != nil {
		if m[4] == "" {
			return sinceDate(atoi(m[1]), atoi(m[2]), atoi(m[3]), now, loc)
		}
		z := loc
		if m[7] != "" {
			var ok bool
			if z, ok = sinceZone(m[7]); !ok {
				return time.Time{}, false, false
			}
		}
		return sinceDateTime(atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4], m[5], m[6], z)
	}
	if m := sinceDotted().FindStringSubmatch(s); m != nil {
		return sinceDate(atoi(m[1]), atoi(m[2]), atoi(m[3]), now, loc)
	}
	if m := sinceSlash().FindStringSubmatch(s); m != nil {
		return sinceDate(atoi(m[3]), atoi(m[1]), atoi(m[2]), now, loc)
	}
	if m := sinceEuro().FindStringSubmatch(s); m != nil {
		return sinceDate(atoi(m[3]), atoi(m[2]), atoi(m[1]), now, loc)
	}
	if m := sinceRFC().FindStringSubmatch(s); m != nil {
		month := sinceName(m[3], monthNames)
		if month < 0 || (m[1] != "" && sinceName(m[1], weekdayNames) < 0) {
			return time.Time{}, false, false
		}
		if m[5] == "" {
			return sinceDate(atoi(m[4]), month+1, atoi(m[2]), now, loc)
		}
		z := loc
		if m[8] != "" {
			var ok bool
			if z, ok = sinceZone(m[8]); !ok {
				return time.Time{}, false, false
			}
		}
		return sinceDateTime(atoi(m[4]), month+1, atoi(m[2]), m[5], m[6], m[7], z)
	}
	if m := sinceMonthFirst().FindStringSubmatch(s); m != nil {
		month := sinceName(m[1], monthNames)
		if month < 0 {
			return time.Time{}, false, false
		}
		if m[4] == "" {
			return sinceDate(atoi(m[3]), month+1, atoi(m[2]), now, loc)
		}
		return sinceDateTime(atoi(m[3]), month+1, atoi(m[2]), m[4], m[5], m[6], loc)
	}
	return sinceRelative(s, now)
}

// sinceRelative reads now, today, yesterday, noon, midnight, "last UNIT",
// "last WEEKDAY" and "N UNIT [N UNIT …] [ago]", words separated by spaces
// or dots.
func sinceRelative(s string, now time.Time) (time.Time, bool, bool) {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '.' || r == '\t' })
	day := func(t time.Time, h int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), h, 0, 0, 0, t.Location())
	}
	switch strings.Join(words, " ") {
	case "now", "today":
		return now, true, true
	case "yesterday":
		return now.AddDate(0, 0, -1), true, true
	case "midnight":
		return day(now, 0), true, true
	case "noon":
		// The last noon: today's once it has passed, as git reads it.
		if n := day(now, 12); !n.After(now) {
			return n, true, true
		}
		return day(now.AddDate(0, 0, -1), 12), true, true
	}
	if len(words) == 2 && words[0] == "last" {
		if f := sinceUnit(words[1]); f != nil {
			return f(now, 1), true, true
		}
		if wd := sinceName(words[1], weekdayNames); wd >= 0 {
			back := (int(now.Weekday()) - wd + 7) % 7
			if back == 0 {
				back = 7
			}
			return now.AddDate(0, 0, -back), true, true
		}
		return time.Time{}, false, false
	}
	if n := len(words); n > 0 && words[n-1] == "ago" {
		words = words[:n-1]
	}
	if len(words) == 0 || len(words)%2 != 0 {
		return time.Time{}, false, false
	}
	t := now
	for i := 0; i < len(words); i += 2 {
		n, err := strconv.Atoi(words[i])
		f := sinceUnit(words[i+1])
		if err != nil || n < 0 || n > 100000 || f == nil {
			return time.Time{}, false, false
		}
		t = f(t, n)
	}
	return t, true, true
}

// sinceUnit returns the unit a word names, singular or plural.
func sinceUnit(w string) func(time.Time, int) time.Time {
	if f, ok := sinceUnits[w]; ok {
		return f
	}
	return sinceUnits[strings.TrimSuffix(w, "s")]
}

// sinceName returns the index of the name w spells in full or abbreviates
// to its first three letters, or -1.
func sinceName(w string, names []string) int {
	for i, n := range names {
		if w == n || (len(w) == 3 && strings.HasPrefix(n, w)) || (n == "september" && w == "sept") {
			return i
		}
	}
	return -1
}

// sinceZone reads Z, UT, GMT, +hhmm or +hh:mm.
func sinceZone(z string) (*time.Location, bool) {
	switch z {
	case "z", "ut", "gmt":
		return time.UTC, true
	}
	z = strings.Replace(z, ":", "", 1)
	if len(z) != 5 {
		return nil, false
	}
	h, err1 := strconv.Atoi(z[1:3])
	m, err2 := strconv.Atoi(z[3:])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return nil, false
	}
	off := (h*60 + m) * 60
	if z[0] == '-' {
		off = -off
	}
	return time.FixedZone(z, off), true
}

// sinceDate checks a calendar date; git keeps the current time of day.
func sinceDate(y, mo, d int, now time.Time, loc *time.Location) (time.Time, bool, bool) {
	t := time.Date(y, time.Month(mo), d, now.Hour(), now.Minute(), now.Second(), 0, loc)
	return t, false, y >= 1970 && y <= 9999 && t.Year() == y && int(t.Month()) == mo && t.Day() == d
}

// sinceDateTime checks a calendar date and a time of day.
func sinceDateTime(y, mo, d int, hh, mm, ss string, loc *time.Location) (time.Time, bool, bool) {
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	sec := 0
	if ss != "" {
		sec, _ = strconv.Atoi(ss)
	}
	if h > 23 || m > 59 || sec > 60 {
		return time.Time{}, false, false
	}
	t := time.Date(y, time.Month(mo), d, h, m, sec, 0, loc)
	return t, true, y >= 1970 && y <= 9999 && t.Year() == y && int(t.Month()) == mo && t.Day() == d
}
