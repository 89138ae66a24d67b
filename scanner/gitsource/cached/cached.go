// Package cached computes a staged change's diff in process, in the form
// `git diff --cached -M --diff-filter=d` prints with gitcmd.StagedArgs, for
// the plain cases, and says when git must compute it instead.
//
// Why: a pre-commit hook's scan waits for that diff, and git reads the
// whole index into fresh memory to produce it. On a 50,000-file repository
// that is 2,000 page faults and 40–46 ms on a 2-core virtual machine (a
// fault costs 10–12 µs there), started only once rampart's runtime is up
// (~20 ms). Here the index is mapped, its cache tree (the TREE extension:
// which directories still match a tree object) skips every unchanged
// directory, and only the changed files' blobs are read: a few hundred
// microseconds of work, on the second core while the detector is built.
//
// It is deliberately narrow. Anything it does not take at face value is a
// fallback (ErrFallback), and the caller runs git: an environment that
// moves the repository (GIT_WORK_TREE, …; GIT_DIR alone, as git sets it
// for a linked worktree's hooks, is followed), a mount point between dir and
// the repository above it, `git -c` settings beyond identity,
// colours and the like, repository format extensions, include
// directives, a split or sparse index, unmerged or intent-to-add entries,
// alternates, objects it cannot find (a partial clone), SHA-256, symbolic
// links and submodules that changed, a change that both adds and deletes
// files (git's -M may pair them as a rename), attributes that set binary,
// -diff or diff on a changed file, attribute macros, diff drivers,
// diff.algorithm and diff.orderFile in the configuration, paths git would
// quote, and edits longer than maxEdits lines. Lines are compared as git
// compares them (bytes, '\n' kept); of several equally short diffs it may
// pick another than git's where a change repeats lines the old file has,
// and then reports other of those repeated lines as added (git's indent
// heuristic and its discarding of frequent lines are not followed); a line
// whose text the old file lacks (a secret just written) both report, at
// the same line, with the indent heuristic on or off
// (TestDiffAddedLinesUnderDiffSettings).
package cached

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart/scanner/gitsource/gitcmd"
)

// ErrFallback wraps every reason to let git compute the diff.
var ErrFallback = errors.New("staged diff needs git")

func errFallback(why string) error { return fmt.Errorf("%w: %s", ErrFallback, why) }

// maxDepth bounds directory nesting (of trees and of the cache tree).
const maxDepth = 256

// movingEnv are the variables that change which repository, index,
// objects or configuration git reads, or how it diffs. (Not
// GIT_CONFIG_NOSYSTEM: checkConfig reads the system file anyway, which
// can only send more diffs to git.) GIT_INDEX_FILE is
// understood (git commit sets it for its hooks), and so are `git -c`
// settings passed down (GIT_CONFIG_PARAMETERS) that cannot bear on a
// diff (harmlessConfig).
var movingEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM",
	"GIT_NAMESPACE", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM",
	"GIT_CONFIG_COUNT", "GIT_QUARANTINE_PATH", "GIT_ATTR_NOSYSTEM",
	"GIT_ATTR_SOURCE", "GIT_DIFF_OPTS", "GIT_DEFAULT_HASH", "GIT_REPLACE_REF_BASE",
	"GIT_SHALLOW_FILE", "GIT_GRAFT_FILE", "GIT_EXTERNAL_DIFF", "GIT_DIFF_PATH_COUNTER",
	// Set by git in a bare repository for its children: with GIT_DIR
	// there is then no work tree.
	"GIT_IMPLICIT_WORK_TREE",
}

// Diff returns the staged diff of the repository whose work tree holds
// dir, as git would print it, or an error wrapping ErrFallback when git
// must compute it (or any other error: git then reports it its way).
func Diff(dir string) ([]byte, error) { return diff(dir, os.LookupEnv) }

