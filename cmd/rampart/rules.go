package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// rulesOptions are the flags of `rampart rules` and `rampart rules show`.
type rulesOptions struct {
	config string
	format string
}

func newRulesCmd(s *streams) *cobra.Command {
	o := &rulesOptions{}
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the detection rules: the built-in catalogue plus your configuration's",
		Long: "List every rule with its severity and description. Rules from --config (or .rampart.toml)\n" +
			"are included and rules it disables are marked. `rampart rules show ID` prints one rule.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErr("rules: unexpected argument %q (did you mean `rampart rules show %s`?)", args[0], args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := loadCatalogue(cmd, o)
			if err != nil {
				return err
			}
			if o.format == "json" {
				return writeRulesJSON(s.out, cat)
			}
			return writeRulesText(s.out, cat)
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&o.config, "config", "", "configuration `FILE` (default: .rampart.toml at the repository root)")
	pf.StringVar(&o.format, "format", "text", "output format: text or json")

	show := &cobra.Command{
		Use:   "show ID",
		Short: "Print one rule with its examples, and check each against the live detector",
		Long: "Print a rule's description, severity, keywords, regex, entropy floor, validators, context and\n" +
			"remediation, then run the detector (with your configuration) over each of its examples and\n" +
			"counterexamples. Exit status 1 if an example is missed or a counterexample reported.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("rules show: want exactly one rule ID (see `rampart rules`)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := loadCatalogue(cmd, o)
			if err != nil {
				return err
			}
			e := cat.find(args[0])
			if e == nil {
				msg := fmt.Sprintf("rules show: no rule %q", args[0])
				if sug := suggestIDs(args[0], cat.ids()); len(sug) > 0 {
					msg += " (did you mean " + quoteJoin(sug) + "?)"
				}
				return &exitErr{code: exitError, err: fmt.Errorf("%s", msg)}
			}
			if e.file != nil {
				return writeFileRule(s.out, o.format, e)
			}
			rep := cat.check(e)
			if o.format == "json" {
				err = writeRuleJSON(s.out, rep)
			} else {
				err = writeRuleText(s.out, rep)
			}
			if err != nil {
				return err
			}
			if !rep.passed() {
				return findingsExit()
			}
			return nil
		},
	}
	cmd.AddCommand(show)
	return cmd
}

// catEntry is one rule as `rampart rules` shows it.
type catEntry struct {
	rule *patterns.Rule
	// file, when set, is a credential-file rule; rule then only carries
	// its ID, severity and description for the listing.
	file     *patterns.FileRule
	source   string // "built-in" or the configuration file
	disabled bool
}

// catalogue is the built-in rules and the configuration's, in order.
type catalogue struct {
	entries []catEntry
	cfg     *scanner.Config
	// det is the configured detector, built on first use and shared by the
	// checks of every enabled rule (building it costs as much as checking
	// a few hundred rules).
	det *scanner.Detector
}

func loadCatalogue(cmd *cobra.Command, o *rulesOptions) (*catalogue, error) {
	if o.format != "text" && o.format != "json" {
		return nil, usageErr("unknown format %q (want text or json)", o.format)
	}
	so := &scanOptions{config: o.config}
	loc, err := locate(cmd.Context(), so, ".")
	if err != nil {
		return nil, err
	}
	cfg, err := loadScanConfig(so, loc)
	if err != nil {
		return nil, &exitErr{code: exitError, err: fmt.Errorf("load configuration: %w", err)}
	}
	builtin, err := patterns.Builtin()
	if err != nil {
		return nil, &exitErr{code: exitError, err: err}
	}
	enabled := map[string]bool{}
	for _, r := range cfg.Rules {
		enabled[r.ID] = true
	}
	cat := &catalogue{cfg: cfg}
	isBuiltin := map[string]bool{}
	for _, r := range builtin {
		isBuiltin[r.ID] = true
		cat.entries = append(cat.entries, catEntry{rule: r, source: "built-in", disabled: !enabled[r.ID]})
	}
	fileOn := map[string]bool{}
	for _, r := range cfg.FileRules {
		fileOn[r.ID] = true
	}
	for _, r := range patterns.FileRules() {
		listed := &patterns.Rule{ID: r.ID, Severity: r.Severity, Description: r.Description + " [a file: by its name and content]"}
		cat.entries = append(cat.entries, catEntry{rule: listed, file: r, source: "built-in", disabled: !fileOn[r.ID]})
	}
	for _, r := range cfg.Rules {
		if !isBuiltin[r.ID] {
			cat.entries = append(cat.entries, catEntry{rule: r, source: cfg.File})
		}
	}
	return cat, nil
}

