package main

import (
	"regexp/syntax"
	"strings"
	"unicode"

	"github.com/rampart-sec/rampart/patterns"
)

// examplePath returns a path that path (a rule's path filter) accepts, for
// checking the rule's examples where the rule would read them, and whether
// one was found. It prefers example.txt, then example+S and S for a short
// S that the filter's regex matches (`\.env$` gives example.env).
func examplePath(path *patterns.PathPattern) (string, bool) {
	if path == nil || path.MatchString("example.txt") {
		return "example.txt", true
	}
	re, err := syntax.Parse(path.String(), syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if !shortMatch(&b, re.Simplify(), 0) {
		return "", false
	}
	s := strings.TrimPrefix(b.String(), "/")
	for _, p := range []string{"example" + s, "example/" + s, s} {
		if p != "" && path.MatchString(p) {
			return p, true
		}
	}
	return "", false
}

// shortMatch writes to b a short string re matches (ignoring anchors and
// word boundaries), and reports whether it could.
func shortMatch(b *strings.Builder, re *syntax.Regexp, depth int) bool {
	if depth > 100 || b.Len() > 256 {
		return false
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			b.WriteString(strings.ToLower(string(re.Rune)))
		} else {
			b.WriteString(string(re.Rune))
		}
		return true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('x')
		return true
	case syntax.OpCharClass:
		r, ok := classRune(re.Rune)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpCapture:
		return shortMatch(b, re.Sub[0], depth+1)
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpPlus:
		return shortMatch(b, re.Sub[0], depth+1)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !shortMatch(b, re.Sub[0], depth+1) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !shortMatch(b, sub, depth+1) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			var alt strings.Builder
			if shortMatch(&alt, sub, depth+1) {
				b.WriteString(alt.String())
				return true
			}
		}
	}
	return false
}

// classRune picks a readable rune from a character class given as ranges:
// a lower-case letter, digit, dot or underscore if the class has one, else
// its first printable rune.
func classRune(ranges []rune) (rune, bool) {
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	for _, r := range "exa0._-" {
		if in(r) {
			return r, true
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < ranges[i]+256; r++ {
			if unicode.IsPrint(r) && r != '/' {
				return r, true
			}
		}
	}
	return 0, false
}