// diff is Diff in the environment env looks up.
func diff(dir string, env func(string) (string, bool)) ([]byte, error) {
	gitDir, gitDirSet := env("GIT_DIR")
	for _, k := range movingEnv {
		if _, set := env(k); set && k != "GIT_DIR" {
			return nil, errFallback(k + " is set")
		}
	}
	if v, set := env("GIT_CONFIG_PARAMETERS"); set && !harmlessConfig(v) {
		return nil, errFallback("git -c settings that may bear on the diff")
	}
	if dir == "" {
		return nil, errFallback("empty path")
	}
	var r *repo
	var err error
	if gitDirSet {
		r, err = givenGitDir(dir, gitDir)
	} else {
		r, err = discover(dir)
	}
	if err != nil {
		return nil, err
	}
	if err := r.checkConfig(); err != nil {
		return nil, err
	}
	// The attributes files outside the index first: where they send the
	// diff to git, it starts before the index is read.
	attrs, err := r.globalAttrs()
	if err != nil {
		return nil, err
	}
	indexPath := filepath.Join(r.gitDir, "index")
	if p, set := env("GIT_INDEX_FILE"); set {
		// Relative to where git runs: dir (git -C dir).
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		indexPath = p
	}
	data, unmap, err := mapFile(indexPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errFallback("no index")
		}
		return nil, err
	}
	defer unmap()
	x, err := parseIndex(data)
	if err != nil {
		return nil, err
	}
	st, closeStore, err := openStore(filepath.Join(r.commonDir, "objects"))
	if err != nil {
		return nil, err
	}
	defer closeStore()
	if attrs, err = r.indexAttrs(attrs, x, st); err != nil {
		return nil, err
	}
	head, born, err := r.head()
	if err != nil {
		return nil, err
	}
	d := &differ{x: x, st: st}
	if born {
		commit, err := st.readType(head, objCommit)
		if err != nil {
			return nil, err
		}
		tree, err := commitTree(commit)
		if err != nil {
			return nil, err
		}
		if err := d.walk(nil, &tree, 0, len(x.entries), x.tree, 0); err != nil {
			return nil, err
		}
	} else if err := d.walk(nil, nil, 0, len(x.entries), nil, 0); err != nil {
		return nil, err
	}
	if d.added > 0 && d.deleted > 0 {
		return nil, errFallback("files both added and deleted: git's -M may pair them as renames")
	}
	if err := r.checkAttrs(attrs, d); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	for _, c := range d.changes {
		if err := d.write(&out, c); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// harmlessPrefixes are configuration keys (lower case) that `git -c` may
// pass down to a hook without changing what the staged diff is: identity,
// signing, colours, the editor and the like. Any other key, and git diffs.
var harmlessPrefixes = []string{
	"user.", "author.", "committer.", "color.", "commit.", "gpg.", "credential.", "http.",
	"i18n.", "log.", "format.", "advice.", "init.", "pull.", "push.", "fetch.", "remote.",
	"branch.", "alias.", "sequence.", "rebase.", "merge.", "maintenance.", "gc.", "tag.",
	"trailer.", "core.quotepath", "core.editor", "core.pager", "core.hookspath",
	"core.commentchar", "core.commentstring", "core.askpass", "core.sshcommand",
}

// configBlanks separate GIT_CONFIG_PARAMETERS' entries: what git's
// isspace is true of, not only the space git itself writes.
const configBlanks = " \t\n\r"

// harmlessConfig reports whether GIT_CONFIG_PARAMETERS (git's quoting:
// 'key'='value' or 'key=value', separated by blanks) sets only keys that
// cannot change the diff.
func harmlessConfig(params string) bool {
	s := strings.Trim(params, configBlanks)
	for s != "" {
		// One single-quoted word at a time ('\'' inside is a quote).
		if s[0] != '\'' {
			return false
		}
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return false
		}
		key := strings.ToLower(s[1 : 1+end])
		key, _, _ = strings.Cut(key, "=")
		if !slicesHasPrefix(harmlessPrefixes, key) {
			return false
		}
		// Skip the rest of this entry: up to the next unquoted space.
		i, quoted := 0, false
		for ; i < len(s); i++ {
			if s[i] == '\\' && !quoted {
				i++ // '\'': an escaped quote, outside quotes
			} else if s[i] == '\'' {
				quoted = !quoted
			} else if strings.IndexByte(configBlanks, s[i]) >= 0 && !quoted {
				break
			}
		}
		s = strings.Trim(s[i:], configBlanks)
	}
	return true
}

