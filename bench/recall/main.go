// Command recall measures rampart's recall on other scanners' rule examples.
//
//	go run ./bench/recall [flags] [LABEL=]DIR...
//
// Each DIR is a directory of another scanner's YAML rules (Nosey Parker's
// crates/noseyparker/data/default/builtin/rules, Kingfisher's data/rules):
// files with a top-level `rules:` list whose entries carry a pattern,
// `examples` and sometimes `negative_examples`. Every example is run through
// rampart's detector in process (the built-in catalogue, no allow list), and
// the report says, overall, per peer and per provider, how many examples
// rampart finds. An example counts as found when a finding overlaps what the
// peer's own pattern captures (its patterns are Rust-dialect regexes in
// extended mode; the ones Go cannot compile credit any finding).
//
// Examples rampart rejects on purpose — placeholders, documented emulator
// keys, tokens whose checksum does not verify — are listed with the reason
// for a person to confirm, and left out of the recall denominator. Helper
// rules that capture an ID rather than a secret (`visible: false`) are
// skipped. Negative examples that rampart reports are listed as possible
// false positives.
//
// The peers' files are read where they lie and never copied into this
// repository. Examples are printed as the peers wrote them (they are their
// public documentation strings), cut to -width characters.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

type options struct {
	listMissed   bool
	listFound    bool
	listRejected bool
	providers    bool
	filter       string
	width        int
	format       string
	goRules      bool
	trufflehog   bool
}

func main() {
	var o options
	flag.BoolVar(&o.listMissed, "missed", true, "list every missed example, grouped by provider")
	flag.BoolVar(&o.listFound, "found", false, "also list every found example with the rampart rules that found it")
	flag.BoolVar(&o.listRejected, "rejected", true, "list the examples rampart rejects on purpose, with the reason")
	flag.BoolVar(&o.providers, "providers", true, "print the per-provider table")
	flag.StringVar(&o.filter, "provider", "", "only providers whose name contains this (case-insensitive)")
	flag.IntVar(&o.width, "width", 140, "cut printed examples to this many characters (0: no limit)")
	flag.StringVar(&o.format, "format", "text", "text, or json (every example's verdict)")
	flag.BoolVar(&o.goRules, "go", false, "read DIRs as Go rule files (gitleaks' cmd/generate/config/rules): the string-literal tps and fps examples")
	flag.BoolVar(&o.trufflehog, "trufflehog", false, "read DIRs as trufflehog's detectors (pkg/detectors): the inputs of each detector's pattern tests")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/recall [flags] [LABEL=]DIR...\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || o.format != "text" && o.format != "json" || o.goRules && o.trufflehog {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Stderr, flag.Args(), o); err != nil {
		fmt.Fprintln(os.Stderr, "recall:", err)
		os.Exit(2)
	}
}

