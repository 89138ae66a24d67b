package gitsource

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/rampart-sec/rampart/scanner/gitsource/cached"
)

// Open used to start `git rev-parse` for every scan, hook and audit: on a
// 2-core virtual machine 8–12 ms of a run's wall time (git's start-up and
// its page faults, at 10 µs each), on the critical path of every command
// and the whole of a pre-commit hook's child processes once the staged
// diff is computed in process. discover finds the repository as git does,
// for the layouts it takes at face value, and answers exactly what
// rev-parse would; for anything else it says so (ok false) and git is
// asked, as before.
//
// Taken at face value: a work tree with a .git directory, or a .git file
// naming one (a linked worktree); a bare repository or mirror; any
// subdirectory of either, reached without crossing a file system; GIT_DIR
// naming a work tree's git directory, as git sets it for a linked
// worktree's hooks. Left to git: an environment that otherwise moves the
// repository or its configuration (GIT_WORK_TREE, GIT_COMMON_DIR,
// GIT_CEILING_DIRECTORIES, git -c, …), a
// directory inside a .git directory, symbolic links named .git or HEAD,
// configuration git might read otherwise than this package (includes,
// repository format extensions such as SHA-256 or reftable, core.worktree
// as a submodule's has, core.bare where it changes the answer (not in a
// linked worktree, a bare clone's among them: git ignores it there), a format
// version above 1, anything the parser below refuses), a repository
// another user owns (safe.directory), bare repositories where
// safe.bareRepository may refuse them, and a .git entry git would judge
// invalid. TestDiscoverMatchesRevParse compares both on each layout.

// discoverEnv are the variables that change where or how git finds a
// repository, or what it reads of its configuration. (GIT_CONFIG_NOSYSTEM
// is not one: the system file is read only to be stricter.)
var discoverEnv = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
	"GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE",
	"GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT",
	"GIT_CONFIG_PARAMETERS", "GIT_DEFAULT_HASH", "GIT_SHALLOW_FILE", "GIT_GRAFT_FILE",
	"GIT_TEST_ASSUME_DIFFERENT_OWNER", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
	// Set by git in a bare repository for its children (a hook's
	// GIT_DIR=. then has no work tree).
	"GIT_IMPLICIT_WORK_TREE",
}

// errNotFound is discover's answer when no repository holds dir, and git
// would say the same.
var errNotFound = errors.New("no repository")

// discover returns what Open returns for dir, errNotFound when git would
// say dir is not in a repository, or ok false when git must be asked. env
// looks up the environment.
func discover(dir string, env func(string) (string, bool)) (r *Repo, err error, ok bool) {
	gitDirEnv, gitDirSet := env("GIT_DIR")
	for _, k := range discoverEnv {
		if _, set := env(k); set && k != "GIT_DIR" {
			return nil, nil, false
		}
	}
	if _, set := env("SUDO_UID"); set && os.Geteuid() == 0 {
		// git then checks ownership against the sudo user.
		return nil, nil, false
	}
	// git walks up from the physical directory (it chdirs, then asks the
	// kernel where it is).
	abs, err := cached.Physical("", dir)
	if err != nil {
		return nil, nil, false
	}
	for _, part := range strings.Split(filepath.ToSlash(abs), "/") {
		if part == ".git" {
			return nil, nil, false
		}
	}
	start, err := os.Stat(abs)
	if err != nil || !start.IsDir() {
		return nil, nil, false
	}
	if gitDirSet {
		r, ok := givenGitDir(abs, gitDirEnv)
		return r, nil, ok
	}
	dev, devOK := cached.DeviceOf(start)
	if !devOK {
		return nil, nil, false
	}
	for d := abs; ; {
		if d != abs {
			// git stops at a file system's boundary, saying so.
			fi, err := os.Stat(d)
			if err != nil {
				return nil, nil, false
			}
			if dv, ok := cached.DeviceOf(fi); !ok || dv != dev {
				return nil, nil, false
			}
		}
		dotgit := filepath.Join(d, ".git")
		fi, err := os.Lstat(dotgit)
		switch {
		case err == nil && fi.IsDir():
			if gitDirLike(dotgit) != gitDirYes {
				// git passes over a .git that is not a repository, and
				// dies on a damaged one: either way, let it say.
				return nil, nil, false
			}
			r, ok := workTreeRepo(d, dotgit, "")
			return r, nil, ok
		case err == nil && fi.Mode().IsRegular():
			gitDir, ok := readGitFile(dotgit, d)
			if !ok || gitDirLike(gitDir) != gitDirYes {
				return nil, nil, false
			}
			r, ok := workTreeRepo(d, gitDir, dotgit)
			return r, nil, ok
		case err == nil:
			return nil, nil, false // a symbolic link, a socket…
		case !errors.Is(err, os.ErrNotExist):
			return nil, nil, false
		}
		switch gitDirLike(d) {
		case gitDirYes:
			r, ok := bareRepo(d)
			return r, nil, ok
		case gitDirMaybe:
			return nil, nil, false
		}
		up := filepath.Dir(d)
		if up == d {
			return nil, errNotFound, true
		}
		d = up
	}
}

