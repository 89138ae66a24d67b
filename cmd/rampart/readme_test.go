package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// readmeSection is a heading of README.md and the text under it, its
// subsections included.
type readmeSection struct {
	heading string
	text    string
}

// readmeSections splits README.md at its headings (outside code blocks).
func readmeSections(t *testing.T) (string, []readmeSection) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	type head struct{ line, level int }
	var heads []head
	fence := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fence = !fence
			continue
		}
		if !fence && strings.HasPrefix(l, "#") {
			level := len(l) - len(strings.TrimLeft(l, "#"))
			if level < len(l) && l[level] == ' ' {
				heads = append(heads, head{i, level})
			}
		}
	}
	var out []readmeSection
	for k, h := range heads {
		if h.level == 1 {
			continue // the title: its section is the whole file
		}
		end := len(lines)
		for _, next := range heads[k+1:] {
			if next.level <= h.level {
				end = next.line
				break
			}
		}
		out = append(out, readmeSection{heading: strings.TrimSpace(strings.TrimLeft(lines[h.line], "#")), text: strings.Join(lines[h.line:end], "\n")})
	}
	return string(data), out
}

// TestREADMEDocumentsEveryCommandAndFlag walks the command tree, whatever
// it holds when the test runs: every command must appear in README.md as
// `rampart COMMAND`, and every flag of it as --flag (or -x) in a README
// section that mentions the command (or one of its parents, whose flags
// and sections it shares). Hidden commands and flags, and cobra's own help
// and completion, are exempt. A failure names the command and the flag to
// document.
func TestREADMEDocumentsEveryCommandAndFlag(t *testing.T) {
	t.Parallel()
	readme, sections := readmeSections(t)
	root := newRootCmd(&streams{})
	root.InitDefaultHelpCmd()
	root.InitDefaultVersionFlag()
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			return
		}
		path := strings.TrimSpace(strings.TrimPrefix(c.CommandPath(), "rampart"))
		mention := "rampart"
		if path != "" {
			mention += " " + path
			if !strings.Contains(readme, mention) {
				missing = append(missing, "command `"+mention+"`: not mentioned in README.md")
			}
		}
		// The sections that document c: those that mention it or one of
		// its parents.
		var mine []string
		for p := c; p != nil; p = p.Parent() {
			name := strings.TrimSpace("rampart " + strings.TrimSpace(strings.TrimPrefix(p.CommandPath(), "rampart")))
			for _, s := range sections {
				if strings.Contains(s.text, name+" ") || strings.Contains(s.text, name+"`") || strings.Contains(s.text, name+"\n") {
					mine = append(mine, s.text)
				}
			}
		}
		if len(mine) == 0 {
			mine = []string{readme}
		}
		documented := func(f *pflag.Flag) bool {
			long := regexp.MustCompile(`(^|[^-\w])--` + regexp.QuoteMeta(f.Name) + `($|[^-\w])`)
			for _, text := range mine {
				if long.MatchString(text) {
					return true
				}
			}
			return false
		}
		seen := map[string]bool{}
		check := func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" || seen[f.Name] {
				return
			}
			seen[f.Name] = true
			if !documented(f) {
				missing = append(missing, "command `"+mention+"`: flag --"+f.Name+" is not documented in a README section about `"+mention+"`")
			}
		}
		c.LocalFlags().VisitAll(check)
		c.InheritedFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	sort.Strings(missing)
	for _, m := range missing {
		t.Error(m)
	}
}

// TestHelpPointsAtRealREADMESections: a help text that sends the reader to
// a README section (README.md, "Heading") names a heading that exists.
func TestHelpPointsAtRealREADMESections(t *testing.T) {
	t.Parallel()
	_, sections := readmeSections(t)
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "`", "")), " ") }
	headings := map[string]bool{}
	for _, s := range sections {
		headings[norm(s.heading)] = true
	}
	pointer := regexp.MustCompile(`README(?:\.md)?,\s*"([^"]+)"`)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		texts := []string{c.Short, c.Long}
		c.Flags().VisitAll(func(f *pflag.Flag) { texts = append(texts, f.Usage) })
		for _, text := range texts {
			for _, m := range pointer.FindAllStringSubmatch(text, -1) {
				if !headings[norm(m[1])] {
					t.Errorf("%s: help points at README section %q, which does not exist", c.CommandPath(), m[1])
				}
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(&streams{}))
}