// result is one example's verdict, with where it came from.
type result struct {
	Source   string   `json:"source"`
	Provider string   `json:"provider"`
	PeerRule string   `json:"peer_rule"`
	PeerName string   `json:"peer_name"`
	Negative bool     `json:"negative,omitempty"`
	Example  string   `json:"example"`
	Outcome  string   `json:"outcome"`
	Rules    []string `json:"rules,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// tally counts examples by outcome.
type tally struct{ found, rejected, missed int }

func (t *tally) add(o outcome) {
	switch o {
	case found:
		t.found++
	case rejected:
		t.rejected++
	default:
		t.missed++
	}
}

// counted is the recall denominator: rejected examples are left out.
func (t tally) counted() int { return t.found + t.missed }

func (t tally) recall() float64 {
	if t.counted() == 0 {
		return 0
	}
	return float64(t.found) / float64(t.counted())
}

func run(stdout, stderr io.Writer, args []string, o options) error {
	var peers []peerRule
	for _, a := range args {
		label, dir, ok := strings.Cut(a, "=")
		if !ok {
			label, dir = "", a
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s: not a directory of rules", dir)
		}
		rs, errs := loadDir(dir, label)
		switch {
		case o.goRules:
			rs, errs = loadGoDir(dir, label)
		case o.trufflehog:
			rs, errs = loadTrufflehogDir(dir, label)
		}
		for _, err := range errs {
			fmt.Fprintln(stderr, "recall: skipped:", err)
		}
		if len(rs) == 0 {
			return fmt.Errorf("%s: no rules with examples found", dir)
		}
		peers = append(peers, rs...)
	}
	cfg, err := scanner.DefaultConfig()
	if err != nil {
		return err
	}
	det := scanner.NewDetector(cfg.Rules, nil)
	byID := map[string]*patterns.Rule{}
	for _, r := range cfg.Rules {
		byID[r.ID] = r
	}

	// A peer's negative example for one rule is often a positive one of
	// another (a Slack user token is a negative of the bot-token rule): it
	// is a credential, and reporting it is no false positive.
	positive := map[string]bool{}
	for _, p := range peers {
		if !p.Hidden {
			for _, ex := range p.Examples {
				positive[strings.TrimSpace(ex)] = true
			}
		}
	}
	var results []result
	hidden, uncompiled := 0, 0
	var identifiers []string
	filter := strings.ToLower(o.filter)
	for _, p := range peers {
		if filter != "" && !strings.Contains(strings.ToLower(p.Provider), filter) {
			continue
		}
		if p.Hidden {
			hidden++
			continue
		}
		if p.Identifier {
			identifiers = append(identifiers, p.ID+" \""+p.Name+"\"")
			continue
		}
		re := compilePeer(p.Pattern)
		if re == nil {
			uncompiled++
		}
		for _, ex := range p.Examples {
			v := judge(det, byID, re, ex)
			results = append(results, result{Source: p.Source, Provider: p.Provider, PeerRule: p.ID, PeerName: p.Name,
				Example: ex, Outcome: outcomeName(v.Outcome), Rules: v.Rules, Reason: v.Reason})
		}
		for _, ex := range p.Negatives {
			if positive[strings.TrimSpace(ex)] {
				continue
			}
			fs := det.Detect(scanner.Chunk{Data: []byte(ex), Path: "example.txt", Kind: scanner.KindFile})
			r := result{Source: p.Source, Provider: p.Provider, PeerRule: p.ID, PeerName: p.Name, Negative: true, Example: ex, Outcome: "ignored"}
			if len(fs) > 0 {
				r.Outcome = "reported"
				for _, f := range fs {
					r.Rules = appendUnique(r.Rules, f.RuleID)
				}
			}
			results = append(results, r)
		}
	}
	if o.format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Rules   int      `json:"rampart_rules"`
			Results []result `json:"results"`
		}{len(cfg.Rules), results})
	}
	printText(stdout, o, results, len(peers), hidden, uncompiled, len(cfg.Rules), identifiers)
	return nil
}

func outcomeName(o outcome) string {
	return [...]string{"found", "rejected", "missed"}[o]
}

func outcomeOf(name string) outcome {
	switch name {
	case "found":
		return found
	case "rejected":
		return rejected
	}
	return missed
}

func printText(w io.Writer, o options, results []result, peerRules, hidden, uncompiled, rampartRules int, identifiers []string) {
	var all tally
	bySource := map[string]*tally{}
	byProvider := map[string]*tally{}
	providerRules := map[string][]string{}
	genericOnly := 0
	negatives, negReported := 0, 0
	for _, r := range results {
		if r.Negative {
			negatives++
			if r.Outcome == "reported" {
				negReported++
			}
			continue
		}
		oc := outcomeOf(r.Outcome)
		all.add(oc)
		if bySource[r.Source] == nil {
			bySource[r.Source] = &tally{}
		}
		bySource[r.Source].add(oc)
		if byProvider[r.Provider] == nil {
			byProvider[r.Provider] = &tally{}
		}
		byProvider[r.Provider].add(oc)
		if oc == found {
			generic := true
			for _, id := range r.Rules {
				providerRules[r.Provider] = appendUnique(providerRules[r.Provider], id)
				if !isGeneric(id) {
					generic = false
				}
			}
			if generic {
				genericOnly++
			}
		}
	}
	fmt.Fprintf(w, "rampart: %d rules; peers: %d rules (%d helper rules without secrets and %d identifier rules skipped; %d patterns Go cannot compile: any finding counts)\n",
		rampartRules, peerRules, hidden, len(identifiers), uncompiled)
	if o.listRejected && len(identifiers) > 0 {
		defer func() {
			fmt.Fprintf(w, "\nIdentifier rules skipped (their names say they capture a user name, an ID or a host, not a secret):\n")
			for _, id := range identifiers {
				fmt.Fprintf(w, "  %s\n", id)
			}
		}()
	}
	fmt.Fprintf(w, "recall %-12s %5d/%-5d = %5.1f%%   (rejected on purpose, not counted: %d; found only by generic rules: %d)\n",
		"all", all.found, all.counted(), 100*all.recall(), all.rejected, genericOnly)
	for _, s := range sortedKeys(bySource) {
		t := bySource[s]
		fmt.Fprintf(w, "recall %-12s %5d/%-5d = %5.1f%%   (rejected: %d)\n", s, t.found, t.counted(), 100*t.recall(), t.rejected)
	}
	none := 0
	for _, t := range byProvider {
		if t.found == 0 && t.counted() > 0 {
			none++
		}
	}
	fmt.Fprintf(w, "providers: %d, of which rampart finds nothing for %d\n", len(byProvider), none)
	fmt.Fprintf(w, "negative examples: %d, reported by rampart: %d\n", negatives, negReported)

	provs := sortedKeys(byProvider)
	sort.SliceStable(provs, func(i, j int) bool {
		a, b := byProvider[provs[i]], byProvider[provs[j]]
		if a.missed != b.missed {
			return a.missed > b.missed
		}
		return provs[i] < provs[j]
	})
	if o.providers {
		fmt.Fprintf(w, "\nPer provider (most missed first):\n  %-28s %6s %6s %6s %7s  %s\n", "PROVIDER", "FOUND", "MISSED", "REJECT", "RECALL", "RAMPART RULES")
		for _, p := range provs {
			t := byProvider[p]
			rec := "-"
			if t.counted() > 0 {
				rec = fmt.Sprintf("%.0f%%", 100*t.recall())
			}
			fmt.Fprintf(w, "  %-28s %6d %6d %6d %7s  %s\n", p, t.found, t.missed, t.rejected, rec, strings.Join(providerRules[p], ", "))
		}
	}
	section := func(title string, keep func(result) bool, detail func(result) string) {
		printed := false
		for _, p := range provs {
			var rs []result
			for _, r := range results {
				if r.Provider == p && keep(r) {
					rs = append(rs, r)
				}
			}
			if len(rs) == 0 {
				continue
			}
			if !printed {
				fmt.Fprintf(w, "\n%s:\n", title)
				printed = true
			}
			fmt.Fprintf(w, "  %s (%d)\n", p, len(rs))
			for _, r := range rs {
				fmt.Fprintf(w, "    %s %q: %s\n", r.PeerRule, r.PeerName, cut(r.Example, o.width))
				if d := detail(r); d != "" {
					fmt.Fprintf(w, "      %s\n", d)
				}
			}
		}
	}
	if o.listMissed {
		section("Missed examples, by provider", func(r result) bool { return !r.Negative && r.Outcome == "missed" },
			func(r result) string {
				if r.Reason == "" {
					return ""
				}
				return "dropped: " + r.Reason
			})
	}
	if o.listRejected {
		section("Rejected on purpose (confirm each is a placeholder or an invalid checksum)",
			func(r result) bool { return !r.Negative && r.Outcome == "rejected" },
			func(r result) string { return strings.Join(r.Rules, ", ") + ": " + r.Reason })
	}
	section("Negative examples rampart reports (possible false positives)",
		func(r result) bool { return r.Negative && r.Outcome == "reported" },
		func(r result) string { return "reported by " + strings.Join(r.Rules, ", ") })
	if o.listFound {
		section("Found examples", func(r result) bool { return !r.Negative && r.Outcome == "found" },
			func(r result) string { return "found by " + strings.Join(r.Rules, ", ") })
	}
}

// isGeneric reports rules that find a credential by its context (a
// password assignment, a bearer header) rather than by its provider's
// format.
func isGeneric(id string) bool {
	return strings.HasPrefix(id, "generic-")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cut shortens s to width runes on one line, so a multi-line example stays
// readable in a list.
func cut(s string, width int) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", "⏎")
	if width <= 0 {
		return s
	}
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width]) + "…"
}