// givenGitDir is the repository when GIT_DIR names its git directory, as
// git sets it for the hooks of a linked worktree: without GIT_WORK_TREE
// or core.worktree, git takes the directory it runs in (dir, physical) as
// the work tree's top, and names the git directory by its real path.
func givenGitDir(dir, gitDir string) (*Repo, bool) {
	if gitDir == "" {
		return nil, false
	}
	real, err := cached.Physical(dir, gitDir)
	if err != nil || gitDirLike(real) != gitDirYes {
		return nil, false
	}
	return workTreeRepo(dir, real, "")
}

// gitDirVerdict is what gitDirLike makes of a directory.
type gitDirVerdict int

const (
	gitDirNo    gitDirVerdict = iota // surely not a git directory
	gitDirYes                        // one, laid out as this file expects
	gitDirMaybe                      // git may judge otherwise: ask it
)

// gitDirLike judges dir as git's is_git_directory does: a HEAD that is a
// symbolic ref or an object name, and objects and refs directories (in
// the common directory a linked worktree's commondir file names).
func gitDirLike(dir string) gitDirVerdict {
	common, err := cached.CommonDir(dir)
	if err != nil {
		return gitDirMaybe
	}
	head, err := os.Lstat(filepath.Join(dir, "HEAD"))
	if errors.Is(err, os.ErrNotExist) {
		return gitDirNo
	}
	if err != nil || !head.Mode().IsRegular() {
		return gitDirMaybe
	}
	for _, sub := range []string{"objects", "refs"} {
		p := filepath.Join(common, sub)
		fi, err := os.Stat(p)
		// git asks access(X_OK): one this user may not search is none.
		if err != nil || !fi.IsDir() || !searchable(p) {
			// A HEAD without the rest: git's judgement is not worth
			// guessing (it may be a repository being created).
			return gitDirMaybe
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "HEAD"))
	if err != nil {
		return gitDirMaybe
	}
	line := strings.TrimRight(string(b), "\n")
	if ref, ok := strings.CutPrefix(line, "ref: refs/"); ok && !strings.ContainsAny(ref, "\n\r ") {
		return gitDirYes
	}
	if len(line) == 40 && isHex(line) {
		return gitDirYes
	}
	return gitDirMaybe
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// readGitFile reads a .git file ("gitdir: PATH", relative to the file's
// directory) as git's read_gitfile does; git answers with the real path.
func readGitFile(file, dir string) (string, bool) {
	b, err := os.ReadFile(file)
	if err != nil || len(b) > 4096 {
		return "", false
	}
	p, ok := strings.CutPrefix(strings.TrimRight(string(b), "\r\n"), "gitdir: ")
	if !ok || p == "" || strings.ContainsAny(p, "\r\n") {
		return "", false
	}
	real, err := cached.Physical(dir, p)
	if err != nil {
		return "", false
	}
	return real, true
}

// workTreeRepo is the repository of the work tree top, whose git
// directory is gitDir (through the .git file gitFile, if not "").
func workTreeRepo(top, gitDir, gitFile string) (*Repo, bool) {
	common, err := cached.CommonDir(gitDir)
	if err != nil {
		return nil, false
	}
	owned := []string{top, gitDir}
	if gitFile != "" {
		owned = append(owned, gitFile)
	}
	if !ownedBySelf(owned...) {
		return nil, false
	}
	cfg, ok := repoConfig(common)
	// core.worktree moves the work tree (every submodule has one).
	// core.bare set true makes git call even a .git directory bare, but
	// not a linked worktree's git directory (one with a commondir file):
	// git's setup takes core.bare and core.worktree only from a git
	// directory that is its own common directory, so a bare clone's
	// worktrees (git worktree add in it, core.bare = true shared) have
	// their work trees. There too the value must read as a boolean: git
	// dies on anything else when it reads its configuration.
	bare := cfg.boolean("core.bare", false)
	linked := common != gitDir
	if !ok || cfg.has("core.worktree") || bare == nil || bare != false && !linked {
		return nil, false
	}
	sh, ok := shallow(common)
	if !ok {
		return nil, false
	}
	return &Repo{Dir: top, GitDir: gitDir, Shallow: sh, ObjectFormat: "sha1"}, true
}

// bareRepo is the bare repository whose git directory is dir.
func bareRepo(dir string) (*Repo, bool) {
	if !ownedBySelf(dir) {
		return nil, false
	}
	// A linked worktree's git directory (a bare repository's worktrees
	// have no .git above them): git reads the common directory's
	// configuration, its object format among it.
	if common, err := cached.CommonDir(dir); err != nil || common != dir {
		return nil, false
	}
	cfg, ok := repoConfig(dir)
	// Unset or true, git calls the directory bare; false would make it
	// a git directory without a work tree, which git answers its way.
	if !ok || cfg.has("core.worktree") || cfg.boolean("core.bare", true) != true {
		return nil, false
	}
	// safe.bareRepository=explicit refuses a bare repository found by
	// walking up, and core.bare false in the user's configuration makes
	// rev-parse call it not bare where its own leaves core.bare unset:
	// whether either is set, there or in a file included from there, is
	// git's to read.
	word := "barerepository"
	if !cfg.has("core.bare") {
		word = "bare"
	}
	if userConfigMentions(word, "include") {
		return nil, false
	}
	sh, ok := shallow(dir)
	if !ok {
		return nil, false
	}
	return &Repo{Dir: dir, GitDir: dir, Bare: true, Shallow: sh, ObjectFormat: "sha1"}, true
}

// shallow is rev-parse --is-shallow-repository: whether git opens the
// shallow file for reading (a file it may not read is no shallow file).
// ok is false for what git might judge otherwise (a directory: git's
// fopen refuses one where it is built to, Linux and macOS among them) or
// what would block this process (a FIFO).
func shallow(common string) (is, ok bool) {
	p := filepath.Join(common, "shallow")
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, true
	case err != nil:
		return false, false
	case !fi.Mode().IsRegular():
		return false, false
	}
	f, err := os.Open(p)
	if err != nil {
		return false, errors.Is(err, os.ErrPermission)
	}
	f.Close()
	return true, true
}

