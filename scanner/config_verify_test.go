package scanner

import (
	"strings"
	"testing"
	"time"
)

func TestConfigVerify(t *testing.T) {
	t.Parallel()
	cfg, err := ParseConfig("r.toml", []byte("[verify]\ncanary_accounts = [\"111122223333\"]\nin_hooks = true\nhook_budget = \"2s\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v := cfg.Verify; len(v.CanaryAccounts) != 1 || !v.InHooks || v.HookBudget != 2*time.Second {
		t.Errorf("got %+v", v)
	}
	cfg, err = ParseConfig("r.toml", []byte("max_file_size = \"1MB\"\n"))
	if err != nil || cfg.Verify.InHooks || cfg.Verify.HookBudget != DefaultHookBudget {
		t.Errorf("defaults: %+v %v", cfg.Verify, err)
	}
	_, err = ParseConfig("r.toml", []byte("[verify]\ncanary_accounts = [\"1234\", \"abcdefabcdef\"]\nhook_budget = \"forever\"\nfrobnicate = 1\n"))
	for _, want := range []string{`"1234"`, `"abcdefabcdef"`, "hook_budget", `unknown key "verify.frobnicate"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}
