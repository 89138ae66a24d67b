package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// This file runs action.yml the way the Actions runner runs a composite
// action: each `run:` step as `bash --noprofile --norc -eo pipefail` with
// its env: block evaluated, a fresh $GITHUB_OUTPUT per step read back into
// steps.<id>.outputs, one $GITHUB_STEP_SUMMARY, `if:` conditions evaluated,
// and the action's outputs computed from its outputs: block. Only the
// expression forms action.yml uses are understood; anything else fails the
// test, so the YAML cannot drift into something this runner ignores.

// actYAML parses the small YAML subset action.yml is written in: block
// mappings, block sequences of mappings, literal block scalars (|) and
// plain or quoted scalars.
type actYAML struct {
	lines []string
	i     int
}

func parseActYAML(src string) (map[string]any, error) {
	p := &actYAML{lines: strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top level is not a mapping")
	}
	return m, nil
}

func actIndent(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

func (p *actYAML) skip() {
	for p.i < len(p.lines) {
		t := strings.TrimSpace(p.lines[p.i])
		if t != "" && !strings.HasPrefix(t, "#") {
			return
		}
		p.i++
	}
}

func (p *actYAML) value(min int) (any, error) {
	p.skip()
	if p.i >= len(p.lines) || actIndent(p.lines[p.i]) < min {
		return nil, nil
	}
	ind := actIndent(p.lines[p.i])
	if t := strings.TrimSpace(p.lines[p.i]); t == "-" || strings.HasPrefix(t, "- ") {
		return p.list(ind)
	}
	return p.mapping(ind)
}

func (p *actYAML) mapping(ind int) (map[string]any, error) {
	m := map[string]any{}
	for {
		p.skip()
		if p.i >= len(p.lines) {
			return m, nil
		}
		l := p.lines[p.i]
		t := strings.TrimSpace(l)
		if actIndent(l) != ind || strings.HasPrefix(t, "- ") {
			if actIndent(l) > ind {
				return nil, fmt.Errorf("line %d: unexpected indentation", p.i+1)
			}
			return m, nil
		}
		key, rest, ok := strings.Cut(t, ":")
		if !ok || (rest != "" && rest[0] != ' ') {
			return nil, fmt.Errorf("line %d: not a key: %q", p.i+1, t)
		}
		p.i++
		v, err := p.rest(strings.TrimSpace(rest), ind)
		if err != nil {
			return nil, err
		}
		m[key] = v
	}
}

func (p *actYAML) list(ind int) ([]any, error) {
	var out []any
	for {
		p.skip()
		if p.i >= len(p.lines) {
			return out, nil
		}
		l := p.lines[p.i]
		t := strings.TrimSpace(l)
		if actIndent(l) != ind || !strings.HasPrefix(t, "- ") {
			return out, nil
		}
		item := strings.TrimPrefix(t, "- ")
		if k, _, ok := strings.Cut(item, ":"); ok && !strings.ContainsAny(k, `"' `) {
			// A mapping whose first key shares the dash's line.
			p.lines[p.i] = strings.Repeat(" ", ind+2) + item
			m, err := p.mapping(ind + 2)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
			continue
		}
		p.i++
		out = append(out, actScalar(item))
	}
}

func (p *actYAML) rest(rest string, ind int) (any, error) {
	switch rest {
	case "|":
		var block []string
		bi := -1
		for p.i < len(p.lines) {
			l := p.lines[p.i]
			if strings.TrimSpace(l) == "" {
				block = append(block, "")
				p.i++
				continue
			}
			if actIndent(l) <= ind {
				break
			}
			if bi < 0 {
				bi = actIndent(l)
			}
			block = append(block, l[min(bi, actIndent(l)):])
			p.i++
		}
		return strings.TrimRight(strings.Join(block, "\n"), "\n") + "\n", nil
	case "":
		return p.value(ind + 1)
	}
	return actScalar(rest), nil
}

func actScalar(s string) string {
	switch {
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}

// actRunner holds the expression context of one run of the action.
type actRunner struct {
	t      *testing.T
	action map[string]any
	inputs map[string]string
	github map[string]string
	// event is the payload at GITHUB_EVENT_PATH, which github.event.* reads.
	event   map[string]any
	runner  map[string]string
	steps   map[string]map[string]string
	env     []string
	workdir string
	stdout  bytes.Buffer
	stderr  bytes.Buffer
	skipped []string
	// prebuilt, when set, is the binary the step with id "build" would
	// make: the step is not run and outputs it as bin.
	prebuilt string
}

var actExpr = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

func (a *actRunner) lookup(path string) string {
	a.t.Helper()
	parts := strings.Split(path, ".")
	switch {
	case len(parts) == 2 && parts[0] == "inputs":
		def, ok := a.action["inputs"].(map[string]any)[parts[1]].(map[string]any)
		if !ok {
			a.t.Fatalf("action.yml uses undeclared input %q", parts[1])
		}
		if v, ok := a.inputs[parts[1]]; ok {
			return v
		}
		d, _ := def["default"].(string)
		return a.eval(d)
	case len(parts) == 2 && parts[0] == "github":
		if v, ok := a.github[parts[1]]; ok {
			return v
		}
	case len(parts) > 2 && parts[0] == "github" && parts[1] == "event":
		// As GitHub evaluates it: a property the payload lacks is empty.
		var v any = a.event
		for _, p := range parts[2:] {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		if s, ok := v.(string); ok {
			return s
		}
		return ""
	case len(parts) == 2 && parts[0] == "runner":
		if v, ok := a.runner[parts[1]]; ok {
			return v
		}
	case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
		return a.steps[parts[1]][parts[3]]
	}
	a.t.Fatalf("action.yml uses an expression this test runner does not know: %q", path)
	return ""
}

func (a *actRunner) eval(s string) string {
	return actExpr.ReplaceAllStringFunc(s, func(m string) string {
		// a || b: the first that is not empty.
		for _, alt := range strings.Split(actExpr.FindStringSubmatch(m)[1], "||") {
			if v := a.lookup(strings.TrimSpace(alt)); v != "" {
				return v
			}
		}
		return ""
	})
}

var actCond = regexp.MustCompile(`^([a-z_.-]+)\s*==\s*'([^']*)'$`)

func (a *actRunner) condition(c string) bool {
	a.t.Helper()
	c = strings.TrimSpace(actExpr.ReplaceAllString(c, "$1"))
	m := actCond.FindStringSubmatch(c)
	if m == nil {
		a.t.Fatalf("action.yml has an if: this test runner does not know: %q", c)
	}
	return a.lookup(m[1]) == m[2]
}

// run executes the action's steps and returns the exit status of the first
// failing step (0 if none failed) and the action's outputs.
func (a *actRunner) run(summary string) (int, map[string]string) {
	t := a.t
	runs := a.action["runs"].(map[string]any)
	if runs["using"] != "composite" {
		t.Fatalf("runs.using = %v, want composite", runs["using"])
	}
	for n, s := range runs["steps"].([]any) {
		step := s.(map[string]any)
		name, _ := step["name"].(string)
		if c, ok := step["if"].(string); ok && !a.condition(c) {
			a.skipped = append(a.skipped, name)
			continue
		}
		if uses, ok := step["uses"].(string); ok {
			t.Skipf("step %q would run %s on this machine (its Go is older than go.mod); not emulated", name, uses)
		}
		if id, _ := step["id"].(string); id == "build" && a.prebuilt != "" {
			a.steps[id] = map[string]string{"bin": a.prebuilt}
			continue
		}
		script, ok := step["run"].(string)
		if !ok || step["shell"] != "bash" {
			t.Fatalf("step %q: want a bash run step", name)
		}
		if strings.Contains(script, "${{") {
			t.Fatalf("step %q splices an expression into its script: pass it through env: instead", name)
		}
		dir := t.TempDir()
		out := filepath.Join(dir, "output")
		scriptFile := filepath.Join(dir, "step.sh")
		if err := os.WriteFile(out, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(scriptFile, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		env := append([]string{}, a.env...)
		env = append(env, "GITHUB_OUTPUT="+out, "GITHUB_STEP_SUMMARY="+summary, "GITHUB_ACTION_PATH="+a.github["action_path"])
		if m, ok := step["env"].(map[string]any); ok {
			for k, v := range m {
				env = append(env, k+"="+a.eval(v.(string)))
			}
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", scriptFile)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = a.workdir, env, &a.stdout, &a.stderr
		err := cmd.Run()
		if id, ok := step["id"].(string); ok {
			a.steps[id] = readActOutputs(t, out)
		}
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				return ee.ExitCode(), a.outputs()
			}
			t.Fatalf("step %d %q: %v", n, name, err)
		}
	}
	return 0, a.outputs()
}

func (a *actRunner) outputs() map[string]string {
	res := map[string]string{}
	for k, v := range a.action["outputs"].(map[string]any) {
		res[k] = a.eval(v.(map[string]any)["value"].(string))
	}
	return res
}

// readActOutputs parses a $GITHUB_OUTPUT file: name=value lines and
// name<<DELIMITER heredocs.
func readActOutputs(t *testing.T, path string) map[string]string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := sc.Text()
		if k, delim, ok := strings.Cut(l, "<<"); ok && !strings.Contains(k, "=") {
			var val []string
			for sc.Scan() && sc.Text() != delim {
				val = append(val, sc.Text())
			}
			out[k] = strings.Join(val, "\n")
			continue
		}
		if k, v, ok := strings.Cut(l, "="); ok {
			out[k] = v
		}
	}
	return out
}

// actCleanEnv is the test process's environment without anything a real
// runner would set differently.
func actCleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "RUNNER_") || strings.HasPrefix(k, "INPUT_") || k == "NO_COLOR" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// TestActionEndToEnd runs action.yml's steps against pushes to a real
// repository, in a shallow checkout as actions/checkout makes by default.
func TestActionEndToEnd(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds rampart with go build")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	actionPath, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(actionPath, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	action, err := parseActYAML(string(src))
	if err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	for _, in := range []string{"config", "baseline", "fail-on", "fail-on-incomplete", "sarif", "scan-history", "audit", "verify"} {
		if _, ok := action["inputs"].(map[string]any)[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}

	w := newGeWorld(t)
	base := w.commit("base")
	w.git(w.dev, "push", "-q", "origin", "main")
	// A push that commits an AWS key pair (two findings, one credential)
	// in a file whose name needs escaping, then an unrelated commit.
	keyID, secret := "AKIAUJZDEGXDNCF32EPF", "dJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7"
	if err := os.MkdirAll(filepath.Join(w.dev, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	leak := "deploy/prod, 100%.env"
	if err := os.WriteFile(filepath.Join(w.dev, leak), []byte("[default]\naws_access_key_id = "+keyID+"\naws_secret_access_key = "+secret+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.git(w.dev, "add", "-A")
	w.git(w.dev, "commit", "-q", "-m", "deploy config")
	leaked := w.git(w.dev, "rev-parse", "HEAD")
	if err := os.WriteFile(filepath.Join(w.dev, "README.md"), []byte("# app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.git(w.dev, "add", "-A")
	w.git(w.dev, "commit", "-q", "-m", "readme")
	clean := w.git(w.dev, "rev-parse", "HEAD")
	// A lone access key ID: a high-severity finding, not critical.
	high := w.commit("high")
	w.git(w.dev, "push", "-q", "origin", "main")

	// A stand-in for the GitHub API, for the audit input: it records who
	// asked for what and knows nothing.
	var apiMu sync.Mutex
	var apiSeen []string
	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		apiMu.Lock()
		apiSeen = append(apiSeen, r.URL.Path+" "+r.Header.Get("Authorization"))
		apiMu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusNotFound)
		fmt.Fprint(rw, `{"message":"Not Found"}`)
	}))
	t.Cleanup(api.Close)

	// Every run's "Build rampart" step runs go build for real. Seeding its
	// output directory with a binary built once, the same way, lets go
	// build find it up to date (by build ID) rather than link it again in
	// each run; were action.yml's build to change, go build would simply
	// link as before.
	seed := filepath.Join(t.TempDir(), "rampart")
	build := exec.Command("go", "build", "-buildvcs=false", "-ldflags", "-X main.version=v0.0.0-test", "-o", seed, "./cmd/rampart")
	build.Dir = actionPath
	build.Env = append(actCleanEnv(), "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	seedData, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}

	// runActionEvent runs the Action in the workspace ws for the event
	// eventName with payload.
	runActionEvent := func(t *testing.T, name, ws, eventName string, payload map[string]any, inputs map[string]string, env []string) (int, map[string]string, string, string, string) {
		t.Helper()
		temp := t.TempDir()
		if err := os.MkdirAll(filepath.Join(temp, "rampart-bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		writeExecutable(t, filepath.Join(temp, "rampart-bin", "rampart"), seedData)
		event := filepath.Join(temp, "event.json")
		data, _ := json.Marshal(payload)
		if err := os.WriteFile(event, data, 0o644); err != nil {
			t.Fatal(err)
		}
		summary := filepath.Join(temp, "summary.md")
		// The leak push runs the "Build rampart" step for real; go build's
		// up-to-date check of the whole module costs half a second of CPU,
		// so the other runs take the binary it would make as built.
		prebuilt := ""
		if name != "leak" {
			prebuilt = filepath.Join(temp, "rampart-bin", "rampart")
		}
		a := &actRunner{
			t: t, action: action, inputs: inputs, steps: map[string]map[string]string{}, workdir: ws,
			prebuilt: prebuilt,
			github:   map[string]string{"action_path": actionPath, "action_ref": "v0.0.0-test", "token": "test-token", "workspace": ws},
			runner:   map[string]string{"temp": temp, "os": "Linux"},
			event:    payload,
		}
		a.env = append(actCleanEnv(), "GITHUB_ACTIONS=true", "GITHUB_EVENT_NAME="+eventName, "GITHUB_EVENT_PATH="+event,
			"GITHUB_REPOSITORY=o/r", "GITHUB_WORKSPACE="+ws, "RUNNER_TEMP="+temp, "RUNNER_OS=Linux", "GIT_TERMINAL_PROMPT=0", "GITHUB_API_URL="+api.URL)
		a.env = append(a.env, env...)
		code, outs := a.run(summary)
		if len(a.skipped) != 1 {
			t.Errorf("skipped steps %q: want only the Go setup skipped (this machine's Go builds rampart)", a.skipped)
		}
		sum, _ := os.ReadFile(summary)
		all := a.stdout.String() + a.stderr.String() + string(sum)
		for k, v := range outs {
			all += k + "=" + v + "\n"
		}
		if p := outs["sarif-file"]; p != "" {
			sarif, err := os.ReadFile(filepath.Join(ws, p))
			if err != nil {
				t.Errorf("sarif-file %q: %v", p, err)
			}
			all += string(sarif)
		}
		if strings.Contains(all, keyID) || strings.Contains(all, secret) {
			t.Errorf("a plaintext secret reached the log, the summary, the outputs or the SARIF file")
		}
		return code, outs, a.stdout.String(), string(sum), ws
	}
	runActionEnv := func(t *testing.T, name, before, after string, inputs map[string]string, env []string) (int, map[string]string, string, string, string) {
		t.Helper()
		ws := w.checkoutT(t, "ws-"+name, "main", 1)
		return runActionEvent(t, name, ws, "push", pushPayload("refs/heads/main", before, after, nil, nil), inputs, env)
	}
	runAction := func(t *testing.T, name, before, after string, inputs map[string]string) (int, map[string]string, string, string, string) {
		t.Helper()
		return runActionEnv(t, name, before, after, inputs, nil)
	}

	t.Run("push with a leaked key pair", func(t *testing.T) {
		t.Parallel()
		code, outs, stdout, summary, ws := runAction(t, "leak", base, clean, nil)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, stdout)
		}
		if outs["findings"] != "2" {
			t.Errorf("findings output %q, want 2", outs["findings"])
		}
		want := "::error file=deploy/prod%2C 100%25.env,line=2,col=21,"
		if !strings.Contains(stdout, want) || !strings.Contains(stdout, "file=deploy/prod%2C 100%25.env,line=3,") {
			t.Errorf("annotations missing %q:\n%s", want, stdout)
		}
		if !strings.Contains(summary, "## rampart: 1 credential found (2 findings)") ||
			!strings.Contains(summary, "| aws-access-key-id + aws-secret-access-key | deploy/prod, 100%.env:2 and 3 | `"+leaked[:12]+"` | critical |") ||
			!strings.Contains(summary, "Scanned 2 commits") {
			t.Errorf("summary:\n%s", summary)
		}
		if outs["sarif-file"] != "rampart.sarif" {
			t.Fatalf("sarif-file output %q", outs["sarif-file"])
		}
		var doc struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		data, _ := os.ReadFile(filepath.Join(ws, "rampart.sarif"))
		if err := json.Unmarshal(data, &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs[0].Results) != 2 {
			t.Errorf("SARIF file: %v %+v", err, doc)
		}
	})

	t.Run("fail-on above the finding, SARIF off", func(t *testing.T) {
		t.Parallel()
		code, outs, stdout, summary, _ := runAction(t, "threshold", clean, high, map[string]string{"fail-on": "critical", "sarif": "off"})
		if code != 0 || outs["sarif-file"] != "" || outs["findings"] != "1" {
			t.Errorf("exit %d, outputs %v; want 0 with one finding and no SARIF\n%s", code, outs, stdout)
		}
		if !strings.Contains(stdout, "::error file=high.env,line=1,") || !strings.Contains(summary, "| aws-access-key-id | high.env:1 | `"+high[:12]+"` | high |") {
			t.Errorf("annotations:\n%s\nsummary:\n%s", stdout, summary)
		}
	})

	t.Run("fail-on-incomplete", func(t *testing.T) {
		t.Parallel()
		// A configuration whose max_file_size every blob exceeds: the
		// scan reads nothing and finds nothing. It passes with a warning
		// unless fail-on-incomplete is set; then it fails (exit 2) with the
		// reason, after publishing the summary.
		cfg := filepath.Join(t.TempDir(), "tiny.toml")
		if err := os.WriteFile(cfg, []byte("max_file_size = \"10\"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stdout, _, _ := runAction(t, "partial", clean, high, map[string]string{"config": cfg, "sarif": "off"})
		if code != 0 || !strings.Contains(stdout, "larger than --max-file-size") {
			t.Errorf("without the input: exit %d, want 0 with the warning\n%s", code, stdout)
		}
		code, _, stdout, summary, _ := runAction(t, "partial-fail", clean, high, map[string]string{"config": cfg, "sarif": "off", "fail-on-incomplete": "true"})
		if code != 2 || !strings.Contains(stdout, "fail-on-incomplete is set") || summary == "" {
			t.Errorf("with the input: exit %d, want 2 with the reason and a summary\n%s\nsummary:\n%s", code, stdout, summary)
		}
		// A complete scan with the input passes.
		if code, _, stdout, _, _ := runAction(t, "complete", clean, high, map[string]string{"fail-on": "critical", "sarif": "off", "fail-on-incomplete": "true"}); code != 0 {
			t.Errorf("complete scan with the input: exit %d, want 0\n%s", code, stdout)
		}
	})

	t.Run("verify input", func(t *testing.T) {
		t.Parallel()
		// A stand-in for STS that knows no key: the leaked pair is dead.
		var calls atomic.Int32
		sts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			rw.WriteHeader(http.StatusForbidden)
			fmt.Fprint(rw, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`)
		}))
		t.Cleanup(sts.Close)
		code, _, stdout, summary, _ := runActionEnv(t, "verify", base, clean, map[string]string{"verify": "true", "sarif": "off"}, []string{"AWS_ENDPOINT_URL_STS=" + sts.URL})
		if code != 1 || calls.Load() != 1 {
			t.Errorf("exit %d after %d STS calls, want 1 and 1\n%s", code, calls.Load(), stdout)
		}
		if !strings.Contains(stdout, "Verification: invalid") || !strings.Contains(summary, "| critical | invalid |") {
			t.Errorf("annotations:\n%s\nsummary:\n%s", stdout, summary)
		}
		// Without the input nothing is sent.
		runActionEnv(t, "noverify", base, clean, map[string]string{"sarif": "off"}, []string{"AWS_ENDPOINT_URL_STS=" + sts.URL})
		if calls.Load() != 1 {
			t.Errorf("the Action verified without the verify input")
		}
	})

	t.Run("audit with the given token", func(t *testing.T) {
		t.Parallel()
		_, outs, stdout, _, _ := runAction(t, "audit", leaked, clean, map[string]string{"audit": "true", "token": "ghs_test-token", "sarif": "off"})
		if outs["findings"] != "0" {
			t.Errorf("findings %q\n%s", outs["findings"], stdout)
		}
		apiMu.Lock()
		defer apiMu.Unlock()
		asked := strings.Join(apiSeen, "\n")
		if !strings.Contains(asked, "/repos/o/r") || !strings.Contains(asked, "ghs_test-token") {
			t.Errorf("the audit did not ask the API about o/r with the token; requests:\n%s", asked)
		}
	})

	// A pull request from a fork that adds a key and, in the same change,
	// allow-lists its folder in .rampart.toml. The Action reads the
	// configuration from the base (main, which has none): the key fails the
	// check, in the default mode and with scan-history.
	pw := &prWorld{geWorld: w, base: high, next: 7}
	prN, prHead := pw.pr(map[string]string{"pr/k.env": keyFile("pr"), ".rampart.toml": "[allowlist]\npaths = [\"pr/\"]\n"})
	prPayload := map[string]any{"action": "opened", "number": prN,
		"pull_request": map[string]any{"number": prN,
			"base": map[string]any{"ref": "main", "sha": high}, "head": map[string]any{"ref": "topic7", "sha": prHead}},
		"repository": map[string]any{"full_name": "o/r", "default_branch": "main"}}
	for _, c := range []struct {
		name   string
		depth  int
		inputs map[string]string
	}{
		{"pull request allow-listing its own key", 1, map[string]string{"sarif": "off"}},
		{"pull request allow-listing its own key, history", 0, map[string]string{"sarif": "off", "scan-history": "true"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ws := pw.checkoutPR(t, "ws-pr-"+strconv.Itoa(c.depth), prN, c.depth)
			code, _, stdout, summary, _ := runActionEvent(t, "pr-"+strconv.Itoa(c.depth), ws, "pull_request", prPayload, c.inputs, nil)
			if code != 1 || !strings.Contains(stdout, "::error file=pr/k.env,line=1,") {
				t.Errorf("exit %d; want 1 and the key in pr/k.env annotated\n%s", code, stdout)
			}
			if !strings.Contains(summary, "was NOT used") {
				t.Errorf("the summary does not say the pull request's configuration was not used:\n%s", summary)
			}
		})
	}

	t.Run("clean push", func(t *testing.T) {
		t.Parallel()
		code, outs, stdout, summary, _ := runAction(t, "clean", leaked, clean, nil)
		if code != 0 || outs["findings"] != "0" {
			t.Errorf("exit %d, findings %q\n%s", code, outs["findings"], stdout)
		}
		if !strings.Contains(summary, "## rampart: no credentials found") || !strings.Contains(summary, "Scanned 1 commit") {
			t.Errorf("summary:\n%s", summary)
		}
		if strings.Contains(stdout, "::error") {
			t.Errorf("annotations for a clean push:\n%s", stdout)
		}
	})
}

// TestGoreleaserTargets keeps .goreleaser.yaml, the CI cross-compile list
// and the version variables in step.
func TestGoreleaserTargets(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	src, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseActYAML(string(src))
	if err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	build := cfg["builds"].([]any)[0].(map[string]any)
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	if env := strings.Join(strs(build["env"]), " "); env != "CGO_ENABLED=0" {
		t.Errorf("env %q: want a static build (CGO_ENABLED=0)", env)
	}
	ldflags := strings.Join(strs(build["ldflags"]), " ")
	for _, v := range []string{"main.version={{.Version}}", "main.commit={{.Commit}}", "main.date={{.Date}}"} {
		if !strings.Contains(ldflags, "-X "+v) {
			t.Errorf("ldflags %q do not set %s", ldflags, v)
		}
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	for _, goos := range strs(build["goos"]) {
		for _, goarch := range strs(build["goarch"]) {
			if !bytes.Contains(ci, []byte(goos+"/"+goarch)) {
				t.Errorf(".ci/run does not cross-compile %s/%s, which is released", goos, goarch)
			}
		}
	}
	if n := len(strs(build["goos"])) * len(strs(build["goarch"])); n != 6 {
		t.Errorf("%d release targets, want linux, darwin, windows × amd64, arm64", n)
	}
}
