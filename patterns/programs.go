package patterns

//go:generate go run ./internal/genprograms

import "github.com/rampart-sec/rampart/patterns/internal/rx"

// GeneratePrograms returns programs.bin: every built-in rule's regex in
// the form the detector runs it, compiled (see programs). The forms are
// the ones scanner's warmRule compiles, taken from the compiled regexes
// themselves so that the table holds exactly the text newFinder asks for:
// the anchored form (or a provider entry's shared rest), the line form,
// or the plain form and, for a rule tried at its start places, the two
// start forms. Forms compiled only for rare matches are left out, being
// as large again as the rest: the exact form of a relaxed regex (for a
// match longer than its limit) and the plain form of an anchored or line
// rule (for a match that runs into the end of its window on a long line).
// go generate ./patterns writes it (after the catalogue), and
// TestGeneratedPrograms fails until it has.
func GeneratePrograms() ([]byte, error) {
	exprs, err := programForms()
	if err != nil {
		return nil, err
	}
	return rx.BuildTable(exprs)
}

// programForms lists GeneratePrograms' regexes.
func programForms() ([]string, error) {
	rules, err := Builtin()
	if err != nil {
		return nil, err
	}
	var exprs []string
	add := func(f *Finder) { exprs = append(exprs, f.fast.String()) }
	for _, r := range rules {
		switch {
		case r.Anchored():
			if pm := r.providerForm(); pm != nil {
				add(pm.rest.regex())
			} else {
				add(r.anchoredFinder())
			}
		case r.LineFinder() != nil:
			add(r.LineFinder())
		default:
			add(r.Finder())
			if r.Starts() != nil {
				atStart, afterByte, _ := r.StartFinders()
				add(atStart)
				add(afterByte)
			}
		}
	}
	return exprs, nil
}
