package cached

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// gitSetting is one setting as git reads it: the key in canonical form
// (section and name in lower case), its value (none: a bare key, true).
type gitSetting struct {
	key, value string
	none       bool
}

// gitConfig runs `git config -z --list` with args and env in dir (a
// directory outside any repository), and returns the settings git reads;
// ok is false when git refuses them (it then stops, so nothing it
// would have read can bear on a diff).
func gitConfig(t testing.TB, dir string, env []string, args ...string) (settings []gitSetting, ok bool) {
	t.Helper()
	cmd := exec.Command("git", append(append([]string{"config"}, args...), "-z", "--list")...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES=" + filepath.Dir(dir), "PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.Output()
	if err != nil {
		return nil, false
	}
	for _, s := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if s == "" {
			continue
		}
		k, v, hasValue := strings.Cut(s, "\n")
		settings = append(settings, gitSetting{key: k, value: v, none: !hasValue})
	}
	return settings, true
}

// gitTrue is whether git reads a setting as boolean true, or as something
// that is not surely false (git stops at a value that is no boolean).
func (s gitSetting) gitTrue() bool {
	if s.none {
		return true
	}
	switch strings.ToLower(s.value) {
	case "false", "no", "off", "":
		return false
	}
	n, err := strconv.ParseInt(s.value, 0, 64)
	return err != nil || n != 0
}

// diffBearing is the reason a setting git read from a configuration file
// must send the diff to git (see checkConfig), or "".
func (s gitSetting) diffBearing() string {
	section, rest, _ := strings.Cut(s.key, ".")
	name := rest[strings.LastIndexByte(rest, '.')+1:]
	switch {
	case section == "extensions", section == "include", section == "includeif":
		return section
	case section == "diff" && name != rest:
		return "a diff driver"
	}
	switch s.key {
	case "core.worktree", "core.attributesfile", "core.bigfilethreshold", "diff.algorithm", "diff.orderfile":
		return s.key
	case "core.bare":
		if s.gitTrue() {
			return s.key
		}
	}
	return ""
}

// checkJudgeConfig checks judgeConfig against git reading the same text:
// every setting that bears on the diff sends it to git, and a true
// core.ignorecase is seen.
func checkJudgeConfig(t *testing.T, dir, text string) (ignoreCase bool, why string) {
	t.Helper()
	ignoreCase, why = judgeConfig([]byte(text), false)
	if why != "" && ignoreCase {
		return // nothing more to miss
	}
	f := filepath.Join(dir, "config")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	settings, ok := gitConfig(t, dir, nil, "--file", f)
	if !ok {
		return
	}
	for _, s := range settings {
		if b := s.diffBearing(); b != "" && why == "" {
			t.Errorf("judgeConfig(%q) misses %s (git reads %s=%q)", text, b, s.key, s.value)
		}
		if s.key == "core.ignorecase" && s.gitTrue() && !ignoreCase {
			t.Errorf("judgeConfig(%q) misses core.ignorecase=%q", text, s.value)
		}
	}
	return ignoreCase, why
}

// configCases are configuration texts and what judgeConfig makes of them:
// the spellings git accepts (case, blanks, a setting on its section's
// line, subsections, comments, quotes, continuation lines) and near misses.
var configCases = []struct {
	text       string
	ignoreCase bool
	why        string
}{
	{"[core]\n\tbare = false\n\tignorecase = false\n", false, ""},
	{"[core]\n\tbare = true\n", false, "bare"},
	{"[core]\n\tbare\n", false, "bare"}, // no value: true
	{"[core]\n\tBaRe = Yes\n", false, "bare"},
	{"[core]\r\n\tbare=on\r\n", false, "bare"},
	{"[core] bare = 1\n", false, "bare"},                  // on the section's line
	{"[core]\n\tbare = \"false\"\n", false, "bare"},       // quoted: read as may be true
	{"[core]\n\tbare = false ; comment\n", false, "bare"}, // a comment: read as may be true
	{"[core]\n\t# bare = true\n\tbare = no\n", false, ""}, // a comment
	{"[core]\n\t; bare\n", false, ""},                     // a comment
	{"[core]\n\tbarely = true\n", false, "bare"},          // not git's bare, but may be
	{"[core]\n\tx = a \\\n bare\n", false, "bare"},        // a continued value, but may be
	{"[remote \"bare\"]\n\turl = x\n", false, ""},         // a subsection
	{"[remote \"x]bare\"]\n\turl = x\n", false, "bare"},   // a subsection read as may be
	{"[core]\n\tignorecase = true\n", true, ""},
	{"[core]\n\tIgnoreCase\n", true, ""},
	{"[core]\n\tignorecase = 0\n", false, ""},
	{"[core]\n\tignoreCase = tr\\\nue\n", true, ""}, // a continued value
	{"[user]\n\tname = ignorecase\n", false, ""},    // a value
	{"[diff]\n\talgorithm = histogram\n", false, "diff.algorithm"},
	{"[DIFF]\n\tAlgorithm\n", false, "diff.algorithm"},
	{"[diff] algorithm = patience\n", false, "diff.algorithm"},
	{"[diff]\n\torderFile = .order\n", false, "diff.orderFile"},
	{"[user]\n\tname = algorithm\n\temail = orderfile\n", false, ""}, // values
	{"[diff \"foo\"]\n\ttextconv = cat\n", false, "a diff driver"},
	{"[Diff\t\"foo\"]\n\tbinary\n", false, "a diff driver"},
	{"[diff.foo]\n\tbinary\n", false, "a diff driver"},
	{"[diff]\n\tnoprefix = true\n", false, ""},
	{"[extensions]\n\tobjectFormat = sha256\n", false, "extensions"},
	{"[Include]\n\tpath = x\n", false, "include"},
	{"[includeIf \"gitdir:/x/\"]\n\tpath = x\n", false, "include"},
	{"[core]\n\tworktree = /x\n", false, "worktree"},
	{"[core]\n\tattributesFile = /x\n", false, "attributesfile"},
	{"[core]\n\tbigFileThreshold = 1k\n", false, "bigfilethreshold"},
	{"[core]\n\tignorecase\n\tbare\n", true, "bare"},
	{"", false, ""},
}

