package patterns

import (
	"regexp"
	"regexp/syntax"
)

// SecretPrefixLen is the length of the literal prefix of the rule's secret
// (its "secret" group, else the whole match): between two rules that claim
// the same value, the one whose value has the longer fixed prefix is the
// more specific (ghp_ against a generic token). Built-in rules carry it
// from the catalogue's generation (parsing each regex for it was 1% of a
// secret-dense history scan); others work it out at first use.
func (r *Rule) SecretPrefixLen() int {
	r.prefixOnce.Do(func() {
		if r.prefix == 0 {
			r.prefix = secretPrefixLen(r.Source) + 1
		}
	})
	return r.prefix - 1
}

// secretPrefixLen is SecretPrefixLen of a rule whose regex is src (0 if
// src does not parse).
func secretPrefixLen(src string) int {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return 0
	}
	if g := findCapture(re, "secret"); g != nil {
		re = g
	}
	return literalPrefixLen(re)
}

// literalPrefixLen returns the length of the literal prefix of
// regexp.MustCompile(re.String()) (LiteralPrefix) without printing re and
// parsing it again: printing was four fifths of the cost. Go's regexp
// works out the prefix of a program anchored at the start of the text
// another way (it may run it one-pass), so such a regex is printed and
// compiled as before.
func literalPrefixLen(re *syntax.Regexp) int {
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return 0
	}
	if start := prog.Inst[prog.Start]; start.Op == syntax.InstEmptyWidth && syntax.EmptyOp(start.Arg)&syntax.EmptyBeginText != 0 {
		if re, err := regexp.Compile(re.String()); err == nil {
			prefix, _ := re.LiteralPrefix()
			return len(prefix)
		}
		return 0
	}
	prefix, _ := prog.Prefix()
	return len(prefix)
}

// findCapture returns the first group of re named name, or nil.
func findCapture(re *syntax.Regexp, name string) *syntax.Regexp {
	if re.Op == syntax.OpCapture && re.Name == name {
		return re.Sub[0]
	}
	for _, sub := range re.Sub {
		if g := findCapture(sub, name); g != nil {
			return g
		}
	}
	return nil
}
