package scanner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// credFixture reads one of patterns' credential-file fixtures.
func credFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "patterns", "testdata", "files", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStdinCredentialFiles: a keystore or PKCS#12 bundle piped in is judged
// by the credential-file rules, as the same file in a folder is, and is
// counted as the one file read; a truststore (no key) is not a finding, and
// binary input of no such format is still read as it is, its text rules
// run (an access key among its bytes is found).
func TestStdinCredentialFiles(t *testing.T) {
	const key = "AKIAUJZDEGXDNCF32EPF"
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"bundle.p12", credFixture(t, "bundle.p12"), "pkcs12-file"},
		{"store.jks", credFixture(t, "store.jks"), "java-keystore-file"},
		{"trust.p12", credFixture(t, "trust.p12"), ""},
		{"binary with a key", []byte("\x00\x01\x02 id " + key + "\n"), "aws-access-key-id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Scan(context.Background(), &ReaderSource{R: bytes.NewReader(tc.data), Path: "stdin", MaxSize: 10 << 20}, builtinDetector(t), Options{Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.RuleID)
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
			if st := res.Stats; st.Files != 1 || st.Bytes != int64(len(tc.data)) || len(st.Skipped) != 0 {
				t.Errorf("stats: %d files, %d bytes, skipped %v; want the one file of %d bytes", st.Files, st.Bytes, st.Skipped, len(tc.data))
			}
		})
	}
}

// TestCredentialFileCounted: a folder whose only finding is a PKCS#12
// bundle says it scanned that file (it was read whole and judged), not "0
// files, 0 B"; a binary file of no credential format stays skipped.
func TestCredentialFileCounted(t *testing.T) {
	dir := t.TempDir()
	pfx := credFixture(t, "bundle.p12")
	for name, data := range map[string][]byte{"certs/client.pfx": pfx, "img/logo.png": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Scan(context.Background(), &DirSource{Root: dir}, builtinDetector(t), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].RuleID != "pkcs12-file" {
		t.Fatalf("findings %v, want the bundle", res.Findings)
	}
	if st := res.Stats; st.Files != 1 || st.Bytes != int64(len(pfx)) || st.Skipped["binary"] != 1 {
		t.Errorf("stats: %d files, %d bytes, skipped %v; want the bundle scanned (%d bytes) and the image skipped as binary", st.Files, st.Bytes, st.Skipped, len(pfx))
	}
}