func slicesHasPrefix(prefixes []string, s string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// repo is where a work tree's repository keeps its parts: gitDir holds
// HEAD and the index, commonDir (the same but for a linked work tree)
// the objects, refs and configuration.
type repo struct {
	top, gitDir, commonDir string
	// ignoreCase is core.ignorecase: attribute patterns match paths in
	// any case.
	ignoreCase bool
}

// discover finds the repository as git does from dir: the nearest
// directory upwards with a .git directory or a .git file naming one, on
// dir's file system (git, without GIT_DISCOVERY_ACROSS_FILESYSTEM, does
// not look past a mount point; where dir is on another file system than
// the repository above, git says so its way).
func discover(dir string) (*repo, error) {
	// git walks up from the physical directory (it chdirs, then asks the
	// kernel where it is): from a symbolic link to a repository's
	// subdirectory, the link's parents are not the repository's.
	abs, err := Physical("", dir)
	if err != nil {
		return nil, err
	}
	for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
		if part == ".git" {
			return nil, errFallback("inside a .git directory")
		}
	}
	start, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	dev, ok := DeviceOf(start)
	if !ok {
		return nil, errFallback("file systems not known here")
	}
	for d := abs; ; {
		if d != abs {
			// git stops at a file system's boundary (its parent on
			// another device: a mount point), saying so.
			fi, err := os.Stat(d)
			if err != nil {
				return nil, err
			}
			if dv, ok := DeviceOf(fi); !ok || dv != dev {
				return nil, errFallback("a file system boundary below " + d)
			}
		}
		dotgit := filepath.Join(d, ".git")
		if fi, err := os.Lstat(dotgit); err == nil {
			r := &repo{top: d}
			switch {
			case fi.IsDir():
				r.gitDir = dotgit
			case fi.Mode().IsRegular():
				b, err := os.ReadFile(dotgit)
				if err != nil {
					return nil, err
				}
				p, ok := strings.CutPrefix(strings.TrimRight(string(b), "\r\n"), "gitdir: ")
				if !ok || p == "" {
					return nil, errFallback(".git file without a gitdir line")
				}
				if r.gitDir, err = Physical(d, p); err != nil {
					return nil, err
				}
			default:
				return nil, errFallback(".git is neither a directory nor a file")
			}
			if r.commonDir, err = CommonDir(r.gitDir); err != nil {
				return nil, err
			}
			// git refuses a repository another user owns (safe.directory):
			// its work tree, .git file or git directory. It says so its way.
			for _, p := range []string{d, dotgit, r.gitDir, r.commonDir} {
				if fi, err := os.Stat(p); err != nil {
					return nil, err
				} else if ownedByOther(fi) {
					return nil, errFallback(p + " is owned by another user")
				}
			}
			return r, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return nil, errFallback("not in a git work tree")
		}
		d = up
	}
}

// givenGitDir is the repository when GIT_DIR names its git directory, as
// git sets it for a linked worktree's hooks: without GIT_WORK_TREE (a
// moving variable) or core.worktree (checkConfig), git takes the
// directory it runs in as the work tree's top.
func givenGitDir(dir, gitDir string) (*repo, error) {
	top, err := Physical("", dir)
	if err != nil {
		return nil, err
	}
	if gitDir == "" {
		return nil, errFallback("GIT_DIR is empty")
	}
	if gitDir, err = Physical(top, gitDir); err != nil {
		return nil, err
	}
	for _, part := range strings.Split(filepath.ToSlash(top), "/") {
		if part == ".git" {
			return nil, errFallback("inside a .git directory")
		}
	}
	r := &repo{top: top, gitDir: gitDir}
	if r.commonDir, err = CommonDir(gitDir); err != nil {
		return nil, err
	}
	for _, p := range []string{top, gitDir, r.commonDir} {
		if fi, err := os.Stat(p); err != nil {
			return nil, err
		} else if ownedByOther(fi) {
			return nil, errFallback(p + " is owned by another user")
		}
	}
	return r, nil
}

// CommonDir returns the directory holding gitDir's objects, refs and
// configuration, as git finds it: the one gitDir's commondir file names (a
// linked worktree's), relative to gitDir and resolved physically, else
// gitDir itself. An error (among them an empty commondir, which git dies
// on) means git must judge the layout. gitsource's discovery uses it too,
// so that the two read a repository's layout alike.
func CommonDir(gitDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if errors.Is(err, os.ErrNotExist) {
		return gitDir, nil
	}
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", errFallback("empty commondir") // git dies
	}
	return Physical(gitDir, strings.TrimRight(string(b), "\r\n"))
}

// Physical resolves p (relative to the directory base, or to the working
// directory if base is "") as the kernel and git's real paths do: each
// symbolic link before the ".." after it, so that "link/.." is the link
// target's parent (filepath.Join and Abs would clean "link/.." away first,
// naming another directory). An empty p is an error. gitsource's
// discovery uses it too, so that the two walk up from the same directory.
func Physical(base, p string) (string, error) {
	if p == "" {
		return "", errEmptyPath
	}
	if !filepath.IsAbs(p) {
		if base == "" {
			wd, err := os.Getwd()
			if err != nil {
				return "", err
			}
			base = wd
		}
		p = base + string(filepath.Separator) + p
	}
	return filepath.EvalSymlinks(p)
}

