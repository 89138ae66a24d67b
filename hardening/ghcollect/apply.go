package ghcollect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/hardening"
)

// Applying a fix plan: the only writes rampart makes. Planning is pure and
// lives in hardening; here each change's target is re-read first and the
// change skipped when the fields it owns differ from what the plan saw
// (someone changed them since), then its requests are sent in order, one
// at a time, each logged with GitHub's answer. Nothing here deletes: a plan
// with a DELETE does not even parse.

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// WriteInterval is the pause between two writes; GitHub asks
	// integrations to leave at least a second between mutative requests
	// to stay clear of secondary rate limits (default 1s; negative: none).
	WriteInterval time.Duration
	// Sleep waits between writes (default: a timer honouring ctx).
	Sleep func(ctx context.Context, d time.Duration) error
	// OnResult, if set, is called after each change.
	OnResult func(hardening.ApplyResult)
}

// ErrPlanTarget is returned when a plan was made against another API.
var ErrPlanTarget = errors.New("ghcollect: the plan was made against another GitHub")

// Apply applies a plan's changes in order and reports what became of each.
// A change that fails or drifted does not stop the others; a cancelled
// context marks the rest not run.
func (c *Collector) Apply(ctx context.Context, pl *hardening.Plan, o ApplyOptions) ([]hardening.ApplyResult, error) {
	if pl.APIURL != "" && strings.TrimSuffix(pl.APIURL, "/") != strings.TrimSuffix(c.APIURL(), "/") {
		return nil, fmt.Errorf("%w: plan %s, now %s", ErrPlanTarget, pl.APIURL, c.APIURL())
	}
	if o.WriteInterval == 0 {
		o.WriteInterval = time.Second
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	a := &applier{c: c, o: o}
	out := make([]hardening.ApplyResult, 0, len(pl.Changes))
	for _, ch := range pl.Changes {
		var res hardening.ApplyResult
		if ctx.Err() != nil {
			res = hardening.ApplyResult{Change: ch.ID, Target: ch.Target, Kind: ch.Kind, Summary: ch.Summary, Status: hardening.NotRun,
				Detail: context.Cause(ctx).Error(), Writes: []hardening.WriteLog{}}
		} else {
			res = a.apply(ctx, ch)
		}
		out = append(out, res)
		if o.OnResult != nil {
			o.OnResult(res)
		}
	}
	return out, nil
}

type applier struct {
	c      *Collector
	o      ApplyOptions
	writes int
}

func (a *applier) apply(ctx context.Context, ch hardening.Change) hardening.ApplyResult {
	res := hardening.ApplyResult{Change: ch.ID, Target: ch.Target, Kind: ch.Kind, Summary: ch.Summary, Writes: []hardening.WriteLog{}}
	seen, err := a.c.ownedState(ctx, ch)
	if err != nil {
		res.Status, res.Detail = hardening.Failed, "re-reading the target before writing: "+err.Error()
		return res
	}
	if !bytes.Equal(hardening.Canonical(seen), hardening.Canonical(ch.Expect)) {
		res.Status, res.Seen = hardening.Drifted, hardening.Canonical(seen)
		res.Detail = fmt.Sprintf("changed since the plan: the plan saw %s, GitHub now says %s; nothing was written (plan again)",
			hardening.Canonical(ch.Expect), res.Seen)
		return res
	}
	var createdID string
	for _, rq := range ch.Requests {
		p := rq.Path
		if strings.Contains(p, hardening.CreatedIDPlaceholder) {
			if createdID == "" {
				res.Status, res.Detail = hardening.Failed, "no id from the previous request to put in "+p
				return res
			}
			p = strings.ReplaceAll(p, hardening.CreatedIDPlaceholder, createdID)
		}
		if a.writes > 0 && a.o.WriteInterval > 0 {
			if err := a.o.Sleep(ctx, a.o.WriteInterval); err != nil {
				res.Status, res.Detail = hardening.Failed, err.Error()
				return res
			}
		}
		a.writes++
		log, id, err := a.c.send(ctx, rq.Method, p, rq.Body)
		res.Writes = append(res.Writes, log)
		if err != nil {
			res.Status, res.Detail = hardening.Failed, err.Error()
			return res
		}
		if log.Status < 200 || log.Status > 299 {
			res.Status, res.Detail = hardening.Failed, fmt.Sprintf("%s %s answered HTTP %d", rq.Method, p, log.Status)
			return res
		}
		createdID = id
	}
	res.Status = hardening.Applied
	return res
}

// maxLogged bounds how much of an answer is kept in the log.
const maxLogged = 64 << 10

// send makes one write through the shared transport (token, rate limits)
// and returns its log entry and the "id" of a JSON object answer.
func (c *Collector) send(ctx context.Context, method, path string, body json.RawMessage) (hardening.WriteLog, string, error) {
	log := hardening.WriteLog{Method: method, Path: path}
	var payload any
	if len(body) > 0 {
		log.Request = hardening.Canonical(body)
		payload = json.RawMessage(body)
	}
	req, err := c.gh.NewRequest(method, path, payload)
	if err != nil {
		return log, "", fmt.Errorf("ghcollect: %s %s: %w", method, path, err)
	}
	resp, err := c.gh.Client().Do(req.WithContext(ctx))
	if err != nil {
		return log, "", fmt.Errorf("ghcollect: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxLogged+1))
	log.Status = resp.StatusCode
	if len(raw) > maxLogged {
		raw = raw[:maxLogged]
	}
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
	case json.Valid(raw):
		log.Response = hardening.Canonical(raw)
	default:
		q, _ := json.Marshal(string(raw))
		log.Response = q
	}
	var obj struct {
		ID json.Number `json:"id"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return log, obj.ID.String(), nil
	}
	return log, "", nil
}

// ownedState re-reads the fields a change owns, in the shape of its
// expected state.
func (c *Collector) ownedState(ctx context.Context, ch hardening.Change) (json.RawMessage, error) {
	first := ch.Requests[0]
	switch ch.Kind {
	case hardening.FixRepoRuleset, hardening.FixTagRuleset, hardening.FixOrgRuleset:
		var want hardening.RulesetState
		if err := json.Unmarshal(ch.Expect, &want); err != nil {
			return nil, err
		}
		list := first.Path
		if want.Exists {
			list = first.Path[:strings.LastIndex(first.Path, "/")]
		}
		return c.rulesetState(ctx, list, want, lastBodyName(ch))
	case hardening.FixSecurityAnalysis:
		var want hardening.SecurityAnalysisState
		if err := json.Unmarshal(ch.Expect, &want); err != nil {
			return nil, err
		}
		var repo struct {
			SA map[string]struct {
				Status string `json:"status"`
			} `json:"security_and_analysis"`
		}
		if _, err := c.getJSON(ctx, first.Path, &repo); err != nil {
			return nil, err
		}
		var got hardening.SecurityAnalysisState
		if want.SecretScanning != "" {
			got.SecretScanning = orUnknown(repo.SA["secret_scanning"].Status)
		}
		if want.PushProtection != "" {
			got.PushProtection = orUnknown(repo.SA["secret_scanning_push_protection"].Status)
		}
		return hardening.MarshalState(got), nil
	case hardening.FixVulnerabilityAlerts:
		// 204 enabled, 404 disabled (the token is an admin: the plan
		// could only be made with admin rights).
		req, err := c.gh.NewRequest(http.MethodGet, first.Path, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.gh.Client().Do(req.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusNoContent:
			return hardening.MarshalState(hardening.ToggleState{Enabled: true}), nil
		case http.StatusNotFound:
			return hardening.MarshalState(hardening.ToggleState{Enabled: false}), nil
		}
		return nil, fmt.Errorf("GET %s: HTTP %d", first.Path, resp.StatusCode)
	case hardening.FixSecurityUpdates, hardening.FixPrivateReporting:
		var v struct {
			Enabled bool `json:"enabled"`
		}
		if _, err := c.getJSON(ctx, first.Path, &v); err != nil {
			return nil, err
		}
		return hardening.MarshalState(hardening.ToggleState{Enabled: v.Enabled}), nil
	case hardening.FixRepoWorkflowToken, hardening.FixOrgWorkflowToken:
		var v hardening.WorkflowTokenState
		if _, err := c.getJSON(ctx, first.Path, &v); err != nil {
			return nil, err
		}
		return hardening.MarshalState(v), nil
	case hardening.FixRepoHookTLS, hardening.FixOrgHookTLS:
		var v struct {
			InsecureSSL json.RawMessage `json:"insecure_ssl"`
		}
		if _, err := c.getJSON(ctx, first.Path, &v); err != nil {
			return nil, err
		}
		// GitHub documents a string; accept a number too.
		s := strings.Trim(string(v.InsecureSSL), `"`)
		if _, err := strconv.Atoi(s); err != nil {
			s = ""
		}
		return hardening.MarshalState(hardening.HookState{InsecureSSL: s}), nil
	case hardening.FixCodeSecurityDefault:
		org, _ := url.PathUnescape(strings.Split(first.Path, "/")[1])
		cs := c.codeSecurity(ctx, org)
		if !cs.OK() {
			return nil, errors.New(cs.Why())
		}
		if !cs.AllRead.OK() {
			return nil, errors.New("configurations " + cs.AllRead.Why())
		}
		return hardening.MarshalState(hardening.CodeSecurityStateOf(cs)), nil
	case hardening.FixIssue:
		parts := strings.Split(first.Path, "/")
		owner, _ := url.PathUnescape(parts[1])
		name, _ := url.PathUnescape(parts[2])
		ai := c.auditIssue(ctx, owner, name)
		if !ai.OK() {
			return nil, errors.New("rampart's issue " + ai.Why())
		}
		st := hardening.IssueState{Number: ai.Number, LabelExists: ai.LabelExists}
		if ai.Number != 0 {
			st.BodySHA = hardening.BodySHA(ai.Body)
		}
		return hardening.MarshalState(st), nil
	}
	return nil, fmt.Errorf("unknown kind %q", ch.Kind)
}

func orUnknown(s string) string {
	if s == "" {
		return "not shown"
	}
	return s
}

// lastBodyName is the name in a ruleset change's body.
func lastBodyName(ch hardening.Change) string {
	var b struct {
		Name string `json:"name"`
	}
	for _, rq := range ch.Requests {
		if json.Unmarshal(rq.Body, &b) == nil && b.Name != "" {
			return b.Name
		}
	}
	return ""
}

// rulesetState re-reads a ruleset rampart manages: by ID when the plan saw
// it, else by looking for its name among the rulesets defined at list.
func (c *Collector) rulesetState(ctx context.Context, list string, want hardening.RulesetState, name string) (json.RawMessage, error) {
	if want.Exists {
		var j rulesetJSON
		_, err := c.getJSON(ctx, fmt.Sprintf("%s/%d", list, want.ID), &j)
		if isStatus(err, http.StatusNotFound) {
			return hardening.MarshalState(hardening.RulesetState{Exists: false}), nil
		}
		if err != nil {
			return nil, err
		}
		if j.SourceType == "" && strings.HasPrefix(list, "orgs/") {
			j.SourceType = "Organization"
		}
		body := hardening.RulesetBodyOf(j.toRuleset(true))
		return hardening.MarshalState(hardening.RulesetState{Exists: true, ID: j.ID, Body: &body}), nil
	}
	// Only rulesets defined at this level: a repository's list would
	// otherwise include its organisation's.
	var q url.Values
	if strings.HasPrefix(list, "repos/") {
		q = url.Values{"includes_parents": {"false"}}
	}
	rulesets, err := getPaged[rulesetJSON](ctx, c, list, q)
	if err != nil {
		return nil, err
	}
	for _, r := range rulesets {
		if r.Name == name {
			return hardening.MarshalState(hardening.RulesetState{Exists: true, ID: r.ID}), nil
		}
	}
	return hardening.MarshalState(hardening.RulesetState{Exists: false}), nil
}
