package hardening

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

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
	// Writes lists the scopes granted write ("contents", "packages", …),
	// with write-all as "write-all".
	Writes []string
}

type wfJob struct {
	ID          string
	Line        int
	Uses        string // reusable workflow
	UsesLine    int
	Permissions wfPermissions
	Steps       []wfStep
	// RunsOn are the runs-on labels (a string, a list, or a map's labels),
	// RunsOnGroup the runner group of the map form; RunsOnLine points at them.
	RunsOn      []string
	RunsOnGroup string
	RunsOnLine  int
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
		p.Writes = []string{"write-all"}
	}
	eachPair(v, func(k, val *yaml.Node) {
		if val.Kind == yaml.ScalarNode && val.Value == "write" {
			p.Writes = append(p.Writes, k.Value)
		}
	})
	return p
}

// runsOnOf reads runs-on: a label, a list of labels, or a map with group
// and labels.
func runsOnOf(v *yaml.Node) (labels []string, group string) {
	switch v.Kind {
	case yaml.ScalarNode:
		return []string{v.Value}, ""
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if c.Kind == yaml.ScalarNode {
				labels = append(labels, c.Value)
			}
		}
	case yaml.MappingNode:
		eachPair(v, func(k, val *yaml.Node) {
			switch k.Value {
			case "group":
				group = val.Value
			case "labels":
				l, _ := runsOnOf(val)
				labels = append(labels, l...)
			}
		})
	}
	return labels, group
}

