package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestPreCommitHookNewKeyAboveCommittedKey: a real pre-commit hook
// (rampart hook install, then git commit) refuses a new private key
// written above a committed one, though git's diff pairs the new key's
// BEGIN and END lines with the old key's and adds only its body; the
// finding is at the new key's line. An edit beside the committed key
// commits, and neither the hook nor --range reports the committed key.
// The keys are generated here: fake key material.
func TestPreCommitHookNewKeyAboveCommittedKey(t *testing.T) {
	t.Parallel()
	genKey := func() string {
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	}
	data := thisBinary(t)
	bin := filepath.Join(t.TempDir(), "bin", "rampart")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	writeExecutable(t, bin, data)
	repo := t.TempDir()
	home := t.TempDir()
	// git with the repository's hooks on (scGit turns them off).
	hooked := func(args ...string) (string, error) {
		cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		cmd.Env = append(cliCleanEnv(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "GIT_CONFIG_NOSYSTEM=1", "NO_COLOR=1",
			"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	old, fresh := genKey(), genKey()
	scGit(t, repo, 0, "init", "-q")
	scWrite(t, repo, "deploy/id_rsa.txt", "# deploy key\n"+old)
	scGit(t, repo, 0, "add", "-A")
	scGit(t, repo, 0, "commit", "-q", "-m", "committed key")
	base := scGit(t, repo, 0, "rev-parse", "HEAD")
	if out, errOut, code := cliRun(t, repo, []string{"HOME=" + home}, "", "hook", "install", "--hooks", "pre-commit", "--binary", bin); code != 0 {
		t.Fatalf("hook install: exit %d\n%s%s", code, out, errOut)
	}

	// An edit beside the committed key commits.
	scWrite(t, repo, "deploy/id_rsa.txt", "# deploy key, rotated yearly\n"+old+"# end\n")
	if _, err := hooked("add", "-A"); err != nil {
		t.Fatal(err)
	}
	if out, err := hooked("commit", "-q", "-m", "comment"); err != nil {
		t.Fatalf("an edit beside a committed key was refused: %v\n%s", err, out)
	}

	// A new key above the committed one is refused, at its first body line.
	after := "# deploy key, rotated yearly\n" + fresh + old + "# end\n"
	scWrite(t, repo, "deploy/id_rsa.txt", after)
	if _, err := hooked("add", "-A"); err != nil {
		t.Fatal(err)
	}
	diff := scGit(t, repo, 0, "diff", "--cached", "-U0")
	if strings.Count(diff, "\n+-----BEGIN") != 1 || strings.Count(diff, "\n+-----END") != 1 {
		t.Fatalf("the diff does not pair the blocks' lines as this test needs:\n%s", diff)
	}
	out, err := hooked("commit", "-q", "-m", "second key")
	if err == nil || !regexp.MustCompile(`deploy/id_rsa\.txt:3:\d+ .*private-key|private-key[\s\S]*deploy/id_rsa\.txt:3\b`).MatchString(out) {
		t.Fatalf("commit of a new key above a committed one: err %v\n%s", err, out)
	}
	if !strings.Contains(out, "1 finding:") || strings.Contains(out, "id_rsa.txt:"+strconv.Itoa(strings.Count(after[:strings.Index(after, old)], "\n")+2)) {
		t.Errorf("the committed key was reported again:\n%s", out)
	}

	// --range over the edit beside the committed key reports nothing.
	if out, errOut, code := scRun(t, repo, "", "scan", "--range", base+"..HEAD"); code != 0 {
		t.Errorf("--range over an edit beside a committed key: exit %d\n%s%s", code, out, errOut)
	}
}