// TestJudgeConfig: judgeConfig reads each text as the table says, and
// misses nothing git reads from it that bears on the diff.
func TestJudgeConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range configCases {
		ignoreCase, why := checkJudgeConfig(t, dir, tc.text)
		if ignoreCase != tc.ignoreCase || why != tc.why {
			t.Errorf("judgeConfig(%q) = %v, %q; want %v, %q", tc.text, ignoreCase, why, tc.ignoreCase, tc.why)
		}
	}
}

// TestJudgeConfigLinked: for a linked worktree, core.bare is no reason
// for git unless git cannot read it as a boolean (it then dies), and
// everything else still is.
func TestJudgeConfigLinked(t *testing.T) {
	for _, tc := range []struct{ text, why string }{
		{"[core]\n\tbare = true\n", ""},
		{"[core]\n\tBare = Yes\n", ""},
		{"[core]\n\tbare\n", ""},
		{"[core]\n\tbare = false\n\tbare = 1\n", ""},
		{"[core]\n\tbare = maybe\n", "bare"},
		{"[core]\n\tbare = \"true\"\n", "bare"},
		{"[core]\n\tbare = true # said twice\n", "bare"},
		{"[core]\n\tbare = true\n[diff]\n\talgorithm = patience\n", "diff.algorithm"},
		{"[core]\n\tbare = true\n\tworktree = /x\n", "worktree"},
	} {
		if _, why := judgeConfig([]byte(tc.text), true); why != tc.why {
			t.Errorf("judgeConfig(%q, linked) = %q, want %q", tc.text, why, tc.why)
		}
	}
}

// FuzzJudgeConfig: judgeConfig never panics, and (git on PATH) misses
// nothing git reads from the same text that bears on the diff.
func FuzzJudgeConfig(f *testing.F) {
	for _, tc := range configCases {
		f.Add(tc.text)
	}
	_, err := exec.LookPath("git")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, text string) {
		if err != nil {
			judgeConfig([]byte(text), false)
			return
		}
		checkJudgeConfig(t, dir, text)
	})
}

// FuzzHarmlessConfig: harmlessConfig never panics, and what it judges
// harmless git reads (git on PATH) as settings of harmless keys only: any
// other key, in whatever spelling git accepts, goes to git.
func FuzzHarmlessConfig(f *testing.F) {
	for _, p := range []string{
		`'user.name'='a'`, `'user.name'='a b' 'user.email'='a@b'`, `'user.name=a'`,
		`'core.quotePath'='false'`, `'user.name'='it'\''s' 'color.ui'='never'`,
		`'diff.algorithm'='patience'`, `'user.name'='a' 'diff.algorithm'='patience'`,
		`'user.name'='a '\'' diff.algorithm'`, `'include.path'='/x'`, `'Core.WorkTree'='/x'`,
		`'user.name'='a' 'diff.external'`, `'user.name'= 'extensions.worktreeConfig=1'`,
		"'user.name'='a'\t'diff.algorithm'='patience'", "'user.name'='a\tb'",
		`'user.name'='a'\!'b'`, `user.name=a`, `'unterminated`, ``,
	} {
		f.Add(p)
	}
	_, lookErr := exec.LookPath("git")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, params string) {
		harmless := harmlessConfig(params)
		if !harmless || lookErr != nil || strings.IndexByte(params, 0) >= 0 {
			return // an environment variable holds no NUL
		}
		settings, ok := gitConfig(t, dir, []string{"GIT_CONFIG_PARAMETERS=" + params})
		if !ok {
			return
		}
		for _, s := range settings {
			if !slicesHasPrefix(harmlessPrefixes, s.key) {
				t.Errorf("harmlessConfig(%q) = true, but git reads %s=%q", params, s.key, s.value)
			}
		}
	})
}

