package githook

import (
	"bytes"
	"context"
	"strconv"
	"strings"
)

// Cleanup is how git will clean up a commit message before it records it:
// the commit-msg hook sees the message file before that cleanup, so with
// `git commit -v` it holds the staged diff below a scissors line, and with
// an editor, git's comment lines. Only what git records is the message.
type Cleanup struct {
	// Mode is the cleanup git applies, resolved as git resolves
	// commit.cleanup: "strip", "whitespace", "scissors" or "verbatim".
	Mode string
	// Comment is the comment string (core.commentChar or
	// core.commentString, "#" by default), or "auto".
	Comment string
	// Verbose is commit.verbose: git cuts the message at the scissors line.
	Verbose bool
	// Editor reports whether git opened an editor for the message (git
	// tells its hooks it did not by setting GIT_EDITOR to ":").
	Editor bool
}

// cutLine is what follows the comment string on git's scissors line.
const cutLine = " ------------------------ >8 ------------------------\n"

// autoCandidates are the comment characters git chooses from, in order,
// when core.commentChar is "auto".
const autoCandidates = "#;@!$%^&|:"

// ReadCleanup reads the configuration that decides how git cleans up a
// commit message (commit.cleanup, commit.verbose, core.commentChar,
// core.commentString) through g, in the repository whose commit-msg hook is
// running, and the hook's environment through getenv. Outside a repository
// (g nil) git's defaults apply. A later value of a key overrides an earlier
// one, as in git.
func ReadCleanup(ctx context.Context, g Git, getenv func(string) string) Cleanup {
	cfg := map[string]string{}
	if g != nil {
		// Exit status 1 (no key set) is not an error worth reporting: the
		// defaults apply.
		out, _ := g.Git(ctx, "config", "-z", "--get-regexp", `^(commit\.(cleanup|verbose)|core\.comment(char|string))$`)
		for _, rec := range bytes.Split(out, []byte{0}) {
			key, value, _ := strings.Cut(string(rec), "\n")
			if key == "core.commentstring" {
				key = "core.commentchar" // one setting, two names: the last wins
			}
			if key != "" {
				cfg[key] = value
			}
		}
	}
	c := Cleanup{Editor: getenv("GIT_EDITOR") != ":", Comment: "#"}
	if v, ok := cfg["core.commentchar"]; ok && v != "" {
		c.Comment = v
		if strings.EqualFold(v, "auto") {
			c.Comment = "auto"
		}
	}
	if v, ok := cfg["commit.verbose"]; ok {
		c.Verbose = gitBool(v)
	}
	// git's get_cleanup_mode: "default" strips comments only when an editor
	// was used, and scissors only applies to an edited message.
	switch m := strings.ToLower(cfg["commit.cleanup"]); m {
	case "", "default":
		c.Mode = "whitespace"
		if c.Editor {
			c.Mode = "strip"
		}
	case "scissors":
		c.Mode = "whitespace"
		if c.Editor {
			c.Mode = "scissors"
		}
	case "strip", "whitespace", "verbatim":
		c.Mode = m
	default:
		// git refuses the commit; keep everything so nothing goes unscanned.
		c.Mode = "verbatim"
	}
	return c
}

// gitBool reads a boolean or integer git configuration value.
func gitBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	return err == nil && n != 0
}

// Apply returns msg as git will record it: cut at the scissors line (git
// does so with commit.verbose, in scissors mode, and whenever it put the
// line there itself, which it does only in an edited message), then, unless
// the mode is verbatim, with trailing whitespace removed, runs of blank
// lines squeezed and leading and trailing blank lines dropped, and in strip
// mode every line starting with the comment string removed. This is git's
// cleanup_message and strbuf_stripspace.
func (c Cleanup) Apply(msg []byte) []byte {
	comment := c.Comment
	if comment == "auto" {
		comment = autoComment(msg)
	}
	if comment == "" {
		comment = "#"
	}
	if end := scissorsAt(msg, comment); end >= 0 && (c.Verbose || c.Mode == "scissors" || c.Editor) {
		msg = msg[:end]
	}
	switch c.Mode {
	case "verbatim":
		return msg
	case "strip":
		return stripSpace(msg, comment)
	}
	return stripSpace(msg, "")
}

// scissorsAt returns where git's wt_status_locate_end cuts msg: the start
// of the first scissors line, or -1 when there is none.
func scissorsAt(msg []byte, comment string) int {
	line := []byte(comment + cutLine)
	if bytes.HasPrefix(msg, line) {
		return 0
	}
	if i := bytes.Index(msg, append([]byte{'\n'}, line...)); i >= 0 {
		return i + 1
	}
	return -1
}

// stripSpace is git's strbuf_stripspace: trailing whitespace (space, tab,
// CR, LF: git's isspace) removed from every line, lines starting with
// comment dropped when comment is set, runs of empty lines squeezed to one,
// and none at the start or end. A non-empty result ends with a newline.
func stripSpace(msg []byte, comment string) []byte {
	var out []byte
	empties := 0
	for len(msg) > 0 {
		line := msg
		if i := bytes.IndexByte(msg, '\n'); i >= 0 {
			line, msg = msg[:i+1], msg[i+1:]
		} else {
			msg = nil
		}
		if comment != "" && bytes.HasPrefix(line, []byte(comment)) {
			continue
		}
		n := len(line)
		for n > 0 && isGitSpace(line[n-1]) {
			n--
		}
		if n == 0 {
			empties++
			continue
		}
		if empties > 0 && len(out) > 0 {
			out = append(out, '\n')
		}
		empties = 0
		out = append(out, line[:n]...)
		out = append(out, '\n')
	}
	return out
}

func isGitSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// autoComment guesses the comment character git chose for core.commentChar
// = auto. git chooses it from the message it starts the editor with (the
// first of autoCandidates that begins none of its lines), which the hook
// cannot see; but git then writes its own lines with that character, so
// the scissors line, or the block of commented status lines that ends an
// edited message, names it. Without either (no editor, or commit.status
// off) the message is all the user's, and git's own choice over it is
// taken.
func autoComment(msg []byte) string {
	for _, c := range []byte(autoCandidates) {
		if scissorsAt(msg, string(c)) >= 0 {
			return string(c)
		}
	}
	lines := strings.Split(strings.TrimRight(string(msg), "\n"), "\n")
	if n := len(lines); n >= 2 {
		if c := lines[n-1]; c != "" && strings.IndexByte(autoCandidates, c[0]) >= 0 {
			// The trailing block of lines all starting with c, preceded by a
			// blank line (or the start): git's status block.
			i := n - 1
			for i > 0 && lines[i-1] != "" && lines[i-1][0] == c[0] {
				i--
			}
			if n-i >= 2 && (i == 0 || strings.TrimSpace(lines[i-1]) == "") {
				return c[:1]
			}
		}
	}
	// git's adjust_comment_line_char: '#' when the message holds none at
	// all, else the first candidate that starts no line.
	if !bytes.ContainsRune(msg, '#') {
		return "#"
	}
	used := map[byte]bool{}
	for _, l := range lines {
		if l != "" {
			used[l[0]] = true
		}
	}
	for _, c := range []byte(autoCandidates) {
		if !used[c] {
			return string(c)
		}
	}
	return "#"
}
