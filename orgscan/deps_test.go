package orgscan

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps orgscan on its side of DESIGN.md: it reaches GitHub
// through package github and reads history through scanner/gitsource; it
// never imports the audit, the writers or the CLI.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/rampart-sec/rampart/orgscan").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/rampart-sec/rampart/hardening", "github.com/rampart-sec/rampart/report", "github.com/rampart-sec/rampart/cmd", "github.com/fatih/color"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("orgscan depends on %s", dep)
			}
		}
	}
}