func jobOf(id string, line int, v *yaml.Node) wfJob {
	j := wfJob{ID: id, Line: line}
	eachPair(v, func(k, val *yaml.Node) {
		switch k.Value {
		case "uses":
			j.Uses, j.UsesLine = val.Value, val.Line
		case "permissions":
			j.Permissions = permissionsOf(val)
		case "runs-on":
			j.RunsOn, j.RunsOnGroup = runsOnOf(val)
			j.RunsOnLine = val.Line
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

// workflowFinding is one problem in one file. branches is set for files
// found only on branches other than the default one.
type workflowFinding struct {
	loc      Location
	text     string
	branches []string
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
	found, unreadable, invalid := scanFiles(wf.Files, nil, f)
	return workflowOutcome(found, unreadable, invalid, len(wf.Files), clean)
}

// scanFiles applies f to each readable, parseable file; keep, if set,
// selects which parsed workflows are judged.
func scanFiles(files []WorkflowFile, keep func(*workflow) bool, f func(w *workflow) []workflowFinding) (found []workflowFinding, unreadable, invalid []string) {
	for _, file := range files {
		if !file.OK() {
			unreadable = append(unreadable, file.Path)
			continue
		}
		w, err := parseWorkflow(file.Path, file.Content)
		if err != nil {
			invalid = append(invalid, file.Path)
			continue
		}
		if keep != nil && !keep(w) {
			continue
		}
		found = append(found, f(w)...)
	}
	return found, unreadable, invalid
}

func triggeredBy(w *workflow, events ...string) bool {
	for _, e := range w.On {
		for _, want := range events {
			if e == want {
				return true
			}
		}
	}
	return false
}

// workflowScanAllBranches is workflowScan over the default branch plus the
// pull_request_target workflows found only on other branches: a pull
// request opened against any branch runs that branch's
// pull_request_target workflows, with secrets and a write token.
func workflowScanAllBranches(in Input, clean string, f func(w *workflow) []workflowFinding) Outcome {
	wf, bw := in.Repo.Workflows, in.Repo.BranchWorkflows
	if !wf.OK() {
		return unknown("workflow files", wf.Read)
	}
	found, unreadable, invalid := scanFiles(wf.Files, nil, f)
	for _, file := range bw.Files {
		if !file.OK() {
			unreadable = append(unreadable, file.Path+" on "+listSome(file.Branches, 3))
			continue
		}
		more, _, _ := scanFiles([]WorkflowFile{file.WorkflowFile}, func(w *workflow) bool { return triggeredBy(w, "pull_request_target") }, f)
		for i := range more {
			more[i].branches = file.Branches
		}
		found = append(found, more...)
	}
	if len(found) == 0 && len(unreadable) == 0 {
		switch {
		case bw.State == NotCollected:
			// A snapshot from before branch workflows were collected.
		case !bw.OK():
			return unknown(fmt.Sprintf("%d workflow %s on %s checked; workflows on other branches", len(wf.Files), pluralWord(len(wf.Files), "file", "files"), in.Repo.DefaultBranch), bw.Read)
		case len(bw.Unread) > 0:
			return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf("workflows on %d %s not read: %s", len(bw.Unread),
				pluralWord(len(bw.Unread), "branch", "branches"), listSome(bw.Unread, 10))}
		}
	}
	o := workflowOutcome(found, unreadable, invalid, len(wf.Files), clean)
	if o.Status == StatusPass && bw.OK() && bw.Branches > 0 {
		o.Evidence += fmt.Sprintf(" (and the pull_request_target workflows of %d other %s)", bw.Branches, pluralWord(bw.Branches, "branch", "branches"))
	}
	if len(wf.Files) == 0 && len(bw.Files) == 0 && o.Status == StatusPass {
		return pass("no workflow files in .github/workflows")
	}
	return o
}

func workflowOutcome(found []workflowFinding, unreadable, invalid []string, files int, clean string) Outcome {
	note := ""
	if len(invalid) > 0 {
		note = fmt.Sprintf(" (not valid YAML, so GitHub does not run it: %s)", strings.Join(invalid, ", "))
	}
	if len(found) > 0 {
		sort.SliceStable(found, func(i, j int) bool {
			if (len(found[i].branches) == 0) != (len(found[j].branches) == 0) {
				return len(found[i].branches) == 0
			}
			if found[i].loc.Path != found[j].loc.Path {
				return found[i].loc.Path < found[j].loc.Path
			}
			return found[i].loc.Line < found[j].loc.Line
		})
		texts := make([]string, len(found))
		var locs []Location
		for i, x := range found {
			if len(x.branches) > 0 {
				texts[i] = fmt.Sprintf("%s:%d on branch %s: %s", x.loc.Path, x.loc.Line, listSome(x.branches, 3), x.text)
				continue
			}
			texts[i] = fmt.Sprintf("%s:%d: %s", x.loc.Path, x.loc.Line, x.text)
			locs = append(locs, x.loc)
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

var checkoutRefRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`github\.event\.pull_request\.head\.|github\.head_ref|github\.event\.workflow_run\.head_|github\.event\.pull_request\.merge_commit_sha|refs/pull/|github\.event\.workflow_run\.pull_requests`)
})

var exprRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`) })

// attackerContext matches expression contexts an outside contributor can
// choose the value of.
var attackerContext = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`github\.event\.[A-Za-z0-9_.*\[\]'"-]+|github\.head_ref`)
})

// safeEventField matches github.event fields that are numbers, IDs, hashes
// or booleans, which cannot carry shell syntax.
var safeEventField = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(\.number|\.id|_id|\.sha|_sha|\.draft|\.merged|\.forced|\.size|_at|\.additions|\.deletions|\.commits|\.run_number|\.run_attempt)$`)
})

var shaRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{40}$`) })

