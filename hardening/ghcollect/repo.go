package ghcollect

import (
	"context"
	"errors"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rampart-sec/rampart/hardening"
)

// viewerPermission reads the token's own permission from the repository's
// permissions object.
func viewerPermission(r *github.Repository) string {
	p := r.Permissions
	for _, k := range []string{"admin", "maintain", "push", "triage", "pull"} {
		if p[k] {
			if k == "push" {
				return "write"
			}
			if k == "pull" {
				return "read"
			}
			return k
		}
	}
	return ""
}

// collaboratorPermission is a user's permission on the repository: the
// role name when GitHub gives one, else the highest permission flag.
func collaboratorPermission(u *github.User) string {
	if rn := u.GetRoleName(); rn != "" {
		return rn
	}
	for _, k := range []string{"admin", "maintain", "push", "triage", "pull"} {
		if u.Permissions[k] {
			switch k {
			case "push":
				return "write"
			case "pull":
				return "read"
			}
			return k
		}
	}
	return ""
}

// collectRepo reads everything the repository checks need. Every section
// records its own read state; nothing here fails the repository as a whole.
func (c *Collector) collectRepo(ctx context.Context, r *github.Repository, orgOutside map[string]bool) *hardening.RepoSnapshot {
	owner, name := r.GetOwner().GetLogin(), r.GetName()
	s := &hardening.RepoSnapshot{
		FullName: r.GetFullName(), Owner: owner, Name: name,
		OwnerIsOrg: r.GetOwner().GetType() == "Organization",
		Private:    r.GetPrivate(), Visibility: r.GetVisibility(), Archived: r.GetArchived(), Fork: r.GetFork(),
		DefaultBranch: r.GetDefaultBranch(), ViewerPermission: viewerPermission(r),
		AllowForking: ptrBool(r.AllowForking), PushedAt: r.GetPushedAt().Time,
	}
	if s.FullName == "" {
		s.FullName = owner + "/" + name
	}
	admin := s.IsAdmin()

	// security_and_analysis is shown to administrators only.
	switch sa := r.SecurityAndAnalysis; {
	case sa != nil:
		s.Security.Read = readOf(nil)
		if x := sa.SecretScanning; x != nil && x.Status != nil {
			v := x.GetStatus() == "enabled"
			s.Security.SecretScanning = &v
		}
		if x := sa.SecretScanningPushProtection; x != nil && x.Status != nil {
			v := x.GetStatus() == "enabled"
			s.Security.PushProtection = &v
		}
	case admin:
		s.Security.Read = readOf(nil) // admin, yet GitHub sent nothing: the fields stay unknown
	default:
		s.Security.Read = hardening.Read{State: hardening.ReadDenied, Detail: "security_and_analysis is shown to administrators only"}
	}

	// GetVulnerabilityAlerts answers false both for "disabled" and for
	// "you may not know" (both are 404): only an admin's false is false.
	enabled, _, err := c.gh.Repositories.GetVulnerabilityAlerts(ctx, owner, name)
	switch {
	case err != nil:
		s.DependabotAlerts.Read = readOf(err)
	case enabled:
		s.DependabotAlerts = hardening.Toggle{Read: readOf(nil), Enabled: true}
	case admin:
		s.DependabotAlerts = hardening.Toggle{Read: readOf(nil), Enabled: false}
	default:
		s.DependabotAlerts.Read = hardening.Read{State: hardening.ReadDenied,
			Detail: "vulnerability-alerts answers 404 both when disabled and without admin rights"}
	}

	if s.DefaultBranch != "" {
		s.Branch = c.collectBranch(ctx, owner, name, s.DefaultBranch)
	} else {
		s.Branch.Classic.Read = hardening.Read{State: hardening.ReadFailed, Detail: "the repository has no default branch (empty?)"}
		s.Branch.Rules.Read = s.Branch.Classic.Read
		s.Branch.Rulesets.Read = s.Branch.Classic.Read
	}

	s.Collaborators = c.collaborators(ctx, owner, name, "direct")
	switch {
	case !s.OwnerIsOrg:
		s.OutsideCollaborators = hardening.Collaborators{Read: readOf(nil)}
	case orgOutside != nil && s.Collaborators.OK():
		// Outside collaborators are always direct collaborators: pick them
		// out instead of asking again.
		s.OutsideCollaborators = hardening.Collaborators{Read: readOf(nil)}
		for _, u := range s.Collaborators.Users {
			if orgOutside[strings.ToLower(u.Login)] {
				s.OutsideCollaborators.Users = append(s.OutsideCollaborators.Users, u)
			}
		}
	default:
		s.OutsideCollaborators = c.collaborators(ctx, owner, name, "outside")
	}

	if s.OwnerIsOrg {
		var teams []hardening.TeamAccess
		err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
			page, resp, err := c.gh.Repositories.ListTeams(ctx, owner, name, &opt)
			for _, t := range page {
				teams = append(teams, hardening.TeamAccess{Slug: t.GetSlug(), Permission: t.GetPermission()})
			}
			return resp, err
		})
		s.Teams = hardening.Teams{Read: readOf(err)}
		if err == nil {
			s.Teams.Teams = teams
		}
	} else {
		s.Teams = hardening.Teams{Read: readOf(nil)}
	}

	var keys []hardening.DeployKey
	err = paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Repositories.ListKeys(ctx, owner, name, &opt)
		for _, k := range page {
			dk := hardening.DeployKey{ID: k.GetID(), Title: k.GetTitle(), ReadOnly: k.GetReadOnly(), CreatedAt: k.GetCreatedAt().Time}
			if k.LastUsed != nil {
				dk.LastUsed = k.LastUsed.Time
			}
			keys = append(keys, dk)
		}
		return resp, err
	})
	s.DeployKeys = hardening.DeployKeys{Read: readOf(err)}
	if err == nil {
		s.DeployKeys.Keys = keys
	}

	var hooks []*github.Hook
	err = paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Repositories.ListHooks(ctx, owner, name, &opt)
		hooks = append(hooks, page...)
		return resp, err
	})
	s.Webhooks = webhooksOf(hooks, err)

	if wp, _, err := c.gh.Repositories.GetDefaultWorkflowPermissions(ctx, owner, name); err != nil {
		s.WorkflowPermissions.Read = readOf(err)
	} else {
		s.WorkflowPermissions = hardening.WorkflowPermissions{Read: readOf(nil), Default: wp.GetDefaultWorkflowPermissions(), CanApprove: ptrBool(wp.CanApprovePullRequestReviews)}
	}

	s.Workflows = c.workflows(ctx, owner, name, s.DefaultBranch)

	// codeowners/errors answers 404 when there is no CODEOWNERS file. That
	// is only trustworthy when the token can read contents at all.
	ce, _, err := c.gh.Repositories.GetCodeownersErrors(ctx, owner, name, &github.GetCodeownersErrorsOptions{Ref: s.DefaultBranch})
	switch {
	case err == nil:
		s.CodeOwners = hardening.CodeOwners{Read: readOf(nil), Exists: true, Errors: len(ce.Errors)}
	case isStatus(err, http.StatusNotFound) && s.Workflows.OK():
		s.CodeOwners = hardening.CodeOwners{Read: readOf(nil), Exists: false}
	default:
		s.CodeOwners.Read = readOf(err)
	}

	var envs []hardening.Environment
	err = paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Repositories.ListEnvironments(ctx, owner, name, &github.EnvironmentListOptions{ListOptions: opt})
		if page != nil {
			for _, e := range page.Environments {
				envs = append(envs, environmentOf(e))
			}
		}
		return resp, err
	})
	s.Environments = hardening.Environments{Read: readOf(err)}
	if err == nil {
		s.Environments.Environments = envs
	}
	c.collectMore(ctx, s)
	return s
}

