package hardening

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps package hardening free of I/O libraries and of the
// scanner: checks judge a snapshot, ghcollect talks to GitHub.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/rampart-sec/rampart/hardening").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/google/go-github", "net/http", "github.com/rampart-sec/rampart/scanner", "github.com/rampart-sec/rampart/patterns", "github.com/fatih/color"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("hardening depends on %s", dep)
			}
		}
	}
	out, err = exec.Command("go", "list", "-deps", "github.com/rampart-sec/rampart/hardening/ghcollect").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/rampart-sec/rampart/") && dep != "github.com/rampart-sec/rampart/hardening" && dep != "github.com/rampart-sec/rampart/hardening/ghcollect" && dep != "github.com/rampart-sec/rampart/github" {
			t.Errorf("ghcollect depends on %s", dep)
		}
	}
}