// encodeTree writes entries as git writes a tree object.
func encodeTree(entries []treeEntry) []byte {
	var b []byte
	for _, e := range entries {
		b = strconv.AppendUint(b, uint64(e.mode), 8)
		b = append(b, ' ')
		b = append(b, e.name...)
		b = append(b, 0)
		b = append(b, e.oid[:]...)
	}
	return b
}

// treeSeeds are trees as git writes them (a file, an executable, a
// symbolic link, a directory, a submodule) and as it refuses them.
func treeSeeds(t testing.TB) [][]byte {
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	write(t, filepath.Join(dir, "a.txt"), "a\n")
	write(t, filepath.Join(dir, "run.sh"), "#!/bin/sh\n")
	write(t, filepath.Join(dir, "sub/b.txt"), "b\n")
	git(t, dir, "add", "-A")
	git(t, dir, "update-index", "--chmod=+x", "run.sh")
	blob := strings.TrimSpace(git(t, dir, "hash-object", "-w", "a.txt"))
	git(t, dir, "update-index", "--add", "--cacheinfo", "120000,"+blob+",link")
	git(t, dir, "update-index", "--add", "--cacheinfo", "160000,"+blob+",module")
	tree := strings.TrimSpace(git(t, dir, "write-tree"))
	id := bytes.Repeat([]byte{0xab}, 20)
	return [][]byte{
		[]byte(git(t, dir, "cat-file", "tree", tree)),
		[]byte(git(t, dir, "cat-file", "tree", tree+":sub")),
		append([]byte("100664 old\x00"), id...),
		append([]byte("040000 d\x00"), id...),
		append([]byte("100644 a/b\x00"), id...),
		append([]byte("100644 \x00"), id...),
		append([]byte("100600 x\x00"), id...),
		append([]byte("100644 short\x00"), id[:19]...),
		[]byte("100644"),
		nil,
	}
}

// TestParseTree: a tree git writes reads back entry by entry as git lists
// it, and encodes again to the same bytes.
func TestParseTree(t *testing.T) {
	seeds := treeSeeds(t)
	entries, err := parseTree(seeds[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, strconv.FormatUint(uint64(e.mode), 8)+" "+string(e.name))
	}
	want := []string{"100644 a.txt", "120000 link", "160000 module", "100755 run.sh", "40000 sub"}
	if !slices.Equal(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	if enc := encodeTree(entries); !bytes.Equal(enc, seeds[0]) {
		t.Errorf("encoded again:\n%q\nwant\n%q", enc, seeds[0])
	}
	for _, bad := range [][]byte{seeds[4], seeds[5], seeds[6], seeds[7], seeds[8]} {
		if _, err := parseTree(bad); !errors.Is(err, ErrFallback) {
			t.Errorf("parseTree(%q) = %v, want a fallback", bad, err)
		}
	}
}

// FuzzParseTree: parseTree refuses (ErrFallback) or returns well-formed
// entries (a mode the differ knows, a name that is one path component)
// that encode to a tree parsing back to the same entries.
func FuzzParseTree(f *testing.F) {
	for _, s := range treeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseTree(b)
		if err != nil {
			if !errors.Is(err, ErrFallback) {
				t.Fatalf("error %v does not wrap ErrFallback", err)
			}
			return
		}
		for _, e := range entries {
			switch e.mode {
			case modeFile, modeExec, modeSymlink, modeGitlink, 0o40000:
			default:
				t.Errorf("entry %q: mode %o", e.name, e.mode)
			}
			if len(e.name) == 0 || bytes.IndexByte(e.name, '/') >= 0 || bytes.IndexByte(e.name, 0) >= 0 {
				t.Errorf("entry name %q", e.name)
			}
		}
		again, err := parseTree(encodeTree(entries))
		if err != nil {
			t.Fatalf("encoded entries do not parse: %v", err)
		}
		if !slices.EqualFunc(entries, again, func(a, b treeEntry) bool {
			return a.mode == b.mode && a.oid == b.oid && bytes.Equal(a.name, b.name)
		}) {
			t.Errorf("entries %v encode to %v", entries, again)
		}
	})
}
