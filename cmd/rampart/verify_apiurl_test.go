package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// TestOrgScanVerifiesGitHubTokensAtItsServer: `scan --org --api-url` on a
// GitHub Enterprise Server checks the GitHub tokens found in that server's
// repositories with that server's API (GET /api/v3/user), not with
// api.github.com, which would be sent another installation's token.
func TestOrgScanVerifiesGitHubTokensAtItsServer(t *testing.T) {
	t.Parallel()
	const token = "ghp_k3Xq9ZLm2Pw8Rt5Yv7Bn4Cs6Dd1Ff0Gh2Jj9"
	var calls atomic.Int32
	ghes := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodGet || r.URL.Path != "/api/v3/user" || r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("GitHub Enterprise Server got %s %s (Authorization %q)", r.Method, r.URL.Path, r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("X-OAuth-Scopes", "repo")
		w.Write([]byte(`{"login":"hubot","id":1}`))
	}))
	defer ghes.Close()
	cfg, err := scanner.DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	o := &scanOptions{}
	o.verify = verifyOptions{on: true, workers: 1, cacheTTL: 1}
	o.orgScan = orgScanOptions{org: "acme", apiURL: ghes.URL + "/api/v3"}
	f := scanner.Finding{RuleID: "github-pat", Secret: token, Fingerprint: scanner.Fingerprint("github-pat", token), Path: "ci.env", Line: 1}
	res := &scanner.Result{Findings: []scanner.Finding{f}}
	var out, errs bytes.Buffer
	if err := checkFindings(context.Background(), o, &streams{in: strings.NewReader(""), out: &out, err: &errs}, cfg, res); err != nil {
		t.Fatal(err)
	}
	if got := res.Findings[0].Verification; got == nil || got.Status != scanner.VerifyValid || got.Identity != "hubot" || calls.Load() != 1 {
		t.Errorf("verification %+v after %d requests to the server scanned, want valid (hubot) after 1", got, calls.Load())
	}
}