// collectMore reads what the checks of issue 14 need: secrets, branches,
// release branches and tags, workflows on other branches, the security
// policy, vulnerability intake and, when asked, rampart's issue.
func (c *Collector) collectMore(ctx context.Context, s *hardening.RepoSnapshot) {
	owner, name := s.Owner, s.Name
	base := "repos/" + esc(owner) + "/" + esc(name)
	s.Secrets = c.repoSecrets(ctx, owner, name, s.Environments)
	s.Branches = c.branches(ctx, owner, name)
	if s.Branches.OK() {
		s.ReleaseBranches = c.releaseBranches(ctx, owner, name, s.DefaultBranch, s.Branches)
	}
	s.Tags = c.tags(ctx, owner, name)
	s.BranchWorkflows = c.branchWorkflows(ctx, owner, name, s.DefaultBranch, s.Branches, s.Workflows)
	s.SecurityPolicy = c.securityPolicy(ctx, owner, name)
	if !s.Private && s.Visibility != "internal" && s.Visibility != "private" {
		// Private vulnerability reporting is for public repositories only.
		s.PrivateVulnerabilityReporting = c.toggleEndpoint(ctx, base+"/private-vulnerability-reporting")
	}
	s.DependabotSecurityUpdates = c.securityUpdates(ctx, owner, name)
	if s.DefaultBranch != "" {
		s.CodeScanning = c.codeScanning(ctx, owner, name, s.DefaultBranch)
	} else {
		s.CodeScanning.Read = hardening.Read{State: hardening.ReadFailed, Detail: "the repository has no default branch (empty?)"}
	}
	if c.opt.ReadAuditIssues {
		s.AuditIssue = c.auditIssue(ctx, owner, name)
	}
}