// repoConfig reads a repository's own configuration file for discover:
// ok is false when git might read it otherwise (a parse this package
// refuses, includes, format extensions, a format version above 1).
func repoConfig(common string) (gitConfig, bool) {
	b, err := os.ReadFile(filepath.Join(common, "config"))
	if errors.Is(err, os.ErrNotExist) {
		return gitConfig{}, true
	}
	if err != nil {
		return nil, false
	}
	cfg, ok := parseGitConfig(b)
	if !ok {
		return nil, false
	}
	for k := range cfg {
		section, _, _ := strings.Cut(k, ".")
		if section == "include" || section == "includeif" || section == "extensions" {
			return nil, false
		}
	}
	if v, ok := cfg["core.repositoryformatversion"]; ok {
		if len(v) != 1 || (v[0] != "0" && v[0] != "1") {
			return nil, false
		}
	}
	return cfg, true
}

// userConfigMentions reports whether the system or user configuration
// files (those git reads where it was built to look, and others: that
// only makes the check stricter) mention any of words, in any case.
func userConfigMentions(words ...string) bool {
	files := []string{"/etc/gitconfig", "/opt/homebrew/etc/gitconfig", "/usr/local/etc/gitconfig"}
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		if home, err := os.UserHomeDir(); err == nil {
			xdg = filepath.Join(home, ".config")
		}
	}
	if xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		b = bytes.ToLower(b)
		for _, w := range words {
			if bytes.Contains(b, []byte(w)) {
				return true
			}
		}
	}
	return false
}

// gitConfig maps "section.key" (lower case; "section.sub.key" for a
// subsection, which keeps its case) to the values set, in order.
type gitConfig map[string][]string

func (c gitConfig) has(key string) bool { _, ok := c[key]; return ok }

// boolean returns key's last value as git reads a boolean, def when it is
// not set; nil (neither true nor false) when git would not read it as one.
func (c gitConfig) boolean(key string, def bool) any {
	v, ok := c[key]
	if !ok {
		return def
	}
	switch strings.ToLower(v[len(v)-1]) {
	case "\x00", "true", "yes", "on", "1":
		return true
	case "", "false", "no", "off", "0":
		return false
	}
	return nil
}

