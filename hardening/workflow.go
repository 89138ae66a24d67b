package hardening

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// workflow is the part of a GitHub Actions workflow file the checks read,
// with line numbers.
type workflow struct {
	Path        string
	On          []string
	Permissions wfPermissions
	Jobs        []wfJob
}

type wfPermissions struct {
	Present  bool
	WriteAll bool
	Line     int
}

type wfJob struct {
	ID          string
	Line        int
	Uses        string // reusable workflow
	UsesLine    int
	Permissions wfPermissions
	Steps       []wfStep
}

type wfStep struct {
	Line     int
	Uses     string
	UsesLine int
	Run      string
	RunLine  int
	With     map[string]wfValue
}

type wfValue struct {
	Value string
	Line  int
}

// parseWorkflow parses one workflow file. It never panics on hostile input:
// yaml.v3 returns errors, and every node access below checks the kind.
func parseWorkflow(path, content string) (*workflow, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	w := &workflow{Path: path}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse %s: not a mapping", path)
	}
	root := doc.Content[0]
	eachPair(root, func(k, v *yaml.Node) {
		switch k.Value {
		case "on", "true": // "true" when a YAML 1.1 tool wrote the key unquoted
			w.On = events(v)
		case "permissions":
			w.Permissions = permissionsOf(v)
		case "jobs":
			eachPair(v, func(jk, jv *yaml.Node) {
				w.Jobs = append(w.Jobs, jobOf(jk.Value, jk.Line, jv))
			})
		}
	})
	return w, nil
}

func eachPair(n *yaml.Node, f func(k, v *yaml.Node)) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		f(n.Content[i], n.Content[i+1])
	}
}

func events(v *yaml.Node) []string {
	switch v.Kind {
	case yaml.ScalarNode:
		return []string{v.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
		return out
	case yaml.MappingNode:
		var out []string
		eachPair(v, func(k, _ *yaml.Node) { out = append(out, k.Value) })
		return out
	}
	return nil
}

func permissionsOf(v *yaml.Node) wfPermissions {
	p := wfPermissions{Present: true, Line: v.Line}
	if v.Kind == yaml.ScalarNode && v.Value == "write-all" {
		p.WriteAll = true
	}
	return p
}

func jobOf(id string, line int, v *yaml.Node) wfJob {
	j := wfJob{ID: id, Line: line}
	eachPair(v, func(k, val *yaml.Node) {
		switch k.Value {
		case "uses":
			j.Uses, j.UsesLine = val.Value, val.Line
		case "permissions":
			j.Permissions = permissionsOf(val)
		case "steps":
			if val.Kind != yaml.SequenceNode {
				return
			}
			for _, s := range val.Content {
				j.Steps = append(j.Steps, stepOf(s))
			}
		}
	})
	return j
}

func stepOf(v *yaml.Node) wfStep {
	s := wfStep{Line: v.Line, With: map[string]wfValue{}}
	eachPair(v, func(k, val *yaml.Node) {
		switch k.Value {
		case "uses":
			s.Uses, s.UsesLine = val.Value, val.Line
		case "run":
			s.Run, s.RunLine = val.Value, val.Line
		case "with":
			eachPair(val, func(wk, wv *yaml.Node) {
				s.With[wk.Value] = wfValue{Value: wv.Value, Line: wv.Line}
			})
		}
	})
	return s
}

// actionName returns "owner/repo" of a uses: reference, lower-cased.
func actionName(uses string) string {
	name, _, _ := strings.Cut(uses, "@")
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 {
		return strings.ToLower(name)
	}
	return strings.ToLower(parts[0] + "/" + parts[1])
}

// workflowFinding is one problem in one file.
type workflowFinding struct {
	loc  Location
	text string
}

// workflowScan parses every workflow file of the repository and applies f
// to each; it turns the findings into an outcome. clean is the evidence for
// a pass.
func workflowScan(in Input, clean string, f func(w *workflow) []workflowFinding) Outcome {
	wf := in.Repo.Workflows
	if !wf.OK() {
		return unknown("workflow files", wf.Read)
	}
	if len(wf.Files) == 0 {
		return pass("no workflow files in .github/workflows")
	}
	var found []workflowFinding
	var unreadable, invalid []string
	for _, file := range wf.Files {
		if !file.OK() {
			unreadable = append(unreadable, file.Path)
			continue
		}
		w, err := parseWorkflow(file.Path, file.Content)
		if err != nil {
			invalid = append(invalid, file.Path)
			continue
		}
		found = append(found, f(w)...)
	}
	return workflowOutcome(found, unreadable, invalid, len(wf.Files), clean)
}

func workflowOutcome(found []workflowFinding, unreadable, invalid []string, files int, clean string) Outcome {
	note := ""
	if len(invalid) > 0 {
		note = fmt.Sprintf(" (not valid YAML, so GitHub does not run it: %s)", strings.Join(invalid, ", "))
	}
	if len(found) > 0 {
		sort.SliceStable(found, func(i, j int) bool {
			if found[i].loc.Path != found[j].loc.Path {
				return found[i].loc.Path < found[j].loc.Path
			}
			return found[i].loc.Line < found[j].loc.Line
		})
		texts := make([]string, len(found))
		locs := make([]Location, len(found))
		for i, x := range found {
			texts[i] = fmt.Sprintf("%s:%d: %s", x.loc.Path, x.loc.Line, x.text)
			locs[i] = x.loc
		}
		o := fail("%s%s", listSome(texts, 10), note)
		o.Locations = locs
		return o
	}
	if len(unreadable) > 0 {
		return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf("could not read %s%s", strings.Join(unreadable, ", "), note)}
	}
	return pass("%d workflow %s: %s%s", files, pluralWord(files, "file", "files"), clean, note)
}