func environmentOf(e *github.Environment) hardening.Environment {
	env := hardening.Environment{Name: e.GetName()}
	for _, pr := range e.ProtectionRules {
		switch pr.GetType() {
		case "required_reviewers":
			env.Reviewers += len(pr.Reviewers)
		case "wait_timer":
			env.WaitTimer = pr.GetWaitTimer()
		}
	}
	if bp := e.DeploymentBranchPolicy; bp != nil {
		switch {
		case bp.GetProtectedBranches():
			env.BranchPolicy = "protected"
		case bp.GetCustomBranchPolicies():
			env.BranchPolicy = "custom"
		}
	}
	return env
}

func (c *Collector) collaborators(ctx context.Context, owner, name, affiliation string) hardening.Collaborators {
	var users []hardening.Collaborator
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Repositories.ListCollaborators(ctx, owner, name, &github.ListCollaboratorsOptions{Affiliation: affiliation, ListOptions: opt})
		for _, u := range page {
			users = append(users, hardening.Collaborator{Login: u.GetLogin(), Permission: collaboratorPermission(u)})
		}
		return resp, err
	})
	if err != nil {
		return hardening.Collaborators{Read: readOf(err)}
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Login < users[j].Login })
	return hardening.Collaborators{Read: readOf(nil), Users: users}
}

// collectBranch reads classic protection, the active rules and the
// repository's rulesets for the branch.
func (c *Collector) collectBranch(ctx context.Context, owner, name, branch string) hardening.BranchSnapshot {
	b := c.branchProtection(ctx, owner, name, branch)
	b.Rulesets = c.repoRulesets(ctx, owner, name)
	return b
}

// branchProtection reads classic protection and the active rules of a
// branch.
func (c *Collector) branchProtection(ctx context.Context, owner, name, branch string) hardening.BranchSnapshot {
	b := hardening.BranchSnapshot{Name: branch}
	p, _, err := c.gh.Repositories.GetBranchProtection(ctx, owner, name, branch)
	switch {
	case errors.Is(err, github.ErrBranchNotProtected):
		// "Branch not protected" is an answer: nothing classic protects it.
		b.Classic = hardening.ClassicProtection{Read: readOf(nil), Enabled: false}
	case err != nil:
		b.Classic.Read = readOf(err)
	default:
		b.Classic = classicOf(p)
	}
	if !b.Classic.OK() {
		// GET branches/{b} needs no admin right and says whether anything
		// protects the branch.
		if br, _, err := c.gh.Repositories.GetBranch(ctx, owner, name, branch, 1); err == nil && br.Protected != nil {
			v := br.GetProtected()
			b.Protected = &v
		}
	}
	b.Rules = c.branchRules(ctx, owner, name, branch)
	return b
}