func (c *catalogue) find(id string) *catEntry {
	for i := range c.entries {
		if c.entries[i].rule.ID == id {
			return &c.entries[i]
		}
	}
	return nil
}

func (c *catalogue) ids() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.rule.ID
	}
	return out
}

func writeRulesText(w io.Writer, cat *catalogue) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tDESCRIPTION")
	var nBuiltin, nConfig, nDisabled int
	for _, e := range cat.entries {
		note := ""
		switch {
		case e.disabled:
			nDisabled++
			note = "  [disabled by " + cat.cfg.File + "]"
		case e.source == "built-in":
			nBuiltin++
		default:
			nConfig++
			note = "  [" + e.source + "]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", e.rule.ID, e.rule.Severity, printable(e.rule.Description), printable(note))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	summary := fmt.Sprintf("\n%d rules enabled: %d built-in", nBuiltin+nConfig, nBuiltin)
	if cat.cfg.File != "" {
		summary += fmt.Sprintf(", %d from %s, %d disabled", nConfig, printable(cat.cfg.File), nDisabled)
	}
	_, err := fmt.Fprintf(w, "%s. `rampart rules show ID` prints one rule with its examples.\n", summary)
	return err
}

type ruleJSON struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
	Source      string `json:"source"`
	Enabled     bool   `json:"enabled"`
}

