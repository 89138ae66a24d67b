package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialFiles: keystores and PKCS#12 bundles are binary, yet a
// directory scan and the pre-commit hook's staged scan report them, a
// configuration can disable a file rule, and `rampart rules` lists them.
func TestCredentialFiles(t *testing.T) {
	t.Parallel()
	fixture := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "..", "patterns", "testdata", "files", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "certs/client.pfx", fixture("bundle.p12"))
	scWrite(t, dir, "build/app-release.bin", fixture("store.jks")) // found by content
	scWrite(t, dir, "img/logo.p12", "\x00\x89PNG\r\n")
	got, errOut, code := nuFindings(t, dir, ".")
	want := "java-keystore-file build/app-release.bin, pkcs12-file certs/client.pfx"
	if code != 1 || strings.Join(got, ", ") != want {
		t.Fatalf("scan .: exit %d, %q; want 1, %q\n%s", code, got, want, errOut)
	}

	// The text report never prints the file's bytes; its secret is a hash.
	out, _, _ := scRun(t, dir, "", "scan", "certs")
	if !strings.Contains(out, "pkcs12-file") || strings.Contains(out, "\x00") {
		t.Errorf("text report:\n%s", out)
	}

	scWrite(t, dir, ".rampart.toml", "disable = [\"java-keystore-file\"]\n")
	if got, errOut, _ := nuFindings(t, dir, "."); strings.Join(got, ", ") != "pkcs12-file certs/client.pfx" {
		t.Errorf("with java-keystore-file disabled: %q\n%s", got, errOut)
	}
	if out, _, code := scRun(t, dir, "", "rules"); code != 0 || !strings.Contains(out, "pkcs12-file") || !strings.Contains(out, "java-keystore-file") || !strings.Contains(out, "[disabled by") {
		t.Errorf("rules: exit %d\n%s", code, out)
	}

	// Staged, as the pre-commit hook scans it.
	scGit(t, dir, 0, "add", "certs/client.pfx", "img/logo.p12")
	if got, errOut, code := nuFindings(t, dir, "--staged"); code != 1 || strings.Join(got, ", ") != "pkcs12-file certs/client.pfx" {
		t.Errorf("--staged: exit %d, %q\n%s", code, got, errOut)
	}
}
