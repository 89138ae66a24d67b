package scanner

import (
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/patterns"
)

// DefaultHookBudget bounds verification in a git hook, when the
// configuration turns it on there: a slow provider must not hold a commit.
const DefaultHookBudget = 3 * time.Second

// RawVerify is the [verify] table of .rampart.toml.
type RawVerify struct {
	// CanaryAccounts are AWS accounts whose keys are canary tokens of the
	// user's own (never sent anywhere, reported as tripwires).
	CanaryAccounts []string `toml:"canary_accounts,omitempty"`
	// InHooks turns verification on in the git hooks (off by default).
	InHooks bool `toml:"in_hooks,omitempty"`
	// HookBudget bounds verification in a hook ("3s" by default).
	HookBudget string `toml:"hook_budget,omitempty"`
}

// VerifyConfig is the compiled [verify] table.
type VerifyConfig struct {
	CanaryAccounts []string
	InHooks        bool
	HookBudget     time.Duration
}

var awsAccountPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{12}$`) })

func (raw RawVerify) compile(name string) (VerifyConfig, patterns.ErrorList) {
	var errs patterns.ErrorList
	v := VerifyConfig{InHooks: raw.InHooks, HookBudget: DefaultHookBudget}
	for _, a := range raw.CanaryAccounts {
		if !awsAccountPattern().MatchString(a) {
			errs = append(errs, patterns.Error{File: name, Msg: fmt.Sprintf("verify.canary_accounts: %q is not a 12-digit AWS account ID", a)})
			continue
		}
		v.CanaryAccounts = append(v.CanaryAccounts, a)
	}
	if raw.HookBudget != "" {
		d, err := time.ParseDuration(raw.HookBudget)
		if err != nil || d <= 0 || d > time.Minute {
			errs = append(errs, patterns.Error{File: name, Msg: fmt.Sprintf("verify.hook_budget: %q is not a duration between 0 and 1m (e.g. \"3s\")", raw.HookBudget)})
		} else {
			v.HookBudget = d
		}
	}
	return v, errs
}
