package history

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner/gitsource"
)

// TestTaggedBlobs: a blob a tag names directly (`git tag keyblob $(git
// hash-object -w key.env)`), lightweight or annotated, text or a PKCS#12
// bundle, is scanned: no commit holds it, yet every clone that fetches
// tags has it. Its findings are placed at the tag's ref name, with no
// commit; two tags naming one blob are two places, as two paths in one
// commit are. A tagged blob that a commit also holds keeps the commit's
// placement, and a tag that names a commit adds nothing. The same,
// loose or packed, whichever of the walk and the readers goes first.
func TestTaggedBlobs(t *testing.T) {
	t.Parallel()
	const key3 = "AKIAGMXGEDN73U55XTPL"
	r := newRepo(t)
	r.write("app/config.env", "aws_access_key_id = "+keyID+"\n")
	c1 := r.commit("first")
	r.git("tag", "v1", c1)
	r.git("tag", "config", r.git("rev-parse", "HEAD:app/config.env"))
	blob := func(content string) string {
		p := filepath.Join(t.TempDir(), "blob")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return r.git("hash-object", "-w", p)
	}
	text := blob("aws_access_key_id = " + keyID2 + "\n")
	r.git("tag", "keyblob", text)
	r.git("tag", "keyblob-copy", text)
	r.git("tag", "-a", "-m", "the deploy key", "annotated", blob("aws_access_key_id = "+key3+"\n"))
	bundle, err := os.ReadFile(filepath.Join("..", "..", "..", "patterns", "testdata", "files", "bundle.p12"))
	if err != nil {
		t.Fatal(err)
	}
	r.git("tag", "cert", blob(string(bundle)))
	want := []string{
		"aws-access-key-id app/config.env:1 c1",
		"aws-access-key-id refs/tags/annotated:1 -",
		"aws-access-key-id refs/tags/keyblob-copy:1 -",
		"aws-access-key-id refs/tags/keyblob:1 -",
		"pkcs12-file refs/tags/cert:1 -",
	}
	names := map[string]string{c1: "c1"}
	for _, layout := range []string{"loose", "packed"} {
		if layout == "packed" {
			r.git("gc", "-q")
			if n := r.git("count-objects"); !strings.HasPrefix(n, "0 objects") {
				t.Fatalf("not all packed: %s", n)
			}
		}
		repo := r.open()
		for _, v := range variants() {
			res := scanVariant(t, repo, gitsource.Options{}, v)
			if got := summary(res.Findings, names); !equal(got, want) {
				t.Errorf("%s %v: findings %q, want %q", layout, v, got, want)
			}
			if note := strings.Join(res.Stats.Notes, "\n"); strings.Contains(note, "no scanned commit holds") {
				t.Errorf("%s %v: tagged blobs told as left out: %s", layout, v, note)
			}
			if res.Stats.Blobs != 4 { // config.env, two tagged texts, the bundle
				t.Errorf("%s %v: %d blobs scanned, want 4", layout, v, res.Stats.Blobs)
			}
		}
		res := scan(t, &History{Repo: repo, NeedPaths: true})
		if got := summary(res.Findings, names); !equal(got, want) {
			t.Errorf("%s, paths first: findings %q, want %q", layout, got, want)
		}
	}
}
