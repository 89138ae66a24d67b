package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/rampart-sec/rampart/scanner"
	"github.com/rampart-sec/rampart/verify"
	"github.com/rampart-sec/rampart/verify/canary"
)

// verifyOptions are the live-verification flags of `rampart scan`.
type verifyOptions struct {
	on       bool
	results  string
	workers  int
	cache    string
	cacheTTL time.Duration
}

func (o *verifyOptions) bind(f *pflag.FlagSet) {
	f.BoolVar(&o.on, "verify", false, "check each distinct credential with its provider's read-only identity call (sends secrets to their own providers only)")
	f.StringVar(&o.results, "results", "", "with --verify: report only findings whose status is in `LIST` (valid,unknown,invalid,not-checked; default all)")
	f.IntVar(&o.workers, "verify-workers", verify.DefaultWorkers, "with --verify: credentials checked at once")
	f.StringVar(&o.cache, "verify-cache", "", "with --verify: keep answers in `DIR` (fingerprints, status and identity; never secrets)")
	f.DurationVar(&o.cacheTTL, "verify-cache-ttl", verify.DefaultCacheTTL, "with --verify-cache: how long an answer is trusted")
}

// hookMode reports whether the scan is one a git hook runs.
func (o *scanOptions) hookMode() bool { return o.staged || o.prePush || o.commitMsg != "" }

// checkVerifyFlags validates the verification flags before anything is read.
func checkVerifyFlags(o *scanOptions) error {
	v := &o.verify
	if v.results != "" && !v.on {
		return usageErr("--results chooses among verification statuses: it needs --verify")
	}
	if _, err := parseResults(v.results); err != nil {
		return usageErr("--results: %v", err)
	}
	if v.workers < 1 {
		return usageErr("--verify-workers must be at least 1")
	}
	if v.cache != "" && !v.on {
		return usageErr("--verify-cache needs --verify")
	}
	if v.cacheTTL <= 0 {
		return usageErr("--verify-cache-ttl must be positive")
	}
	return nil
}

// parseResults parses --results into a set of statuses (nil: all).
func parseResults(list string) (map[scanner.VerifyStatus]bool, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	set := map[scanner.VerifyStatus]bool{}
	for _, p := range strings.Split(list, ",") {
		st := scanner.VerifyStatus(strings.ToLower(strings.TrimSpace(p)))
		known := false
		for _, k := range scanner.VerifyStatuses {
			known = known || k == st
		}
		if !known {
			return nil, fmt.Errorf("unknown status %q (want valid, unknown, invalid, not-checked)", p)
		}
		set[st] = true
	}
	return set, nil
}

// checkFindings marks canary tokens (always, offline), then verifies when
// asked, and keeps only the statuses --results names. In a hook, it
// verifies only when the configuration says in_hooks, within its budget.
func checkFindings(ctx context.Context, o *scanOptions, s *streams, cfg *scanner.Config, res *scanner.Result) error {
	canaries, err := canary.New(cfg.Verify.CanaryAccounts)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	canary.Mark(res.Findings, canaries)
	if !o.verify.on && !(o.hookMode() && cfg.Verify.InHooks) {
		return nil
	}
	if o.hookMode() && !cfg.Verify.InHooks {
		if !o.quiet {
			fmt.Fprintln(s.err, "rampart: --verify is off in git hooks unless .rampart.toml sets [verify] in_hooks = true")
		}
		return nil
	}
	opts := verify.Options{
		Workers:   o.verify.workers,
		Canaries:  canaries,
		Rules:     cfg.Rules,
		UserAgent: "rampart/" + version + " (secret verification)",
	}
	if api := o.orgScan.apiURL; api != "" {
		// The repositories scanned are that GitHub Enterprise Server's,
		// and so are the GitHub tokens in them: they are checked there,
		// never at api.github.com. The flag names this run's server; the
		// environment's GITHUB_API_URL names the one a workflow runs on.
		opts.Getenv = func(k string) string {
			if k == "GITHUB_API_URL" {
				return api
			}
			return os.Getenv(k)
		}
	}
	if o.hookMode() {
		opts.Budget = cfg.Verify.HookBudget
	}
	if o.verify.cache != "" {
		c, err := verify.OpenCache(o.verify.cache, o.verify.cacheTTL)
		if err != nil {
			return &exitErr{code: exitError, err: err}
		}
		opts.Cache = c
	}
	v, err := verify.New(opts)
	if err != nil {
		return &exitErr{code: exitError, err: err}
	}
	sum := v.Verify(ctx, res.Findings)
	if opts.Cache != nil {
		if err := opts.Cache.Save(); err != nil {
			fmt.Fprintf(s.err, "rampart: %v\n", err)
		}
	}
	res.Stats.Note(verifySummary(sum))
	want, _ := parseResults(o.verify.results)
	if want != nil {
		kept := res.Findings[:0]
		for _, f := range res.Findings {
			if f.Verification != nil && want[f.Verification.Status] {
				kept = append(kept, f)
			}
		}
		if hidden := len(res.Findings) - len(kept); hidden > 0 {
			res.Stats.Note(fmt.Sprintf("%d %s not shown (--results %s)", hidden, pluralize(hidden, "finding", "findings"), o.verify.results))
		}
		res.Findings = kept
	}
	return nil
}

// verifySummary is the note a verified scan carries: what was checked, the
// outcome per status, and what it cost.
func verifySummary(sum verify.Summary) string {
	var parts []string
	for _, st := range scanner.VerifyStatuses {
		if n := sum.Findings[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	msg := fmt.Sprintf("verified %d distinct %s with %d %s in %s", sum.Credentials, pluralize(sum.Credentials, "credential", "credentials"),
		sum.Requests, pluralize(sum.Requests, "request", "requests"), sum.Duration.Round(time.Millisecond))
	if sum.Cached > 0 {
		msg += fmt.Sprintf(" (%d from the cache)", sum.Cached)
	}
	if len(parts) > 0 {
		msg += "; findings: " + strings.Join(parts, ", ")
	}
	return msg
}

// ruleVerifier describes, for `rampart rules show`, what --verify does with
// a rule's findings: the endpoint it calls and what it learns, or why
// nothing is sent.
type ruleVerifier struct {
	Endpoint string `json:"endpoint,omitempty"`
	Learns   string `json:"learns,omitempty"`
	Note     string `json:"note,omitempty"`
	// Overrides are the environment variables that redirect the endpoint.
	Overrides []string `json:"overrides,omitempty"`
}

func describeVerifier(e catEntry) ruleVerifier {
	if e.source != "built-in" {
		return ruleVerifier{Note: "none: rules from a configuration file are never verified (a secret goes only to the provider a built-in rule was written for)"}
	}
	ep, learns, ok, why := verify.Endpoint(e.rule.ID)
	if !ok {
		if why == "" {
			why = "none: findings of this rule are not-checked"
		} else {
			why = "none: " + why
		}
		return ruleVerifier{Note: why}
	}
	return ruleVerifier{Endpoint: ep, Learns: learns, Note: why, Overrides: verify.Overrides(e.rule.ID)}
}