// parseGitConfig parses a git configuration file's text as git does, for
// the files discover reads: ok is false for anything it does not follow
// exactly (git may then read it otherwise, or refuse it). A key without
// "=" (a bare boolean, true) has the value "\x00".
func parseGitConfig(b []byte) (gitConfig, bool) {
	cfg := gitConfig{}
	section := ""
	s := string(b)
	if strings.IndexByte(s, 0) >= 0 {
		// git's C strings end there, wherever it is (a subsection's
		// escaped NUL cut the name short: FuzzParseGitConfig).
		return nil, false
	}
	s = strings.TrimPrefix(s, "\xef\xbb\xbf")
	// git reads "\r\n" as "\n" everywhere.
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '#' || c == ';':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '[':
			name, n, ok := parseSection(s[i+1:])
			if !ok {
				return nil, false
			}
			section = name
			i += 1 + n
		case isAlpha(c):
			if section == "" {
				return nil, false
			}
			j := i
			for j < len(s) && (isAlpha(s[j]) || '0' <= s[j] && s[j] <= '9' || s[j] == '-') {
				j++
			}
			key := section + "." + strings.ToLower(s[i:j])
			for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
				j++
			}
			// A key without "=" ends its line: not even a comment may
			// follow.
			if j == len(s) || s[j] == '\n' {
				cfg[key] = append(cfg[key], "\x00")
				i = j
				continue
			}
			if s[j] != '=' {
				return nil, false
			}
			v, n, ok := parseValue(s[j+1:])
			if !ok {
				return nil, false
			}
			cfg[key] = append(cfg[key], v)
			i = j + 1 + n
		default:
			return nil, false
		}
	}
	return cfg, true
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// parseSection reads a section header after its "[": `name]`,
// `name "sub"]` or the old `name.sub]`. It returns the section's name as
// keys are written under it, and the bytes read.
func parseSection(s string) (string, int, bool) {
	i := 0
	for i < len(s) && (isAlpha(s[i]) || '0' <= s[i] && s[i] <= '9' || s[i] == '-' || s[i] == '.') {
		i++
	}
	if i == 0 || i == len(s) {
		return "", 0, false
	}
	name := strings.ToLower(s[:i])
	if s[i] == ']' {
		// [name.sub]: git lower-cases the whole of it.
		return name, i + 1, true
	}
	if s[i] != ' ' && s[i] != '\t' || strings.Contains(name, ".") {
		return "", 0, false
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i == len(s) || s[i] != '"' {
		return "", 0, false
	}
	i++
	var sub strings.Builder
	for ; i < len(s) && s[i] != '"'; i++ {
		switch s[i] {
		case '\n', 0:
			return "", 0, false
		case '\\':
			i++
			if i == len(s) || s[i] == '\n' {
				return "", 0, false
			}
		}
		sub.WriteByte(s[i])
	}
	if i+1 >= len(s) || s[i+1] != ']' {
		return "", 0, false
	}
	return name + "." + sub.String(), i + 2, true
}

// parseValue reads a value after its "=", to the end of its line (after
// any continued lines), as git does: blanks around it dropped, quoted
// parts kept whole, \" \\ \n \t \b escapes, comments after # or ; outside
// quotes. It returns the value and the bytes read.
func parseValue(s string) (string, int, bool) {
	var v strings.Builder
	quoted := false
	pending := 0 // blanks seen outside quotes, written only if more follows
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n' && !quoted:
			return v.String(), i, true
		case c == '\n' || c == 0:
			return "", 0, false
		case (c == '#' || c == ';') && !quoted:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			return v.String(), i, true
		case (c == ' ' || c == '\t' || c == '\r') && !quoted:
			// Each blank between words is one space; blanks at either
			// end are dropped.
			if v.Len() > 0 {
				pending++
			}
			continue
		}
		for ; pending > 0; pending-- {
			v.WriteByte(' ')
		}
		switch c {
		case '"':
			quoted = !quoted
		case '\\':
			i++
			if i == len(s) {
				return "", 0, false
			}
			switch s[i] {
			case '\n':
				// A continued line.
			case '\\', '"':
				v.WriteByte(s[i])
			case 'n':
				v.WriteByte('\n')
			case 't':
				v.WriteByte('\t')
			case 'b':
				return "", 0, false
			default:
				return "", 0, false
			}
		default:
			v.WriteByte(c)
		}
	}
	if quoted {
		return "", 0, false
	}
	return v.String(), i, true
}
