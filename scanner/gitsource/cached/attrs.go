package cached

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// attrRules are the patterns of one attributes file that set binary,
// -diff or diff: the attributes that decide whether git prints a file's
// lines or "Binary files … differ". (diff=DRIVER does not, unless the
// configuration defines the driver, which checkConfig sends to git.) dir
// is the directory the patterns are relative to, slash-separated, "" for
// the top of the work tree.
type attrRules struct {
	dir      string
	patterns []string
}

// parseAttrs returns the patterns in an attributes file that bear on
// diffs; ok is false when the file cannot be judged line by line (macro
// definitions, quoted patterns).
func parseAttrs(b []byte) (patterns []string, ok bool) {
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "[attr]") || line[0] == '"' {
			return nil, false
		}
		fields := strings.Fields(line)
		for _, a := range fields[1:] {
			if a == "binary" || a == "diff" || a == "-diff" {
				patterns = append(patterns, fields[0])
				break
			}
		}
	}
	return patterns, true
}

// attrMatch reports whether pattern may match rel, a path relative to the
// pattern's directory, as gitattributes patterns match: without a slash
// against the file's name, with one against the relative path. It errs on
// the side of a match for what it does not model (**, a directory pattern).
func attrMatch(pattern, rel string, fold bool) bool {
	if fold {
		pattern, rel = strings.ToLower(pattern), strings.ToLower(rel)
	}
	// Nor what path.Match reads otherwise than git's wildmatch: a class
	// negated by "!" ([!a], path.Match's [^a]) or naming a character
	// class ([[:digit:]]), which path.Match would take literally.
	if strings.Contains(pattern, "**") || strings.HasSuffix(pattern, "/") ||
		strings.Contains(pattern, "[!") || strings.Contains(pattern, "[:") {
		return true
	}
	target := rel
	if !strings.Contains(pattern, "/") {
		target = path.Base(rel)
	} else {
		pattern = strings.TrimPrefix(pattern, "/")
	}
	ok, err := path.Match(pattern, target)
	return ok || err != nil
}

// readAttrs adds the rules of the attributes file at file, for dir, to
// rules; a file that is absent adds nothing.
func readAttrs(rules []attrRules, file, dir string) ([]attrRules, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return rules, nil
	}
	return addAttrs(rules, b, dir, file)
}

func addAttrs(rules []attrRules, b []byte, dir, name string) ([]attrRules, error) {
	if !bytes.Contains(b, []byte("diff")) && !bytes.Contains(b, []byte("binary")) && !bytes.Contains(b, []byte("[attr]")) {
		return rules, nil
	}
	pats, ok := parseAttrs(b)
	if !ok {
		return nil, errFallback("attribute macros or quoted patterns in " + name)
	}
	if len(pats) > 0 {
		rules = append(rules, attrRules{dir: dir, patterns: pats})
	}
	return rules, nil
}

// globalAttrs reads the attributes files outside the index: the work
// tree's top .gitattributes, info/attributes, and the user's and system's.
func (r *repo) globalAttrs() ([]attrRules, error) {
	files := []string{filepath.Join(r.top, ".gitattributes"), filepath.Join(r.commonDir, "info", "attributes"),
		"/etc/gitattributes", "/opt/homebrew/etc/gitattributes", "/usr/local/etc/gitattributes"}
	if dir := userGitDir(); dir != "" {
		files = append(files, filepath.Join(dir, "attributes"))
	}
	var rules []attrRules
	var err error
	for _, f := range files {
		if rules, err = readAttrs(rules, f, ""); err != nil {
			return nil, err
		}
	}
	return rules, nil
}

// indexAttrs adds the rules of every .gitattributes the index holds, as
// staged and as in the work tree.
func (r *repo) indexAttrs(rules []attrRules, x *index, st *store) ([]attrRules, error) {
	for _, i := range x.attrs {
		p := string(x.path(i))
		dir := path.Dir(p)
		if dir == "." {
			dir = ""
		}
		b, err := st.readType(x.oid(i), objBlob)
		if err != nil {
			return nil, err
		}
		if rules, err = addAttrs(rules, b, dir, p); err != nil {
			return nil, err
		}
		if dir != "" { // (the top one is read already)
			if rules, err = readAttrs(rules, filepath.Join(r.top, filepath.FromSlash(p)), dir); err != nil {
				return nil, err
			}
		}
	}
	return rules, nil
}

// checkAttrs sends the diff to git when any attributes that bear on diffs
// may apply to a changed file. The work tree's .gitattributes on the way
// to each changed file count too, staged or not: git reads them.
func (r *repo) checkAttrs(rules []attrRules, d *differ) error {
	seen := map[string]bool{"": true}
	var err error
	for _, c := range d.changes {
		p := string(d.x.path(c.entry))
		for dir := path.Dir(p); dir != "." && !seen[dir]; dir = path.Dir(dir) {
			seen[dir] = true
			if rules, err = readAttrs(rules, filepath.Join(r.top, filepath.FromSlash(dir), ".gitattributes"), dir); err != nil {
				return err
			}
		}
	}
	for _, c := range d.changes {
		p := string(d.x.path(c.entry))
		for _, rs := range rules {
			rel := p
			if rs.dir != "" {
				var ok bool
				if rel, ok = strings.CutPrefix(p, rs.dir+"/"); !ok {
					continue
				}
			}
			for _, pat := range rs.patterns {
				if attrMatch(pat, rel, r.ignoreCase) {
					return errFallback("attributes that bear on the diff of " + p)
				}
			}
		}
	}
	return nil
}
