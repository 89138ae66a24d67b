// Package examples holds working configurations for the engines rampart
// runs on; its tests check them with those engines' own tools: actionlint
// (as a library) for the GitHub Actions workflow, Kubernetes' API types
// (strict decoding) for the Indexed Job.
package examples_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// shellcheck returns the shellcheck binary: CI installs it, so there the
// scripts are always checked; locally they are checked when it is present.
func shellcheck(t *testing.T) string {
	if p, err := exec.LookPath("shellcheck"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("shellcheck is not installed: CI must install it (apt-get install -y shellcheck)")
	}
	t.Log("shellcheck not installed: run: scripts are not checked")
	return ""
}

func TestGitHubActionsWorkflow(t *testing.T) {
	t.Parallel()
	path := filepath.Join("github-actions", "org-secrets.yml")
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Shellcheck: shellcheck(t)})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("actionlint: %s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
	}

	// What the example promises: N shard jobs caching their mirrors, then
	// a merge job uploading HTML and SARIF.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Env  map[string]string `yaml:"env"`
		Jobs map[string]struct {
			Needs    any `yaml:"needs"`
			Strategy struct {
				Matrix struct {
					Shard []int `yaml:"shard"`
				} `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(wf.Env["SHARDS"])
	scan, merge := wf.Jobs["scan"], wf.Jobs["merge"]
	if n < 2 || len(scan.Strategy.Matrix.Shard) != n {
		t.Fatalf("SHARDS=%q but the matrix has %v", wf.Env["SHARDS"], scan.Strategy.Matrix.Shard)
	}
	for i, s := range scan.Strategy.Matrix.Shard {
		if s != i {
			t.Errorf("matrix shard %d is %d: shards must be 0 … N-1", i, s)
		}
	}
	var cachePath, scanRun string
	for _, s := range scan.Steps {
		if strings.HasPrefix(s.Uses, "actions/cache@") {
			cachePath = s.With["path"]
		}
		if strings.Contains(s.Run, "rampart scan --org") {
			scanRun = s.Run
		}
	}
	if cachePath == "" || !strings.Contains(scanRun, "--mirror-dir "+cachePath) || !strings.Contains(scanRun, `--shard "$SHARD/$SHARDS"`) {
		t.Errorf("the scan step must shard and keep its mirrors in the cached path %q:\n%s", cachePath, scanRun)
	}
	if merge.Needs != "scan" {
		t.Errorf("merge needs %v", merge.Needs)
	}
	var mergeRun, uploaded string
	for _, s := range merge.Steps {
		mergeRun += s.Run
		if strings.HasPrefix(s.Uses, "actions/upload-artifact@") {
			uploaded += s.With["path"]
		}
	}
	for _, want := range []string{"--format html --output secrets.html", "--format sarif --output secrets.sarif"} {
		if !strings.Contains(mergeRun, "rampart report merge shard-*.json "+want) {
			t.Errorf("the merge job does not run %q", want)
		}
	}
	if !strings.Contains(uploaded, "secrets.html") || !strings.Contains(uploaded, "secrets.sarif") {
		t.Errorf("the merge job uploads %q", uploaded)
	}
}

func TestKubernetesIndexedJob(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("kubernetes", "org-scan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pvcs := map[string]bool{}
	var jobs []*batchv1.Job
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := sigsyaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		// Strict: a misspelt or misplaced field is an error, as kubectl
		// --validate=strict would make it.
		switch tm.Kind {
		case "PersistentVolumeClaim":
			var pvc corev1.PersistentVolumeClaim
			if err := sigsyaml.UnmarshalStrict([]byte(doc), &pvc); err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			pvcs[pvc.Name] = true
		case "Job":
			var job batchv1.Job
			if err := sigsyaml.UnmarshalStrict([]byte(doc), &job); err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			jobs = append(jobs, &job)
		default:
			t.Fatalf("document %d: unexpected kind %q", i, tm.Kind)
		}
	}
	if len(jobs) != 1 {
		t.Fatalf("%d Jobs, want 1", len(jobs))
	}
	job := jobs[0]
	spec := job.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("the Job is not Indexed")
	}
	c := spec.Template.Spec.Containers[0]
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	shards, _ := strconv.Atoi(env["SHARDS"].Value)
	if shards < 2 || spec.Completions == nil || int(*spec.Completions) != shards+1 || spec.Parallelism == nil || *spec.Parallelism != *spec.Completions {
		t.Errorf("SHARDS=%d: completions %v and parallelism %v must be SHARDS+1 (one merge index)", shards, spec.Completions, spec.Parallelism)
	}
	if tok := env["GITHUB_TOKEN"]; tok.Value != "" || tok.ValueFrom == nil || tok.ValueFrom.SecretKeyRef == nil {
		t.Error("the token must come from a Secret")
	}
	if r := env["RUN"]; r.ValueFrom == nil || r.ValueFrom.FieldRef == nil || !strings.Contains(r.ValueFrom.FieldRef.FieldPath, "controller-uid") {
		t.Error("reports must be kept apart per run (the Job's UID)")
	}
	script := strings.Join(c.Args, "\n")
	for _, want := range []string{`--shard "$JOB_COMPLETION_INDEX/$SHARDS"`, "--mirror-dir /mirrors", "report merge", "--format html", "--format sarif"} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	for _, v := range spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim == nil || !pvcs[v.PersistentVolumeClaim.ClaimName] {
			t.Errorf("volume %s names no claim of the manifest", v.Name)
		}
	}
	if mounts["mirrors"] != "/mirrors" {
		t.Errorf("mirrors mounted at %q", mounts["mirrors"])
	}
	// The script is POSIX sh: check it as such.
	if out, err := exec.Command("sh", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("sh -n: %v: %s", err, out)
	}
	if sc := shellcheck(t); sc != "" {
		cmd := exec.Command(sc, "--shell=sh", "-")
		cmd.Stdin = bytes.NewReader([]byte(script))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("shellcheck: %v\n%s", err, out)
		}
	}
}
