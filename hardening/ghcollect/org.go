package ghcollect

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/rampart-sec/rampart/hardening"
)

// collectOrg reads the organisation's own settings. o is the organisation
// object already fetched.
func (c *Collector) collectOrg(ctx context.Context, o *github.Organization, server bool) *hardening.OrgSnapshot {
	org := o.GetLogin()
	s := &hardening.OrgSnapshot{Login: org}
	// Owners-only fields are simply absent for others: nil stays nil.
	s.Settings = hardening.OrgSettings{
		Read:                        hardening.Read{State: hardening.ReadOK},
		TwoFactorRequired:           ptrBool(o.TwoFactorRequirementEnabled),
		DefaultRepoPermission:       o.GetDefaultRepoPermission(),
		MembersCanCreatePublicRepos: ptrBool(o.MembersCanCreatePublicRepos),
		MembersCanForkPrivateRepos:  ptrBool(o.MembersCanForkPrivateRepos),
		Plan:                        o.GetPlan().GetName(),
		Server:                      server,
		SecretScanningForNewRepos:   ptrBool(o.SecretScanningEnabledForNewRepos),
		PushProtectionForNewRepos:   ptrBool(o.SecretScanningPushProtectionEnabledForNewRepos),
		DependabotAlertsForNewRepos: ptrBool(o.DependabotAlertsEnabledForNewRepos),
	}

	s.MembersWithout2FA = c.listMembers(ctx, org, "2fa_disabled", "")
	s.Owners = c.listMembers(ctx, org, "", "admin")
	s.OutsideWithout2FA = c.listOutside(ctx, org, "2fa_disabled")
	s.OutsideCollaborators = c.listOutside(ctx, org, "")

	if ap, _, err := c.gh.Actions.GetActionsPermissions(ctx, org); err != nil {
		s.Actions.Read = readOf(err)
	} else {
		s.Actions = hardening.ActionsPermissions{Read: readOf(nil), EnabledRepositories: ap.GetEnabledRepositories(), AllowedActions: ap.GetAllowedActions()}
	}
	if wp, _, err := c.gh.Actions.GetDefaultWorkflowPermissionsInOrganization(ctx, org); err != nil {
		s.WorkflowPermissions.Read = readOf(err)
	} else {
		s.WorkflowPermissions = hardening.WorkflowPermissions{Read: readOf(nil), Default: wp.GetDefaultWorkflowPermissions(), CanApprove: ptrBool(wp.CanApprovePullRequestReviews)}
	}

	var hooks []*github.Hook
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Organizations.ListHooks(ctx, org, &opt)
		hooks = append(hooks, page...)
		return resp, err
	})
	s.Webhooks = webhooksOf(hooks, err)

	s.Rulesets = c.orgRulesets(ctx, org)

	s.CodeSecurity = c.codeSecurity(ctx, org)
	s.Secrets = c.orgSecrets(ctx, org)
	s.RunnerGroups = c.runnerGroups(ctx, org)
	if !server {
		// Owners see two_factor_requirement_enabled; only to them does a
		// 404 from credential-authorizations mean "no SAML".
		s.SAML = c.saml(ctx, org, o.TwoFactorRequirementEnabled != nil)
	}
	return s
}

// listMembers lists members with a filter or role. GitHub answers 422 to
// non-owners using filter=2fa_disabled, which is a permission answer too.
func (c *Collector) listMembers(ctx context.Context, org, filter, role string) hardening.UserList {
	var logins []string
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Organizations.ListMembers(ctx, org, &github.ListMembersOptions{Filter: filter, Role: role, ListOptions: opt})
		for _, u := range page {
			logins = append(logins, u.GetLogin())
		}
		return resp, err
	})
	return userList(logins, err)
}

func (c *Collector) listOutside(ctx context.Context, org, filter string) hardening.UserList {
	var logins []string
	err := paginate(c.opt.PerPage, func(opt github.ListOptions) (*github.Response, error) {
		page, resp, err := c.gh.Organizations.ListOutsideCollaborators(ctx, org, &github.ListOutsideCollaboratorsOptions{Filter: filter, ListOptions: opt})
		for _, u := range page {
			logins = append(logins, u.GetLogin())
		}
		return resp, err
	})
	return userList(logins, err)
}

func userList(logins []string, err error) hardening.UserList {
	if err != nil {
		r := readOf(err)
		if isStatus(err, http.StatusUnprocessableEntity) {
			r.State = hardening.ReadDenied
		}
		return hardening.UserList{Read: r}
	}
	sort.Strings(logins)
	return hardening.UserList{Read: readOf(nil), Logins: logins}
}

func webhooksOf(hooks []*github.Hook, err error) hardening.Webhooks {
	if err != nil {
		return hardening.Webhooks{Read: readOf(err)}
	}
	w := hardening.Webhooks{Read: readOf(nil)}
	for _, h := range hooks {
		wh := hardening.Webhook{ID: h.GetID(), Active: h.GetActive()}
		if cfg := h.Config; cfg != nil {
			// GitHub returns "********" when a secret is set.
			wh.HasSecret = cfg.GetSecret() != ""
			wh.InsecureSSL = cfg.GetInsecureSSL() == "1"
			if u, err := url.Parse(cfg.GetURL()); err == nil {
				wh.Host = u.Hostname()
			}
		}
		w.Hooks = append(w.Hooks, wh)
	}
	return w
}

// orgRulesets lists the organisation's rulesets and reads each one's
// details, which also primes the per-run cache repositories use.
func (c *Collector) orgRulesets(ctx context.Context, org string) hardening.Rulesets {
	list, err := getPaged[rulesetJSON](ctx, c, "orgs/"+url.PathEscape(org)+"/rulesets", nil)
	if err != nil {
		return hardening.Rulesets{Read: readOf(err)}
	}
	out := hardening.Rulesets{Read: readOf(nil)}
	for _, rs := range list {
		if rs.SourceType == "" {
			rs.SourceType, rs.Source = "Organization", org
		}
		d := c.rulesetDetail(ctx, "orgs/"+url.PathEscape(org)+"/rulesets", rs)
		out.Rulesets = append(out.Rulesets, d)
	}
	return out
}

func rulesetKey(sourceType, source string, id int64) string {
	return strings.ToLower(sourceType+"/"+source) + "/" + itoa(id)
}