func writeRulesJSON(w io.Writer, cat *catalogue) error {
	doc := struct {
		Rules []ruleJSON `json:"rules"`
	}{Rules: []ruleJSON{}}
	for _, e := range cat.entries {
		doc.Rules = append(doc.Rules, ruleJSON{ID: e.rule.ID, Severity: e.rule.Severity.String(), Description: e.rule.Description, Source: e.source, Enabled: !e.disabled})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// exampleResult is what the live detector made of one example or counterexample.
type exampleResult struct {
	Text string `json:"text"`
	// Found: this rule reported it.
	Found bool `json:"found"`
	// OtherRules reported it instead of (or as well as) this rule.
	OtherRules []string `json:"other_rules,omitempty"`
	// Dropped lists why this rule's candidates were dropped.
	Dropped []string `json:"dropped,omitempty"`
}

// ruleReport is a rule plus its self-check.
type ruleReport struct {
	entry catEntry
	// path is where the examples were checked ("" when the rule's path
	// filter accepts nothing rampart could make up).
	path            string
	examples        []exampleResult
	counterexamples []exampleResult
}

func (r *ruleReport) passed() bool {
	for _, e := range r.examples {
		if !e.Found && len(e.OtherRules) == 0 {
			return false
		}
	}
	for _, e := range r.counterexamples {
		if e.Found {
			return false
		}
	}
	return true
}

// check runs the configured detector (with e's rule enabled even if the
// configuration disables it) over e's examples and counterexamples.
func (c *catalogue) check(e *catEntry) *ruleReport {
	if c.det == nil {
		c.det = scanner.NewDetector(c.cfg.Rules, c.cfg.Allow)
	}
	d := c.det
	if e.disabled {
		rules := append(append([]*patterns.Rule(nil), c.cfg.Rules...), e.rule)
		d = scanner.NewDetector(rules, c.cfg.Allow)
	}
	// Examples are checked where the rule reads: at the path its author
	// gave them (example_path), or one made up from its path filter.
	path, pathOK := e.rule.ExamplePath, true
	if path == "" {
		path, pathOK = examplePath(e.rule.Path)
	}
	run := func(text string) exampleResult {
		res := exampleResult{Text: text}
		if !pathOK {
			res.Dropped = []string{"no path this rule's path filter accepts could be made up to check it"}
			return res
		}
		chunk := scanner.Chunk{Data: []byte(text), Kind: scanner.KindFile, Path: path}
		for _, f := range d.DetectExplain(chunk, func(dr scanner.Drop) {
			if dr.RuleID == e.rule.ID {
				res.Dropped = append(res.Dropped, dr.Reason)
			}
		}) {
			if f.RuleID == e.rule.ID {
				res.Found = true
			} else {
				res.OtherRules = append(res.OtherRules, f.RuleID)
			}
		}
		res.OtherRules = uniqueSorted(res.OtherRules)
		res.Dropped = uniqueSorted(res.Dropped)
		return res
	}
	rep := &ruleReport{entry: *e, path: path}
	for _, x := range e.rule.Examples {
		rep.examples = append(rep.examples, run(x))
	}
	for _, x := range e.rule.Counterexamples {
		rep.counterexamples = append(rep.counterexamples, run(x))
	}
	return rep
}

func writeRuleText(w io.Writer, rep *ruleReport) error {
	r := rep.entry.rule
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n", r.ID, printable(r.Description))
	field := func(name, value string) { fmt.Fprintf(&b, "  %-14s %s\n", name+":", value) }
	field("severity", r.Severity.String())
	src := rep.entry.source
	if rep.entry.disabled {
		src += " (disabled by configuration; checked below as if enabled)"
	}
	field("source", printable(src))
	if len(r.Keywords) > 0 {
		field("keywords", printable(strings.Join(r.Keywords, ", ")))
	} else {
		field("keywords", "none (the regex runs over all content)")
	}
	field("regex", printable(r.Source))
	if r.SecretGroup() > 0 {
		field("secret", "the `secret` group")
	} else {
		field("secret", "the whole match")
	}
	if r.Entropy > 0 {
		field("entropy", fmt.Sprintf("at least %s bits per byte", strconv.FormatFloat(r.Entropy, 'f', -1, 64)))
	} else {
		field("entropy", "not checked")
	}
	var vnames []string
	for _, v := range r.Validators {
		vnames = append(vnames, v.Name)
	}
	if len(vnames) == 0 {
		vnames = []string{"none"}
	}
	field("validators", strings.Join(vnames, ", "))
	if r.MaxLength > 0 {
		field("max length", fmt.Sprintf("%d bytes", r.MaxLength))
	}
	field("context lines", strconv.Itoa(r.ContextLines))
	if r.Requires != "" {
		field("requires", fmt.Sprintf("a %s finding within %d lines", r.Requires, r.ContextLines))
	}
	if r.Path != nil {
		where := "examples checked as " + rep.path
		if rep.path == "" {
			where = "examples cannot be checked: no path this filter accepts could be made up"
		}
		field("paths", printable(r.Path.String())+"  ("+printable(where)+")")
	}
	if r.Remediation != "" {
		field("remediation", printable(r.Remediation))
	}
	if vr := describeVerifier(rep.entry); vr.Endpoint != "" {
		field("verify", vr.Endpoint)
		field("learns", vr.Learns)
		if vr.Note != "" {
			field("why safe", vr.Note)
		}
		field("override", strings.Join(vr.Overrides, " or "))
	} else {
		field("verify", vr.Note)
	}

	found, ignored := 0, 0
	fmt.Fprintf(&b, "\nExamples (each must be found):\n")
	if len(rep.examples) == 0 {
		b.WriteString("  none\n")
	}
	for _, x := range rep.examples {
		mark, note := "found", ""
		switch {
		case x.Found:
			found++
		case len(x.OtherRules) > 0:
			found++
			mark, note = "found", "reported as "+strings.Join(x.OtherRules, ", ")
		default:
			mark = "MISSED"
			if len(x.Dropped) > 0 {
				note = "dropped: " + strings.Join(x.Dropped, "; ")
			} else {
				note = "the regex did not match"
			}
		}
		writeExample(&b, mark, x.Text, note)
	}
	fmt.Fprintf(&b, "\nCounterexamples (none may be found):\n")
	if len(rep.counterexamples) == 0 {
		b.WriteString("  none\n")
	}
	for _, x := range rep.counterexamples {
		mark, note := "ignored", ""
		if x.Found {
			mark = "REPORTED"
		} else {
			ignored++
			if len(x.Dropped) > 0 {
				note = "dropped: " + strings.Join(x.Dropped, "; ")
			}
		}
		if len(x.OtherRules) > 0 {
			if note != "" {
				note += "; "
			}
			note += "reported by " + strings.Join(x.OtherRules, ", ")
		}
		writeExample(&b, mark, x.Text, note)
	}
	verdict := "ok"
	if !rep.passed() {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "\nSelf-check %s: %d/%d examples found, %d/%d counterexamples ignored.\n",
		verdict, found, len(rep.examples), ignored, len(rep.counterexamples))
	_, err := io.WriteString(w, b.String())
	return err
}

// writeExample prints one example: the mark, the text (multi-line texts
// continue indented under it) and a note. Examples are fake by
// construction, so they are printed in full.
func writeExample(b *strings.Builder, mark, text, note string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		if i == 0 {
			fmt.Fprintf(b, "  %-9s %s\n", mark, printable(l))
		} else {
			fmt.Fprintf(b, "  %-9s %s\n", "", printable(l))
		}
	}
	if note != "" {
		fmt.Fprintf(b, "  %-9s   (%s)\n", "", printable(note))
	}
}

type ruleDetailJSON struct {
	ruleJSON
	Keywords        []string        `json:"keywords"`
	Regex           string          `json:"regex"`
	SecretGroup     string          `json:"secret_group"`
	Entropy         float64         `json:"entropy"`
	Validators      []string        `json:"validators"`
	MaxLength       int             `json:"max_length,omitempty"`
	ContextLines    int             `json:"context_lines"`
	Requires        string          `json:"requires,omitempty"`
	Path            string          `json:"path,omitempty"`
	ExamplePath     string          `json:"example_path,omitempty"`
	Remediation     string          `json:"remediation"`
	Examples        []exampleResult `json:"examples"`
	Counterexamples []exampleResult `json:"counterexamples"`
	Passed          bool            `json:"passed"`
	Verify          ruleVerifier    `json:"verify"`
}

func writeRuleJSON(w io.Writer, rep *ruleReport) error {
	r := rep.entry.rule
	doc := ruleDetailJSON{
		ruleJSON:        ruleJSON{ID: r.ID, Severity: r.Severity.String(), Description: r.Description, Source: rep.entry.source, Enabled: !rep.entry.disabled},
		Keywords:        append([]string{}, r.Keywords...),
		Regex:           r.Source,
		SecretGroup:     "match",
		Entropy:         r.Entropy,
		Validators:      []string{},
		MaxLength:       r.MaxLength,
		ContextLines:    r.ContextLines,
		Requires:        r.Requires,
		Remediation:     r.Remediation,
		Examples:        append([]exampleResult{}, rep.examples...),
		Counterexamples: append([]exampleResult{}, rep.counterexamples...),
		Passed:          rep.passed(),
		Verify:          describeVerifier(rep.entry),
	}
	if r.SecretGroup() > 0 {
		doc.SecretGroup = "secret"
	}
	for _, v := range r.Validators {
		doc.Validators = append(doc.Validators, v.Name)
	}
	if r.Path != nil {
		doc.Path, doc.ExamplePath = r.Path.String(), rep.path
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// suggestIDs returns the IDs closest to id: those within a small edit
// distance, else those containing it, at most three.
func suggestIDs(id string, ids []string) []string {
	id = strings.ToLower(id)
	type cand struct {
		id   string
		dist int
	}
	var close []cand
	limit := len(id) / 3
	if limit < 2 {
		limit = 2
	}
	for _, c := range ids {
		if d := scanner.EditDistance(id, c); d <= limit {
			close = append(close, cand{c, d})
		}
	}
	if len(close) == 0 && len(id) >= 3 {
		for _, c := range ids {
			if strings.Contains(c, id) {
				close = append(close, cand{c, len(c) - len(id)})
			}
		}
	}
	sort.SliceStable(close, func(i, j int) bool {
		if close[i].dist != close[j].dist {
			return close[i].dist < close[j].dist
		}
		return close[i].id < close[j].id
	})
	var out []string
	for i := 0; i < len(close) && i < 3; i++ {
		out = append(out, close[i].id)
	}
	return out
}

func quoteJoin(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	if len(q) <= 1 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func uniqueSorted(list []string) []string {
	if len(list) == 0 {
		return nil
	}
	sort.Strings(list)
	out := list[:1]
	for _, s := range list[1:] {
		if s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	return out
}

// printable escapes control characters (a rule file or example could hold
// terminal escape sequences) and leaves everything else as written.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeFileRule prints a credential-file rule: it has no regex or examples
// to check, only the names and formats it knows.
func writeFileRule(w io.Writer, format string, e *catEntry) error {
	r := e.file
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			ID          string   `json:"id"`
			Kind        string   `json:"kind"`
			Severity    string   `json:"severity"`
			Description string   `json:"description"`
			Names       []string `json:"names"`
			Remediation string   `json:"remediation"`
			Enabled     bool     `json:"enabled"`
		}{r.ID, "file", r.Severity.String(), r.Description, r.Names, r.Remediation, !e.disabled})
	}
	_, err := fmt.Fprintf(w, "%s  (%s, built-in credential-file rule)\n  %s\n  names:       %s\n  judged by:   the file's first bytes (magic number and structure), whatever its name, in\n               directory scans; in diffs (--staged, ranges, pushes) binary files under these names\n  fix:         %s\n",
		r.ID, r.Severity, r.Description, strings.Join(r.Names, " "), r.Remediation)
	return err
}
