package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// ciGitleaks is a small .gitleaks.toml whose rule IDs will not collide with
// catalogue growth, bar the one that must (aws-access-key-id).
const ciGitleaks = `title = "acme"

[extend]
useDefault = true

[[rules]]
id = "Acme_Internal.Token"
description = "Acme internal token"
regex = '''\b(acme_(?:live|test)_[a-zA-Z0-9]{32})\b'''
secretGroup = 1
keywords = ["acme_live_", "acme_test_"]

[[rules]]
id = "aws-access-key-id"
description = "Our own AWS key rule"
regex = '''AKIA[A-Z0-9]{16}'''
keywords = ["akia"]

[[rules]]
id = "acme-lookahead"
description = "uses a look-ahead"
regex = '''token(?=:)'''

[allowlist]
paths = ['''(.*?)(png|jpg)$''', '''^third_party/''']
regexes = ['''EXAMPLE$''']
stopwords = ["dummy"]
commits = ["0123456789abcdef0123456789abcdef01234567"]
`

func TestConfigImportGitleaksGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scWrite(t, dir, ".gitleaks.toml", ciGitleaks)
	out, errOut, code := scRun(t, dir, "", "config", "import", ".gitleaks.toml")
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{`rule "acme-lookahead": left out: bad regex`, "commits", "wrote .rampart.toml", "2 rules"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, ".rampart.toml"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "config-gitleaks.toml", string(data))
	if _, err := scanner.ParseConfig(".rampart.toml", data); err != nil {
		t.Fatalf("written config does not load: %v", err)
	}

	// The imported rule works in a scan, with its secret group.
	scWrite(t, dir, "app.env", "ACME=acme_live_9fK2mQ7xLp4Rt8Vz1Nc6Bw3Hy5Dj0Gs2\n")
	out, _, code = scRun(t, dir, "", "scan", "--format", "json", "--show-secrets", "app.env")
	if code != 1 || !strings.Contains(out, `"rule": "acme-internal-token"`) || !strings.Contains(out, `"secret": "acme_live_9fK2mQ7xLp4Rt8Vz1Nc6Bw3Hy5Dj0Gs2"`) {
		t.Errorf("scan with imported rule: exit %d\n%s", code, out)
	}

	// A second import does not overwrite without --force.
	_, errOut, code = scRun(t, dir, "", "config", "import", ".gitleaks.toml")
	if code != 2 || !strings.Contains(errOut, "exists; use --force") {
		t.Errorf("overwrite: exit %d, %s", code, errOut)
	}
	if _, _, code = scRun(t, dir, "", "config", "import", ".gitleaks.toml", "--force"); code != 0 {
		t.Errorf("--force: exit %d", code)
	}
}

func TestConfigImportGitSecretsFromRepo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	scGit(t, repo, 0, "init", "-q")
	scGit(t, repo, 0, "config", "--add", "secrets.patterns", `\<acme_[a-z]{4}_[0-9a-f]{32}\>`)
	scGit(t, repo, 0, "config", "--add", "secrets.patterns", `password\s*=\s*(?!changeme)\S+`)
	scGit(t, repo, 0, "config", "--add", "secrets.allowed", "AKIAIOSFODNN7EXAMPLE")
	scGit(t, repo, 0, "config", "--add", "secrets.providers", "git secrets --aws-provider")
	// No global git-secrets patterns from the machine running the test.
	out, errOut, code := cliRun(t, dir, []string{"HOME=" + dir, "XDG_CONFIG_HOME=" + dir}, "", "config", "import", "--git-secrets", "repo", "--output", "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "(?!") || !strings.Contains(errOut, "left out") {
		t.Errorf("look-ahead pattern not reported:\n%s", errOut)
	}
	golden(t, "config-git-secrets.toml", out)
	if _, err := scanner.ParseConfig("x.toml", []byte(out)); err != nil {
		t.Fatal(err)
	}
}

func TestConfigImportInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gitconfig := "[core]\n\tbare = false\n[secrets]\n\tpatterns = acme_[0-9a-f]{32}\n\tallowed = acme_0{32}\n"
	scWrite(t, dir, "gitconfig", gitconfig)
	scWrite(t, dir, "broken.toml", "[[rules]\nid = 'x'\n")
	scWrite(t, dir, "empty.toml", "title = 'nothing'\n")
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string
		err   string
	}{
		{"git config file", "", []string{"config", "import", "gitconfig", "-o", "-"}, 0, `regex = "(?m)(?:^|[^0-9A-Za-z_])(?P<secret>acme_[0-9a-f]{32})`, "1 rule, "},
		{"git config on stdin", gitconfig, []string{"config", "import", "-", "-o", "-"}, 0, "acme_0{32}", "standard input"},
		{"pattern lines on stdin", "acme_[0-9a-f]{32}\n(?<=x)y\n", []string{"config", "import", "-", "--from", "patterns", "-o", "-"}, 0, "git-secrets-1", "not valid in Go's RE2"},
		{"gitleaks on stdin", ciGitleaks, []string{"config", "import", "-", "--from", "gitleaks", "-o", "-"}, 0, "acme-internal-token", "gitleaks-aws-access-key-id"},
		{"broken toml", "", []string{"config", "import", "broken.toml"}, 2, "", "neither a gitleaks TOML config"},
		{"broken toml forced", "", []string{"config", "import", "--from", "gitleaks", "broken.toml"}, 2, "", "parse gitleaks config"},
		{"nothing to convert", "", []string{"config", "import", "empty.toml"}, 2, "", "no rules, allow lists or patterns"},
		{"missing file", "", []string{"config", "import", "absent.toml"}, 2, "", "no such file"},
		{"directory", "", []string{"config", "import", "."}, 2, "", "is a directory"},
		{"no input", "", []string{"config", "import"}, 2, "", "want a FILE"},
		{"bad --from", "", []string{"config", "import", "--from", "yaml", "x"}, 2, "", "unknown --from"},
		{"no subcommand", "", []string{"config"}, 2, "", "want a subcommand"},
		{"git-secrets outside a repository", "", []string{"config", "import", "--git-secrets", dir}, 2, "", "not a git repository"},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				out, errOut, code := scRun(t, dir, tt.stdin, tt.args...)
				if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
					t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant stdout %q, stderr %q", code, tt.code, out, errOut, tt.out, tt.err)
				}
			})
		}
	})
	if _, err := os.Stat(filepath.Join(dir, ".rampart.toml")); err == nil {
		t.Error("a failed or --output - import wrote .rampart.toml")
	}
}