// errEmptyPath is Physical's answer for an empty path. It does not wrap
// ErrFallback, since gitsource's Open reports it too; diff says fallback
// for an empty directory before Physical is asked.
var errEmptyPath = errors.New("empty path")

// userGitDir is where git looks for the user's config and attributes
// files: $XDG_CONFIG_HOME/git, else ~/.config/git ("" if neither is known).
func userGitDir() string {
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		xdg = filepath.Join(home, ".config")
	}
	return filepath.Join(xdg, "git")
}

// checkConfig reads the configuration files git would, as text, for what
// this package does not follow: repository format extensions (SHA-256,
// reftable, worktree config, partial clones), includes, a bare (but for a
// linked worktree, which has its work tree whatever core.bare says) or moved
// work tree, a global attributes file, the size above which git calls
// every file binary, and diff drivers (one may declare its files binary).
func (r *repo) checkConfig() error {
	// The system file is where git was built to look: /etc for Linux
	// distributions, Homebrew's and /usr/local builds' etc elsewhere. A
	// file that another git reads only makes this check stricter.
	files := []string{filepath.Join(r.commonDir, "config"), "/etc/gitconfig", "/opt/homebrew/etc/gitconfig", "/usr/local/etc/gitconfig"}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	if dir := userGitDir(); dir != "" {
		files = append(files, filepath.Join(dir, "config"))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		ignoreCase, why := judgeConfig(b, r.commonDir != r.gitDir)
		r.ignoreCase = r.ignoreCase || ignoreCase
		if why != "" {
			return errFallback(why + " in " + f)
		}
	}
	return nil
}

// judgeConfig reads a configuration file's text b for checkConfig: it
// reports whether core.ignorecase may be true, and why git must compute
// the diff ("" when nothing in b says so). linked is whether the diff is
// a linked worktree's (its git directory has a commondir file).
func judgeConfig(b []byte, linked bool) (ignoreCase bool, why string) {
	lower := bytes.ToLower(b)
	// Without blanks: git allows them around "=" and, in a section
	// header, between the name and its quoted subsection.
	squeezed := strings.NewReplacer(" ", "", "\t", "", "\r", "").Replace(string(lower))
	ignoreCase = mayBeTrue(squeezed, "ignorecase")
	for _, word := range []string{"extensions", "include", "worktree", "attributesfile", "bigfilethreshold"} {
		if bytes.Contains(lower, []byte(word)) {
			return ignoreCase, word
		}
	}
	switch {
	// "bare = false" is in every repository's config. A linked
	// worktree has its work tree whatever core.bare says (git's setup
	// ignores it there: a bare clone's worktrees share core.bare = true),
	// but git dies on a value it cannot read as a boolean.
	case !linked && mayBeTrue(squeezed, "bare"):
		return ignoreCase, "bare"
	case linked && mayNotBeBoolean(squeezed, "bare"):
		return ignoreCase, "bare"
	// diff.algorithm (patience, histogram, minimal) chooses other lines
	// than this package's Myers diff where a change repeats or moves
	// lines. (No other section has an "algorithm" key.)
	case setsKey(squeezed, "algorithm"):
		return ignoreCase, "diff.algorithm"
	// diff.orderFile puts the files in another order than the index's,
	// and the scan reports findings in the diff's order.
	case setsKey(squeezed, "orderfile"):
		return ignoreCase, "diff.orderFile"
	// A diff driver's section: [diff "name"], or the old [diff.name].
	case strings.Contains(squeezed, "[diff\"") || strings.Contains(squeezed, "[diff."):
		return ignoreCase, "a diff driver"
	}
	return ignoreCase, ""
}

// setsKey reports whether some line of squeezed (a configuration file in
// lower case, without blanks) sets key, in whatever section.
func setsKey(squeezed, key string) bool {
	return eachSetting(squeezed, key, func(rest string) bool {
		return rest == "" || rest[0] == '='
	})
}

// mayBeTrue reports whether some line of squeezed (a configuration file
// in lower case, without blanks) may set key true: git reads true, yes,
// on, 1 and a key without a value as true; only "=false", "=no", "=off"
// and "=0" surely are not.
func mayBeTrue(squeezed, key string) bool {
	return eachSetting(squeezed, key, func(rest string) bool {
		switch rest {
		case "=false", "=no", "=off", "=0":
			return false
		}
		return true
	})
}

