package patterns

import "fmt"

//go:generate go run ./internal/gencatalogue
// The common four-byte table (grams_gen.go) changes only when remeasured:
//   go run ./internal/gengrams $(go env GOROOT)/src

// generatedFile is one rule file of the built-in catalogue, as
// catalogue_gen.go holds it.
type generatedFile struct {
	Name  string
	Rules []RawRule
}

// Builtin compiles the built-in catalogue (rules/*.toml, compiled into the
// binary as Go data by go generate). It fails only if the catalogue itself
// is broken, which the package's tests rule out. Regexes are compiled on
// first use.
func Builtin() ([]*Rule, error) {
	var rules []*Rule
	var errs ErrorList
	seen := map[string]string{}
	for _, f := range generatedCatalogue {
		for _, raw := range f.Rules {
			r, cerrs := raw.compile(f.Name, false)
			errs = append(errs, cerrs...)
			if r == nil {
				continue
			}
			if prev, dup := seen[r.ID]; dup {
				errs = append(errs, Error{File: f.Name, Line: raw.Line, Rule: r.ID, Msg: "duplicate id (also in " + prev + ")"})
				continue
			}
			seen[r.ID] = f.Name
			rules = append(rules, r)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, fmt.Errorf("patterns: built-in catalogue: %w", err)
	}
	return rules, nil
}
