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
	// The rules in one block, and the slices and map sized up front:
	// each allocation of fresh memory is page faults at start-up, which a
	// pre-commit hook pays in full.
	n, nv := 0, 0
	for _, f := range generatedCatalogue {
		n += len(f.Rules)
		for i := range f.Rules {
			nv += len(f.Rules[i].Validators)
		}
	}
	vals := make([]Validator, 0, nv)
	block := make([]Rule, n)
	rules := make([]*Rule, 0, n)
	var errs ErrorList
	seen := make(map[string]string, n)
	for _, f := range generatedCatalogue {
		for _, raw := range f.Rules {
			r := &block[0]
			block = block[1:]
			if cerrs := raw.compileInto(r, f.Name, false, &vals); len(cerrs) > 0 {
				errs = append(errs, cerrs...)
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