func classicOf(p *github.Protection) hardening.ClassicProtection {
	c := hardening.ClassicProtection{Read: readOf(nil), Enabled: true}
	if rr := p.RequiredPullRequestReviews; rr != nil {
		req := &hardening.ReviewRequirement{
			Approvals: rr.RequiredApprovingReviewCount, DismissStale: rr.DismissStaleReviews,
			CodeOwners: rr.RequireCodeOwnerReviews, LastPushApproval: rr.RequireLastPushApproval,
		}
		if d := rr.DismissalRestrictions; d != nil {
			req.DismissalRestricted = true
			for _, u := range d.Users {
				req.DismissalAllowed = append(req.DismissalAllowed, u.GetLogin())
			}
			for _, t := range d.Teams {
				req.DismissalAllowed = append(req.DismissalAllowed, "team "+t.GetSlug())
			}
			for _, a := range d.Apps {
				req.DismissalAllowed = append(req.DismissalAllowed, "app "+a.GetSlug())
			}
		}
		if b := rr.BypassPullRequestAllowances; b != nil {
			for _, u := range b.Users {
				req.BypassAllowed = append(req.BypassAllowed, u.GetLogin())
			}
			for _, t := range b.Teams {
				req.BypassAllowed = append(req.BypassAllowed, "team "+t.GetSlug())
			}
			for _, a := range b.Apps {
				req.BypassAllowed = append(req.BypassAllowed, "app "+a.GetSlug())
			}
		}
		c.RequiredReviews = req
	}
	c.EnforceAdmins = p.EnforceAdmins != nil && p.EnforceAdmins.Enabled
	c.AllowForcePushes = p.AllowForcePushes != nil && p.AllowForcePushes.Enabled
	c.AllowDeletions = p.AllowDeletions != nil && p.AllowDeletions.Enabled
	if sc := p.RequiredStatusChecks; sc != nil {
		st := &hardening.StatusChecks{Strict: sc.Strict}
		if sc.Contexts != nil {
			st.Contexts = append(st.Contexts, *sc.Contexts...)
		}
		if sc.Checks != nil && len(st.Contexts) == 0 {
			for _, ch := range *sc.Checks {
				st.Contexts = append(st.Contexts, ch.Context)
			}
		}
		c.RequiredStatusChecks = st
	}
	c.RequireLinearHistory = p.RequireLinearHistory != nil && p.RequireLinearHistory.Enabled
	c.RequiredSignatures = p.RequiredSignatures != nil && p.RequiredSignatures.GetEnabled()
	c.RequiredConversationResolution = p.RequiredConversationResolution != nil && p.RequiredConversationResolution.Enabled
	c.LockBranch = p.LockBranch != nil && p.LockBranch.GetEnabled()
	if r := p.Restrictions; r != nil {
		pr := &hardening.PushRestrictions{}
		for _, u := range r.Users {
			pr.Users = append(pr.Users, u.GetLogin())
		}
		for _, t := range r.Teams {
			pr.Teams = append(pr.Teams, t.GetSlug())
		}
		for _, a := range r.Apps {
			pr.Apps = append(pr.Apps, a.GetSlug())
		}
		c.Restrictions = pr
	}
	return c
}

// workflows reads .github/workflows/*.yml|yaml from the default branch. A
// 404 on the directory means there is none.
func (c *Collector) workflows(ctx context.Context, owner, name, ref string) hardening.Workflows {
	opt := &github.RepositoryContentGetOptions{Ref: ref}
	_, dir, _, err := c.gh.Repositories.GetContents(ctx, owner, name, ".github/workflows", opt)
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return hardening.Workflows{Read: readOf(nil)}
		}
		return hardening.Workflows{Read: readOf(err)}
	}
	w := hardening.Workflows{Read: readOf(nil)}
	for _, e := range dir {
		ext := strings.ToLower(path.Ext(e.GetName()))
		if e.GetType() != "file" || (ext != ".yml" && ext != ".yaml") {
			continue
		}
		f := hardening.WorkflowFile{Path: e.GetPath(), SHA: e.GetSHA()}
		file, _, _, err := c.gh.Repositories.GetContents(ctx, owner, name, e.GetPath(), opt)
		switch {
		case err != nil:
			f.Read = readOf(err)
		case file == nil:
			f.Read = hardening.Read{State: hardening.ReadFailed, Detail: "not a file"}
		default:
			content, err := file.GetContent()
			if err != nil {
				f.Read = hardening.Read{State: hardening.ReadFailed, Detail: "decode content: " + err.Error()}
			} else if content == "" && file.GetSize() > 0 {
				f.Read = hardening.Read{State: hardening.ReadFailed, Detail: "too large for the contents API"}
			} else {
				f.Read, f.Content = readOf(nil), content
			}
		}
		w.Files = append(w.Files, f)
	}
	sort.Slice(w.Files, func(i, j int) bool { return w.Files[i].Path < w.Files[j].Path })
	return w
}
