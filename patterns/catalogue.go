package patterns

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed rules/*.toml
var builtinFS embed.FS

// Builtin parses and compiles the embedded catalogue. It fails only if the
// catalogue itself is broken, which the package's tests rule out.
func Builtin() ([]*Rule, error) {
	files, err := fs.Glob(builtinFS, "rules/*.toml")
	if err != nil {
		return nil, fmt.Errorf("patterns: list catalogue: %w", err)
	}
	sort.Strings(files)
	var rules []*Rule
	var errs ErrorList
	seen := map[string]string{}
	for _, name := range files {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("patterns: read %s: %w", name, err)
		}
		f, perrs := ParseFile(path.Base(name), data)
		errs = append(errs, perrs...)
		for _, raw := range f.Rules {
			r, cerrs := raw.Compile(path.Base(name))
			errs = append(errs, cerrs...)
			if r == nil {
				continue
			}
			if prev, dup := seen[r.ID]; dup {
				errs = append(errs, Error{File: path.Base(name), Line: raw.Line, Rule: r.ID, Msg: "duplicate id (also in " + prev + ")"})
				continue
			}
			seen[r.ID] = path.Base(name)
			rules = append(rules, r)
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return rules, nil
}

// BuiltinFiles lists the embedded catalogue files, for `rampart rules`.
func BuiltinFiles() []string {
	files, _ := fs.Glob(builtinFS, "rules/*.toml")
	sort.Strings(files)
	return files
}
