package patterns

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"
)

//go:embed rules/*.toml
var builtinFS embed.FS

// Builtin parses and compiles the embedded catalogue. It fails only if the
// catalogue itself is broken, which the package's tests rule out. Files are
// compiled in parallel: every hook run pays this before reading anything.
func Builtin() ([]*Rule, error) {
	files, err := fs.Glob(builtinFS, "rules/*.toml")
	if err != nil {
		return nil, fmt.Errorf("patterns: list catalogue: %w", err)
	}
	sort.Strings(files)
	type result struct {
		rules []*Rule
		lines []int
		errs  ErrorList
		err   error
	}
	results := make([]result, len(files))
	var wg sync.WaitGroup
	for i, name := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data, err := builtinFS.ReadFile(name)
			if err != nil {
				results[i].err = fmt.Errorf("patterns: read %s: %w", name, err)
				return
			}
			f, perrs := ParseFile(path.Base(name), data)
			results[i].errs = append(results[i].errs, perrs...)
			for _, raw := range f.Rules {
				r, cerrs := raw.Compile(path.Base(name))
				results[i].errs = append(results[i].errs, cerrs...)
				if r != nil {
					results[i].rules = append(results[i].rules, r)
					results[i].lines = append(results[i].lines, raw.Line)
				}
			}
		}()
	}
	wg.Wait()
	var rules []*Rule
	var errs ErrorList
	seen := map[string]string{}
	for i, res := range results {
		if res.err != nil {
			return nil, res.err
		}
		errs = append(errs, res.errs...)
		name := path.Base(files[i])
		for j, r := range res.rules {
			if prev, dup := seen[r.ID]; dup {
				errs = append(errs, Error{File: name, Line: res.lines[j], Rule: r.ID, Msg: "duplicate id (also in " + prev + ")"})
				continue
			}
			seen[r.ID] = name
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