var checkoutRefRE = regexp.MustCompile(`github\.event\.pull_request\.head\.|github\.head_ref|github\.event\.workflow_run\.head_|github\.event\.pull_request\.merge_commit_sha|refs/pull/|github\.event\.workflow_run\.pull_requests`)

var exprRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// attackerContext matches expression contexts an outside contributor can
// choose the value of.
var attackerContext = regexp.MustCompile(`github\.event\.[A-Za-z0-9_.*\[\]'"-]+|github\.head_ref`)

// safeEventField matches github.event fields that are numbers, IDs, hashes
// or booleans, which cannot carry shell syntax.
var safeEventField = regexp.MustCompile(`(\.number|\.id|_id|\.sha|_sha|\.draft|\.merged|\.forced|\.size|_at|\.additions|\.deletions|\.commits|\.run_number|\.run_attempt)$`)

var shaRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

var workflowChecks = []*Check{
	{
		ID: "workflow-untrusted-checkout", Title: "Privileged workflows do not check out pull-request code",
		Scope: ScopeRepo, Severity: SeverityCritical, Permission: PermContents,
		Remediation: "In workflows triggered by pull_request_target or workflow_run, do not check out the pull request's head (or run its code); " +
			"move the build to a pull_request workflow without secrets and pass results as artifacts. See https://securitylab.github.com/research/github-actions-preventing-pwn-requests/.",
		Run: func(in Input, _ *Policy) Outcome {
			return workflowScan(in, "no privileged trigger checks out pull-request code", func(w *workflow) []workflowFinding {
				var trig []string
				for _, e := range w.On {
					if e == "pull_request_target" || e == "workflow_run" {
						trig = append(trig, e)
					}
				}
				if len(trig) == 0 {
					return nil
				}
				var out []workflowFinding
				for _, j := range w.Jobs {
					for _, s := range j.Steps {
						if actionName(s.Uses) == "actions/checkout" {
							for _, key := range []string{"ref", "repository"} {
								if v, ok := s.With[key]; ok && checkoutRefRE.MatchString(v.Value) {
									out = append(out, workflowFinding{Location{w.Path, v.Line},
										fmt.Sprintf("job %s checks out %s on %s", j.ID, strings.TrimSpace(v.Value), strings.Join(trig, ", "))})
								}
							}
						}
						if s.Run != "" && (strings.Contains(s.Run, "gh pr checkout") || checkoutRefRE.MatchString(s.Run) && strings.Contains(s.Run, "git ")) {
							out = append(out, workflowFinding{Location{w.Path, s.RunLine},
								fmt.Sprintf("job %s fetches pull-request code in run: on %s", j.ID, strings.Join(trig, ", "))})
						}
					}
				}
				return out
			})
		},
	},
	{
		ID: "workflow-script-injection", Title: "No untrusted expressions interpolated into run:",
		Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermContents,
		Remediation: "Pass the value through an environment variable and quote it in the shell: " +
			"`env: TITLE: ${{ github.event.issue.title }}` then `run: echo \"$TITLE\"`.",
		Run: func(in Input, _ *Policy) Outcome {
			return workflowScan(in, "no github.event expressions in run: scripts", func(w *workflow) []workflowFinding {
				var out []workflowFinding
				for _, j := range w.Jobs {
					for _, s := range j.Steps {
						scripts := []wfValue{{s.Run, s.RunLine}}
						if actionName(s.Uses) == "actions/github-script" {
							scripts = append(scripts, s.With["script"])
						}
						for _, sc := range scripts {
							for _, m := range exprRE.FindAllStringSubmatch(sc.Value, -1) {
								for _, ctx := range attackerContext.FindAllString(m[1], -1) {
									if safeEventField.MatchString(ctx) {
										continue
									}
									out = append(out, workflowFinding{Location{w.Path, sc.Line},
										fmt.Sprintf("job %s interpolates ${{ %s }} into a script", j.ID, ctx)})
								}
							}
						}
					}
				}
				return out
			})
		},
	},
	{
		ID: "workflow-unpinned-actions", Title: "Third-party actions pinned to a full commit SHA",
		Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermContents,
		Remediation: "Pin each listed action to the full 40-character commit SHA of the release you trust, with the tag in a comment " +
			"(`uses: owner/action@<sha> # v1.2.3`); let Dependabot or Renovate update the pins.",
		Run: func(in Input, p *Policy) Outcome {
			trusted := map[string]bool{}
			for _, o := range p.TrustedActionOwners {
				trusted[strings.ToLower(o)] = true
			}
			return workflowScan(in, "every third-party action is pinned to a commit SHA", func(w *workflow) []workflowFinding {
				var out []workflowFinding
				check := func(jobID, uses string, line int) {
					uses = strings.TrimSpace(uses)
					switch {
					case uses == "", strings.HasPrefix(uses, "./"):
						return
					case strings.HasPrefix(uses, "docker://"):
						if !strings.Contains(uses, "@sha256:") {
							out = append(out, workflowFinding{Location{w.Path, line}, fmt.Sprintf("job %s uses %s without a digest", jobID, uses)})
						}
						return
					}
					name, ref, _ := strings.Cut(uses, "@")
					owner, _, _ := strings.Cut(name, "/")
					if trusted[strings.ToLower(owner)] || shaRE.MatchString(ref) {
						return
					}
					if ref == "" {
						ref = "(no ref)"
					}
					out = append(out, workflowFinding{Location{w.Path, line}, fmt.Sprintf("job %s uses %s at %s", jobID, name, ref)})
				}
				for _, j := range w.Jobs {
					check(j.ID, j.Uses, j.UsesLine)
					for _, s := range j.Steps {
						check(j.ID, s.Uses, s.UsesLine)
					}
				}
				return out
			})
		},
	},
	{
		ID: "workflow-excessive-permissions", Title: "Workflows declare least-privilege token permissions",
		Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermContents,
		Remediation: "Add a top-level `permissions: contents: read` (or `permissions: {}`) to each listed workflow and grant writes per job; " +
			"or make the repository's default token read-only (see repo-actions-token-permissions).",
		Run: func(in Input, _ *Policy) Outcome {
			def, defKnown := defaultTokenPermission(in)
			var missing []workflowFinding
			o := workflowScan(in, "", func(w *workflow) []workflowFinding {
				var out []workflowFinding
				if w.Permissions.WriteAll {
					out = append(out, workflowFinding{Location{w.Path, w.Permissions.Line}, "permissions: write-all for every job"})
				}
				for _, j := range w.Jobs {
					if j.Permissions.WriteAll {
						out = append(out, workflowFinding{Location{w.Path, j.Permissions.Line}, fmt.Sprintf("job %s has permissions: write-all", j.ID)})
					}
					if !w.Permissions.Present && !j.Permissions.Present && j.Uses == "" {
						missing = append(missing, workflowFinding{Location{w.Path, j.Line}, fmt.Sprintf("job %s has no permissions: block", j.ID)})
					}
				}
				return out
			})
			if o.Status != StatusPass {
				return o
			}
			switch {
			case len(missing) == 0:
				o.Evidence = strings.Replace(o.Evidence, ": ", ": every job declares its permissions", 1)
				return o
			case !defKnown:
				return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf(
					"%d %s without a permissions: block rely on the default token permission, which %s",
					len(missing), pluralWord(len(missing), "job", "jobs"), in.Repo.WorkflowPermissions.Why())}
			case def == "read":
				o.Evidence = strings.Replace(o.Evidence, ": ", fmt.Sprintf(": %d %s without a permissions: block, but the default token is read-only", len(missing), pluralWord(len(missing), "job", "jobs")), 1)
				return o
			}
			out := workflowOutcome(missing, nil, nil, len(in.Repo.Workflows.Files), "")
			out.Evidence += " (the default token can write)"
			return out
		},
	},
	{
		ID: "workflow-static-aws-keys", Title: "AWS access through OIDC, not long-lived keys",
		Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermContents,
		Remediation: "Replace aws-access-key-id / aws-secret-access-key with `role-to-assume:` and `permissions: id-token: write` " +
			"(GitHub's OIDC provider in IAM), then delete the IAM user's access keys and the repository secrets.",
		Run: func(in Input, _ *Policy) Outcome {
			return workflowScan(in, "no long-lived AWS keys passed to configure-aws-credentials", func(w *workflow) []workflowFinding {
				var out []workflowFinding
				for _, j := range w.Jobs {
					for _, s := range j.Steps {
						if actionName(s.Uses) != "aws-actions/configure-aws-credentials" {
							continue
						}
						if v, ok := s.With["aws-access-key-id"]; ok {
							out = append(out, workflowFinding{Location{w.Path, v.Line},
								fmt.Sprintf("job %s passes a static access key (%s) to configure-aws-credentials", j.ID, strings.TrimSpace(v.Value))})
						}
					}
				}
				return out
			})
		},
	},
}

// defaultTokenPermission is the repository's default GITHUB_TOKEN
// permission: its own setting, or "read" when the organisation restricts it
// (a restricted organisation default forces every repository to read).
func defaultTokenPermission(in Input) (string, bool) {
	if w := in.Repo.WorkflowPermissions; w.OK() && w.Default != "" {
		return w.Default, true
	}
	if in.Snapshot != nil && in.Snapshot.Org != nil {
		if w := in.Snapshot.Org.WorkflowPermissions; w.OK() && w.Default == "read" {
			return "read", true
		}
	}
	return "", false
}
