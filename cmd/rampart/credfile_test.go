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
	out, errOut, code := scRun(t, dir, "", "scan", "certs")
	if code != 1 || !strings.Contains(out, "pkcs12-file") || strings.Contains(out, "\x00") {
		t.Errorf("text report: exit %d\n%s%s", code, out, errOut)
	}

	scWrite(t, dir, ".rampart.toml", "disable = [\"java-keystore-file\"]\n")
	if got, errOut, _ := nuFindings(t, dir, "."); strings.Join(got, ", ") != "pkcs12-file certs/client.pfx" {
		t.Errorf("with java-keystore-file disabled: %q\n%s", got, errOut)
	}
	if out, _, code := scRun(t, dir, "", "rules"); code != 0 || !strings.Contains(out, "pkcs12-file") || !strings.Contains(out, "java-keystore-file") || !strings.Contains(out, "[disabled by") {
		t.Errorf("rules: exit %d\n%s", code, out)
	}

	// Piped in, as the same file in a folder is judged, and counted.
	out, errOut, code = scRun(t, dir, fixture("bundle.p12"), "scan", "--stdin", "--no-color")
	if code != 1 || !strings.Contains(out, "[pkcs12-file]\n  stdin:1:1 ") || !strings.Contains(out, "1 finding: scanned 1 file, 1.6 KB") {
		t.Errorf("--stdin: exit %d\n%s%s", code, out, errOut)
	}

	// Staged, as the pre-commit hook scans it.
	scGit(t, dir, 0, "add", "certs/client.pfx", "img/logo.p12")
	if got, errOut, code := nuFindings(t, dir, "--staged"); code != 1 || strings.Join(got, ", ") != "pkcs12-file certs/client.pfx" {
		t.Errorf("--staged: exit %d, %q\n%s", code, got, errOut)
	}
}

// TestRailsMasterKey: a Rails master key is a text file of 32 hex digits
// that no keyword finds. A directory scan, the staged scan and the history
// scan (where the blob is read before the walk names it) report it under a
// key's name, and not the same digits in another file, nor a placeholder.
func TestRailsMasterKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scGit(t, dir, 0, "init", "-q")
	scWrite(t, dir, "config/master.key", "6f1c0a9d3e7b24f58c1a0e9d7b3f2c64")
	scWrite(t, dir, "config/credentials/production.key", "b81e4d07c3a95f26e0d1c8b74a3f9e52\r\n")
	scWrite(t, dir, "checksums/app.md5", "6f1c0a9d3e7b24f58c1a0e9d7b3f2c64\n") // a checksum: not a key's name
	scWrite(t, dir, "config/test.key", "00000000000000000000000000000000\n")   // a placeholder
	scWrite(t, dir, "config/long.key", "6f1c0a9d3e7b24f58c1a0e9d7b3f2c64 and more\n")
	scWrite(t, dir, "fixtures/master.key", "2d9e71c04b8a5f36e1c0d7a94b3e8f25\n") // an allow-listed path
	scWrite(t, dir, ".rampart.toml", "[allowlist]\npaths = [\"fixtures/\"]\n")
	want := "rails-master-key config/credentials/production.key, rails-master-key config/master.key"
	for _, args := range [][]string{{"."}, {"--staged"}, {"--history"}} {
		if args[0] == "--history" {
			scGit(t, dir, 0, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "keys")
		}
		if args[0] == "--staged" {
			scGit(t, dir, 0, "add", "-A")
		}
		got, errOut, code := nuFindings(t, dir, args...)
		if code != 1 || strings.Join(got, ", ") != want {
			t.Errorf("scan %s: exit %d, %q; want 1, %q\n%s", args[0], code, got, want, errOut)
		}
	}
}