// mayNotBeBoolean reports whether some line of squeezed (a configuration
// file in lower case, without blanks) may set key to a value git does not
// read as a boolean: only a key without a value and "=true", "=yes",
// "=on", "=1" and their opposites surely are booleans.
func mayNotBeBoolean(squeezed, key string) bool {
	return eachSetting(squeezed, key, func(rest string) bool {
		switch rest {
		case "", "=true", "=yes", "=on", "=1", "=false", "=no", "=off", "=0":
			return false
		}
		return true
	})
}

// eachSetting calls fn with the rest of the line after each key in
// squeezed that starts a line or follows a section header (where a
// setting's name starts; elsewhere key is inside another name, a value or
// a comment) until fn returns true, and reports whether it did.
func eachSetting(squeezed, key string, fn func(rest string) bool) bool {
	for at := 0; ; {
		i := strings.Index(squeezed[at:], key)
		if i < 0 {
			return false
		}
		i += at
		at = i + len(key)
		if i > 0 && squeezed[i-1] != '\n' && squeezed[i-1] != ']' {
			continue
		}
		if rest, _, _ := strings.Cut(squeezed[at:], "\n"); fn(rest) {
			return true
		}
	}
}

// head returns the commit HEAD names; born is false on an unborn branch
// (a repository's first commit), whose diff adds every indexed file.
func (r *repo) head() (id [20]byte, born bool, err error) {
	b, err := os.ReadFile(filepath.Join(r.gitDir, "HEAD"))
	if err != nil {
		return id, false, err
	}
	for range 5 {
		s := strings.TrimRight(string(b), "\r\n")
		ref, symbolic := strings.CutPrefix(s, "ref: ")
		if !symbolic {
			if len(s) != 40 {
				return id, false, errFallback("HEAD is not a SHA-1 object name")
			}
			if _, err := hex.Decode(id[:], []byte(s)); err != nil {
				return id, false, errFallback("HEAD is not an object name")
			}
			return id, true, nil
		}
		if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") || strings.ContainsAny(ref, "\\\x00 ~^:?*[") {
			return id, false, errFallback("HEAD names an unusual ref")
		}
		// Per-worktree refs live beside HEAD, the rest in the common
		// directory; a linked work tree's HEAD names a branch (common).
		dir := r.commonDir
		if strings.HasPrefix(ref, "refs/worktree/") || strings.HasPrefix(ref, "refs/bisect/") {
			dir = r.gitDir
		}
		if b, err = os.ReadFile(filepath.Join(dir, filepath.FromSlash(ref))); err == nil {
			continue
		}
		packed, perr := os.ReadFile(filepath.Join(r.commonDir, "packed-refs"))
		if perr != nil {
			return id, false, nil // unborn
		}
		found := false
		for _, line := range strings.Split(string(packed), "\n") {
			if h, name, ok := strings.Cut(line, " "); ok && name == ref && len(h) == 40 {
				b, found = []byte(h), true
				break
			}
		}
		if !found {
			return id, false, nil
		}
	}
	return id, false, errFallback("HEAD's symbolic refs go too deep")
}

// Pending is a staged diff on its way: computed in process on another
// goroutine, or, where git must compute it, a started git.
type Pending struct {
	done   chan struct{}
	diff   []byte
	stream *gitcmd.Stream
	err    error
}

// Start begins the staged diff of the work tree holding dir: in process
// (Diff) on another goroutine, which starts git (gitcmd.StagedArgs) if it
// falls back. A pre-commit hook's scan starts it before it builds its
// detector, so that the two overlap.
func Start(dir string) *Pending {
	p := &Pending{done: make(chan struct{})}
	// The environment as it is now: the goroutine (and a git it starts)
	// sees what the caller saw, whatever changes meanwhile.
	environ := os.Environ()
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	go func() {
		defer close(p.done)
		d, err := diff(dir, func(k string) (string, bool) { v, ok := vars[k]; return v, ok })
		if err == nil {
			if d == nil {
				d = []byte{} // nothing staged, known
			}
			p.diff = d
			return
		}
		p.stream, p.err = gitcmd.StartEnv(context.Background(), dir, environ, nil, gitcmd.StagedArgs...)
	}()
	return p
}

// Wait returns the diff: its text when it was computed in process (diff
// non-nil), else the git command printing it, or the error starting git.
func (p *Pending) Wait() (diff []byte, st *gitcmd.Stream, err error) {
	<-p.done
	return p.diff, p.stream, p.err
}

// Stop ends a diff nobody will read: git, if it was started, is stopped.
func (p *Pending) Stop() {
	if _, st, _ := p.Wait(); st != nil {
		st.Stop()
	}
}
