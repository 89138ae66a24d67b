package main

import (
	"regexp"
	"sort"
	"strings"

	"github.com/rampart-sec/rampart/patterns"
	"github.com/rampart-sec/rampart/scanner"
)

// outcome is what rampart made of one peer example.
type outcome int

const (
	found    outcome = iota // a finding overlaps what the peer calls the secret
	rejected                // dropped on purpose: a placeholder or an invalid checksum
	missed                  // nothing, or only findings elsewhere on the line
)

// verdict is the judgement of one example.
type verdict struct {
	Outcome outcome
	// Rules are the rampart rules that found the example (found), or the
	// rule that rejected it (rejected).
	Rules []string
	// Reason is why the example was rejected, or for a miss what dropped
	// candidates on it ("" when no rule matched at all).
	Reason string
}

// judge runs the detector over one example and decides whether rampart
// found what the peer's pattern (re, nil when it does not compile in Go)
// calls the secret.
func judge(det *scanner.Detector, rules map[string]*patterns.Rule, re *regexp.Regexp, example string) verdict {
	spans := peerSpans(re, example)
	var drops []scanner.Drop
	fs := det.DetectExplain(scanner.Chunk{Data: []byte(example), Path: "example.txt", Kind: scanner.KindFile},
		func(d scanner.Drop) { drops = append(drops, d) })
	var by []string
	for _, f := range fs {
		if overlapsSpans(example, f.Secret, spans) {
			by = appendUnique(by, f.RuleID)
		}
	}
	if len(by) > 0 {
		sort.Strings(by)
		return verdict{Outcome: found, Rules: by}
	}
	var reasons []string
	for _, d := range drops {
		secrets := dropSecrets(rules[d.RuleID], example, d.Secret)
		relevant := len(secrets) == 0 // found in a decoded view: cannot place it
		for _, s := range secrets {
			if overlapsSpans(example, s, spans) {
				relevant = true
				if why := deliberate(d.Reason, s); why != "" {
					return verdict{Outcome: rejected, Rules: []string{d.RuleID}, Reason: why}
				}
			}
		}
		if relevant {
			reasons = appendUnique(reasons, d.RuleID+": "+d.Reason)
		}
	}
	// No rule saw it, or none on purpose: judge what the peer itself calls
	// the secret. A value that is a placeholder or a variable reference by
	// rampart's rules ($Password, %nothing%, #{datastore['DBPASSWORD']},
	// <your-token>, xxxx…) is not a credential whichever tool reads it.
	for _, sp := range spans {
		if why := placeholderValue(example[sp[0]:sp[1]]); why != "" {
			return verdict{Outcome: rejected, Reason: "the example's own secret is " + why}
		}
	}
	return verdict{Outcome: missed, Reason: strings.Join(reasons, "; ")}
}

// variableRefRE matches a value that is a reference to a value held
// elsewhere: shell and batch variables, template and interpolation forms.
var variableRefRE = regexp.MustCompile(`^(?:\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^}]*\}|%[A-Za-z_][A-Za-z0-9_]*%|#\{.*\}|\{\{.*\}\}|<[^<>]+>|\[[A-Z_ -]+\])$`)

// placeholderValue says why a peer's captured secret is not a credential by
// rampart's built-in judgement (a placeholder, a variable reference), or "".
func placeholderValue(v string) string {
	v = strings.Trim(strings.TrimSpace(v), `"'`)
	if v == "" {
		return ""
	}
	if variableRefRE.MatchString(v) {
		return "a variable reference (" + v + ")"
	}
	if p := patterns.Placeholder([]byte(v)); p != "" {
		return "a placeholder (" + p + ")"
	}
	return ""
}

// deliberate says why a drop is rampart refusing a value on purpose (and so
// not a miss), or "" when the drop is a plain miss. Placeholders, vendor-
// documented emulator keys, tokens whose checksum does not verify or whose
// structure does not decode (a Grafana key that is not base64 JSON, a "JWT"
// whose header is not JSON: made-up values), fixture
// and default passwords ("secret", "myPassword", "hunter2") and template
// variables are deliberate; an entropy floor is deliberate only when the
// value is a placeholder (xxxx…, repeated or sequential characters).
func deliberate(reason, secret string) string {
	switch {
	case strings.HasPrefix(reason, "not-placeholder"),
		strings.HasPrefix(reason, "built-in allow list"),
		strings.HasPrefix(reason, "not-documented"),
		strings.HasPrefix(reason, "not-stopword"),
		strings.HasPrefix(reason, "not-code: template variable"),
		strings.HasPrefix(reason, "not-code: variable"):
		return reason
	case strings.Contains(reason, "checksum"),
		strings.HasPrefix(reason, "base64-json:"),
		strings.HasPrefix(reason, "jwt: not a JWT"),
		strings.HasPrefix(reason, "jwt: jwt.io's sample claims"):
		return reason
	case strings.Contains(reason, "weak or fixture password"),
		strings.Contains(reason, "default password"),
		strings.Contains(reason, "password equals user name"),
		strings.Contains(reason, "password: stopword"), strings.Contains(reason, "url-password: stopword"),
		strings.Contains(reason, "password: placeholder"), strings.Contains(reason, "url-password: placeholder"),
		strings.Contains(reason, "password: template variable"), strings.Contains(reason, "url-password: template variable"):
		return reason
	case reason == "entropy below floor":
		if p := patterns.Placeholder([]byte(secret)); p != "" {
			return "entropy below floor, a placeholder (" + p + ")"
		}
	}
	return ""
}

// dropSecrets finds the values a dropped candidate could be: the rule's
// secret group over the example, narrowed to those whose redacted form is
// what the drop shows (drops carry only a redacted secret).
func dropSecrets(r *patterns.Rule, example, redacted string) []string {
	if r == nil {
		return nil
	}
	re := r.Regex()
	var out []string
	for _, m := range re.FindAllStringSubmatchIndex(example, -1) {
		g := r.SecretGroupIn(m)
		if 2*g+1 >= len(m) || m[2*g] < 0 {
			continue
		}
		s := example[m[2*g]:m[2*g+1]]
		if scanner.Redact(s) == redacted {
			out = append(out, s)
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
