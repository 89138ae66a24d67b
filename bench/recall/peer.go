package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A peerRule is one rule of another scanner's catalogue, reduced to what the
// harness needs: who wrote it, which provider it is for, its pattern and its
// examples.
type peerRule struct {
	// Source is the peer that wrote the rule ("np", "kingfisher"): the first
	// dot-separated part of the rule's id, or the directory's label.
	Source string
	// Provider is the rule file's base name without extension: both peers
	// keep one file per provider (adafruitio.yml, sonarqube.yml).
	Provider string
	File     string
	Name     string
	ID       string
	Pattern  string
	// Examples should each hold a credential; Negatives should hold none.
	Examples  []string
	Negatives []string
	// Hidden marks a helper rule (`visible: false`): it captures something
	// another rule needs for validation (an account or application ID), not a
	// secret, so its examples are not counted.
	Hidden bool
	// Identifier marks a rule whose name says it captures an identifier
	// (a user name, a client or account ID, a host): not a secret, so its
	// examples are not counted either (identifierName).
	Identifier bool
}

// identifierWords in a rule's name say it captures an identifier; secretWords
// say it captures a credential, whatever else the name says.
var (
	identifierNameRE = regexp.MustCompile(`(?i)\b(?:user ?names?|user ?ids?|logins?|client ids?|app(?:lication)? ids?|account (?:ids?|sids?|names?)|tenant(?: ids?)?|org(?:ani[sz]ation)? ids?|project ids?|workspace ids?|customer ids?|merchant ids?|site ids?|cluster ids?|instance(?: ids?)?|host ?names?|hosts?|endpoints?|urls?|domains?|sub-?domains?|e-?mails?|regions?|public keys?|publishable keys?|identifiers?|ids?|buckets?|resource names?|arns?)\b`)
	secretNameRE     = regexp.MustCompile(`(?i)\b(?:secrets?|tokens?|passwords?|passwds?|passphrases?|credentials?|creds|pats?|api ?keys?|private keys?|access keys?|secret keys?|signing keys?|auth(?:entication|orization)?|webhooks?|connection strings?|dsn|reporter ids?)\b`)
)

// identifierName reports whether a rule's name says it captures an
// identifier only ("React App Username", "Twilio Account SID", "Auth0
// Client ID"), not a credential ("Auth0 Client Secret", "Slack Webhook").
func identifierName(name string) bool {
	return identifierNameRE.MatchString(name) && !secretNameRE.MatchString(name)
}

// yamlFile is the shape both peers use: a top-level `rules:` list.
type yamlFile struct {
	Rules []yamlRule `yaml:"rules"`
}

type yamlRule struct {
	Name             string   `yaml:"name"`
	ID               string   `yaml:"id"`
	Pattern          string   `yaml:"pattern"`
	Examples         []string `yaml:"examples"`
	NegativeExamples []string `yaml:"negative_examples"`
	NonExamples      []string `yaml:"non_examples"`
	Visible          *bool    `yaml:"visible"`
}

// parseRules decodes one rule file. label, when set, overrides the source
// taken from rule ids. A file without a `rules:` list yields no rules and no
// error (rule directories also hold rulesets and other YAML).
func parseRules(path, label string, data []byte) ([]peerRule, error) {
	var f yamlFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	base := filepath.Base(path)
	provider := strings.TrimSuffix(strings.TrimSuffix(base, ".yml"), ".yaml")
	var out []peerRule
	for i, r := range f.Rules {
		if r.ID == "" && r.Pattern == "" && len(r.Examples) == 0 {
			continue
		}
		src := label
		if src == "" {
			src, _, _ = strings.Cut(r.ID, ".")
		}
		if src == "" {
			src = "unknown"
		}
		id := r.ID
		if id == "" {
			id = fmt.Sprintf("%s#%d", base, i+1)
		}
		out = append(out, peerRule{
			Source:     src,
			Provider:   provider,
			File:       path,
			Name:       strings.TrimSpace(r.Name),
			ID:         id,
			Pattern:    r.Pattern,
			Examples:   nonEmpty(r.Examples),
			Negatives:  nonEmpty(append(append([]string(nil), r.NegativeExamples...), r.NonExamples...)),
			Hidden:     r.Visible != nil && !*r.Visible,
			Identifier: identifierName(r.Name),
		})
	}
	return out, nil
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// loadDir reads every .yml and .yaml file under dir. A file that does not
// parse is reported and skipped; the rest still load.
func loadDir(dir, label string) ([]peerRule, []error) {
	return walkRules(dir, label, func(path string) bool {
		ext := filepath.Ext(path)
		return ext == ".yml" || ext == ".yaml"
	}, parseRules)
}

// walkRules parses every file under dir that want accepts, collecting the
// errors of the files it cannot read or parse (the rest still load), and
// returns the rules sorted by file.
func walkRules(dir, label string, want func(path string) bool, parse func(path, label string, data []byte) ([]peerRule, error)) ([]peerRule, []error) {
	var rules []peerRule
	var errs []error
	walkErr := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if d.IsDir() || !want(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		rs, err := parse(path, label, data)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		rules = append(rules, rs...)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	sort.SliceStable(rules, func(i, j int) bool { return rules[i].File < rules[j].File })
	return rules, errs
}
