package ghcollect

import (
	"context"
	"strings"
	"time"

	ghclient "github.com/rampart-sec/rampart/github"
)

// TokenInfo is what GitHub says about the token, for `rampart audit doctor`.
type TokenInfo struct {
	// Kind is guessed from the token's documented prefix.
	Kind string `json:"kind"`
	// Login is the user the token acts for; empty for installation and
	// Actions tokens, which have no user.
	Login string `json:"login,omitempty"`
	// Scopes are a classic token's OAuth scopes (X-OAuth-Scopes);
	// ScopesKnown is false for token kinds that have none.
	Scopes      []string `json:"scopes,omitempty"`
	ScopesKnown bool     `json:"scopes_known"`
	// RateLimit and RateRemaining are the core rate limit.
	RateLimit     int       `json:"rate_limit"`
	RateRemaining int       `json:"rate_remaining"`
	RateReset     time.Time `json:"rate_reset,omitzero"`
	// Problems lists what could not be read about the token.
	Problems []string `json:"problems,omitempty"`
	// Reachable is set when GitHub answered at least one request, whatever
	// the status: doctor tells an unreachable API from a token's problems.
	Reachable bool `json:"reachable"`
}

// Token reports on the collector's token: who it is, its scopes and the
// rate limit left.
func (c *Collector) Token(ctx context.Context) *TokenInfo {
	ti := &TokenInfo{Kind: ghclient.TokenKind(c.opt.Token)}
	if c.opt.Token != "" {
		u, resp, err := c.gh.Users.Get(ctx, "")
		switch {
		case err != nil:
			ti.Problems = append(ti.Problems, "GET /user: "+readOf(err).Detail+" (normal for installation and Actions tokens)")
		default:
			ti.Login = u.GetLogin()
		}
		if resp != nil {
			ti.Reachable = true
			if h, ok := resp.Header["X-Oauth-Scopes"]; ok {
				ti.ScopesKnown = true
				for _, s := range strings.Split(strings.Join(h, ","), ",") {
					if s = strings.TrimSpace(s); s != "" {
						ti.Scopes = append(ti.Scopes, s)
					}
				}
			}
		}
	}
	rl, resp, err := c.gh.RateLimit.Get(ctx)
	if resp != nil {
		ti.Reachable = true
	}
	if err != nil {
		ti.Problems = append(ti.Problems, "GET /rate_limit: "+readOf(err).Detail)
	} else if core := rl.GetCore(); core != nil {
		ti.RateLimit, ti.RateRemaining, ti.RateReset = core.Limit, core.Remaining, core.Reset.Time
	}
	return ti
}
