package ghcollect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/rampart-sec/rampart/hardening"
)

// go-github v60 gaps worked around here with NewRequest/Do and local types:
// its ruleset list calls take no paging options (so more than 30 rulesets
// are silently cut), its rules-for-a-branch type drops ruleset_id,
// ruleset_source and ruleset_source_type, and its rule decoder fails the
// whole response on a rule type it does not know (merge_queue,
// code_scanning, file_path_restriction, …). These types keep every field
// rampart reads and carry parameters raw.

// rulesetJSON is a ruleset as the list and get endpoints return it.
type rulesetJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Target      string `json:"target"`
	SourceType  string `json:"source_type"`
	Source      string `json:"source"`
	Enforcement string `json:"enforcement"`
	// BypassActors is a pointer: GitHub omits it for callers who cannot
	// edit the ruleset, which is not the same as an empty list.
	BypassActors *[]bypassActorJSON `json:"bypass_actors"`
	Conditions   *struct {
		RefName *struct {
			Include []string `json:"include"`
			Exclude []string `json:"exclude"`
		} `json:"ref_name"`
		RepositoryName *struct {
			Include []string `json:"include"`
			Exclude []string `json:"exclude"`
		} `json:"repository_name"`
	} `json:"conditions"`
	Rules []ruleJSON `json:"rules"`
}

type bypassActorJSON struct {
	ActorID    *int64 `json:"actor_id"`
	ActorType  string `json:"actor_type"`
	BypassMode string `json:"bypass_mode"`
}

type ruleJSON struct {
	Type       string          `json:"type"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// branchRuleJSON is one entry of GET /repos/{o}/{r}/rules/branches/{b}.
type branchRuleJSON struct {
	Type              string          `json:"type"`
	RulesetSourceType string          `json:"ruleset_source_type"`
	RulesetSource     string          `json:"ruleset_source"`
	RulesetID         int64           `json:"ruleset_id"`
	Parameters        json.RawMessage `json:"parameters,omitempty"`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (j *rulesetJSON) toRuleset(detailed bool) hardening.Ruleset {
	rs := hardening.Ruleset{
		ID: j.ID, Name: j.Name, Target: j.Target, SourceType: j.SourceType, Source: j.Source,
		Enforcement: j.Enforcement, Detailed: detailed,
	}
	if !detailed {
		return rs
	}
	if j.BypassActors != nil {
		rs.BypassKnown = true
		for _, a := range *j.BypassActors {
			ba := hardening.BypassActor{ActorType: a.ActorType, BypassMode: a.BypassMode}
			if a.ActorID != nil {
				ba.ActorID = *a.ActorID
			}
			rs.BypassActors = append(rs.BypassActors, ba)
		}
	}
	if j.Conditions != nil && j.Conditions.RefName != nil {
		rs.RefInclude = j.Conditions.RefName.Include
		rs.RefExclude = j.Conditions.RefName.Exclude
	}
	if j.Conditions != nil && j.Conditions.RepositoryName != nil {
		rs.RepoInclude = j.Conditions.RepositoryName.Include
		rs.RepoExclude = j.Conditions.RepositoryName.Exclude
	}
	for _, r := range j.Rules {
		rs.Rules = append(rs.Rules, hardening.RulesetRule{Type: r.Type, Parameters: r.Parameters})
	}
	return rs
}

// rulesetDetail reads one ruleset's details from base/{id}, once per run
// per source. If they cannot be read, the list entry is kept, marked not
// detailed (so its bypass actors and conditions are unknown).
func (c *Collector) rulesetDetail(ctx context.Context, base string, entry rulesetJSON, query ...string) hardening.Ruleset {
	key := rulesetKey(entry.SourceType, entry.Source, entry.ID)
	c.rsMu.Lock()
	if rs, ok := c.rulesets[key]; ok {
		c.rsMu.Unlock()
		return *rs
	}
	c.rsMu.Unlock()
	path := base + "/" + itoa(entry.ID)
	if len(query) > 0 {
		path += "?" + query[0]
	}
	rs := entry.toRuleset(false)
	req, err := c.gh.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return rs
	}
	var d rulesetJSON
	if _, err := c.gh.Do(ctx, req, &d); err != nil {
		if ctx.Err() != nil || !isStatus(err, http.StatusForbidden) && !isStatus(err, http.StatusNotFound) {
			return rs // a transient failure: let the next repository try again
		}
	} else {
		if d.SourceType == "" {
			d.SourceType, d.Source = entry.SourceType, entry.Source
		}
		rs = d.toRuleset(true)
	}
	c.rsMu.Lock()
	c.rulesets[key] = &rs
	c.rsMu.Unlock()
	return rs
}

// repoRulesets lists every ruleset visible from the repository, its
// parents' included, paged by hand, with details.
func (c *Collector) repoRulesets(ctx context.Context, owner, name string) hardening.Rulesets {
	base := "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + "/rulesets"
	list, err := getPaged[rulesetJSON](ctx, c, base, url.Values{"includes_parents": {"true"}})
	if err != nil {
		return hardening.Rulesets{Read: readOf(err)}
	}
	out := hardening.Rulesets{Read: readOf(nil)}
	for _, e := range list {
		if e.SourceType == "" {
			e.SourceType, e.Source = "Repository", owner+"/"+name
		}
		out.Rulesets = append(out.Rulesets, c.rulesetDetail(ctx, base, e, "includes_parents=true"))
	}
	return out
}

// branchRules reads the active rules for a branch, paged.
func (c *Collector) branchRules(ctx context.Context, owner, name, branch string) hardening.ActiveRules {
	path := fmt.Sprintf("repos/%s/%s/rules/branches/%s", url.PathEscape(owner), url.PathEscape(name), url.PathEscape(branch))
	list, err := getPaged[branchRuleJSON](ctx, c, path, nil)
	if err != nil {
		return hardening.ActiveRules{Read: readOf(err)}
	}
	out := hardening.ActiveRules{Read: readOf(nil)}
	for _, r := range list {
		out.Rules = append(out.Rules, hardening.ActiveRule{
			Type: r.Type, RulesetID: r.RulesetID, RulesetSource: r.RulesetSource,
			RulesetSourceType: r.RulesetSourceType, Parameters: r.Parameters,
		})
	}
	return out
}