// wholeEventRE matches an expression that serialises the whole event or
// the whole github context: toJSON(github.event), toJson(github), or a bare
// github.event. Expression function and context names are case-insensitive.
var wholeEventRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)tojson\(\s*github(\.event)?\s*\)|^\s*github\.event\s*$`)
})

var workflowChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "workflow-untrusted-checkout", Title: "Privileged workflows do not check out pull-request code",
			Scope: ScopeRepo, Severity: SeverityCritical, Permission: PermContents,
			Remediation: "In workflows triggered by pull_request_target or workflow_run, do not check out the pull request's head (or run its code); " +
				"move the build to a pull_request workflow without secrets and pass results as artifacts. See https://securitylab.github.com/research/github-actions-preventing-pwn-requests/.",
			Run: func(in Input, _ *Policy) Outcome {
				return workflowScanAllBranches(in, "no privileged trigger checks out pull-request code", func(w *workflow) []workflowFinding {
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
									if v, ok := s.With[key]; ok && checkoutRefRE().MatchString(v.Value) {
										out = append(out, workflowFinding{loc: Location{w.Path, v.Line},
											text: fmt.Sprintf("job %s checks out %s on %s", j.ID, strings.TrimSpace(v.Value), strings.Join(trig, ", "))})
									}
								}
							}
							if s.Run != "" && (strings.Contains(s.Run, "gh pr checkout") || checkoutRefRE().MatchString(s.Run) && strings.Contains(s.Run, "git ")) {
								out = append(out, workflowFinding{loc: Location{w.Path, s.RunLine},
									text: fmt.Sprintf("job %s fetches pull-request code in run: on %s", j.ID, strings.Join(trig, ", "))})
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
				return workflowScanAllBranches(in, "no github.event expressions in run: scripts", func(w *workflow) []workflowFinding {
					var out []workflowFinding
					for _, j := range w.Jobs {
						for _, s := range j.Steps {
							scripts := []wfValue{{s.Run, s.RunLine}}
							if actionName(s.Uses) == "actions/github-script" {
								scripts = append(scripts, s.With["script"])
							}
							for _, sc := range scripts {
								for _, m := range exprRE().FindAllStringSubmatch(sc.Value, -1) {
									for _, ctx := range attackerContext().FindAllString(m[1], -1) {
										if safeEventField().MatchString(ctx) {
											continue
										}
										out = append(out, workflowFinding{loc: Location{w.Path, sc.Line},
											text: fmt.Sprintf("job %s interpolates ${{ %s }} into a script", j.ID, ctx)})
									}
									// toJSON(github.event) or toJSON(github) dumps
									// every attacker-chosen field at once.
									for _, d := range wholeEventRE().FindAllStringSubmatch(m[1], -1) {
										out = append(out, workflowFinding{loc: Location{w.Path, sc.Line},
											text: fmt.Sprintf("job %s interpolates ${{ %s }} (every field of the event, titles and bodies included) into a script", j.ID, strings.TrimSpace(d[0]))})
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
								out = append(out, workflowFinding{loc: Location{w.Path, line}, text: fmt.Sprintf("job %s uses %s without a digest", jobID, uses)})
							}
							return
						}
						name, ref, _ := strings.Cut(uses, "@")
						owner, _, _ := strings.Cut(name, "/")
						if trusted[strings.ToLower(owner)] || shaRE().MatchString(ref) {
							return
						}
						if ref == "" {
							ref = "(no ref)"
						}
						out = append(out, workflowFinding{loc: Location{w.Path, line}, text: fmt.Sprintf("job %s uses %s at %s", jobID, name, ref)})
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
						out = append(out, workflowFinding{loc: Location{w.Path, w.Permissions.Line}, text: "permissions: write-all for every job"})
					}
					for _, j := range w.Jobs {
						if j.Permissions.WriteAll {
							out = append(out, workflowFinding{loc: Location{w.Path, j.Permissions.Line}, text: fmt.Sprintf("job %s has permissions: write-all", j.ID)})
						}
						if !w.Permissions.Present && !j.Permissions.Present && j.Uses == "" {
							missing = append(missing, workflowFinding{loc: Location{w.Path, j.Line}, text: fmt.Sprintf("job %s has no permissions: block", j.ID)})
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
								out = append(out, workflowFinding{loc: Location{w.Path, v.Line},
									text: fmt.Sprintf("job %s passes a static access key (%s) to configure-aws-credentials", j.ID, strings.TrimSpace(v.Value))})
							}
						}
					}
					return out
				})
			},
		},
	}
})

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

var moreWorkflowChecks = sync.OnceValue(func() []*Check {
	return []*Check{
		{
			ID: "workflow-self-hosted-runners", Title: "Public repositories run no jobs on self-hosted runners",
			Scope: ScopeRepo, Severity: SeverityHigh, Permission: PermContents,
			Remediation: "Run public repositories' jobs on GitHub-hosted runners (`runs-on: ubuntu-latest`): a pull request from a fork can run code on a self-hosted machine " +
				"and persist there. If one is unavoidable, make it ephemeral (`./config.sh --ephemeral`, one job per fresh VM), keep it in a runner group of its own, " +
				"and require approval for every outside contributor (Settings → Actions → Approval for running fork pull request workflows).",
			Run: func(in Input, _ *Policy) Outcome {
				if !isPublic(in.Repo) {
					return pass("%s repository: only people with access can trigger its workflows", visibilityOf(in.Repo))
				}
				return workflowScan(in, "no job runs on a self-hosted runner", func(w *workflow) []workflowFinding {
					var out []workflowFinding
					for _, j := range w.Jobs {
						for _, l := range j.RunsOn {
							if strings.EqualFold(strings.TrimSpace(l), "self-hosted") {
								out = append(out, workflowFinding{loc: Location{w.Path, j.RunsOnLine},
									text: fmt.Sprintf("job %s runs on self-hosted (%s)", j.ID, strings.Join(j.RunsOn, ", "))})
								break
							}
						}
					}
					return out
				})
			},
		},
		{
			ID: "workflow-top-level-permissions", Title: "No write permission granted at the top level of a workflow",
			Scope: ScopeRepo, Severity: SeverityMedium, Permission: PermContents,
			Remediation: "Start each listed workflow with `permissions: contents: read` (or `permissions: {}`) and grant each write scope only to the job that needs it " +
				"(`jobs.<id>.permissions`): a top-level grant reaches every job, every third-party action in it, and every step an attacker can inject into.",
			Run: func(in Input, _ *Policy) Outcome {
				def, defKnown := defaultTokenPermission(in)
				var bare []string
				o := workflowScan(in, "", func(w *workflow) []workflowFinding {
					if !w.Permissions.Present {
						bare = append(bare, w.Path)
						if def == "write" {
							return []workflowFinding{{loc: Location{w.Path, 1},
								text: "no top-level permissions: block, and the default token can write: every job gets write access"}}
						}
						return nil
					}
					if len(w.Permissions.Writes) == 0 {
						return nil
					}
					return []workflowFinding{{loc: Location{w.Path, w.Permissions.Line},
						text: fmt.Sprintf("top-level permissions grant %s to every job", strings.Join(writeScopes(w.Permissions.Writes), ", "))}}
				})
				if o.Status != StatusPass {
					return o
				}
				switch {
				case len(bare) == 0:
					o.Evidence = strings.Replace(o.Evidence, ": ", ": every top-level permissions: block is read-only", 1)
				case !defKnown:
					return Outcome{Status: StatusUnknown, Evidence: fmt.Sprintf("%d %s without a top-level permissions: block (%s) rely on the default token permission, which %s",
						len(bare), pluralWord(len(bare), "workflow", "workflows"), listSome(bare, 5), in.Repo.WorkflowPermissions.Why())}
				default:
					o.Evidence = strings.Replace(o.Evidence, ": ", fmt.Sprintf(": no top-level write; %d without a top-level block, but the default token is read-only", len(bare)), 1)
				}
				return o
			},
		},
	}
})

// writeScopes renders granted scopes as "contents: write".
func writeScopes(scopes []string) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		if s == "write-all" {
			out[i] = s
			continue
		}
		out[i] = s + ": write"
	}
	return out
}
