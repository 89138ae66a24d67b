package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "ghp_clienttestclienttestclienttest0000"

// orgServer answers GET /api/v3/orgs/acme/repos with n repositories, two
// per page, Link headers, ETags, and a 403 secondary limit on the first
// request; it checks the token on every request.
func orgServer(t *testing.T, n int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	var limited atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		// The headers GitHub's REST documentation asks every call for.
		if a, v := r.Header.Get("Accept"), r.Header.Get("X-GitHub-Api-Version"); a != "application/vnd.github+json" || v != "2022-11-28" {
			t.Errorf("Accept %q, X-GitHub-Api-Version %q", a, v)
		}
		if r.URL.Path != "/api/v3/orgs/acme/repos" {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		if limited.CompareAndSwap(false, true) {
			w.Header().Set("Retry-After", "7")
			http.Error(w, `{"message":"You have exceeded a secondary rate limit"}`, http.StatusForbidden)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		if r.URL.Query().Get("per_page") != "2" {
			t.Errorf("per_page = %q", r.URL.Query().Get("per_page"))
		}
		etag := fmt.Sprintf(`"p%d"`, page)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		var items []string
		for i := (page-1)*2 + 1; i <= min(page*2, n); i++ {
			// Served out of order: the client sorts.
			items = append(items, fmt.Sprintf(`{"full_name":"acme/r%02d","name":"r%02d","clone_url":"http://x/acme/r%02d.git"}`, n+1-i, n+1-i, n+1-i))
		}
		if page*2 < n {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=%d&per_page=2>; rel="next"`, r.Host, r.URL.Path, page+1))
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "[%s]", strings.Join(items, ","))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestListOrgReposPagesWaitsAndCaches(t *testing.T) {
	t.Parallel()
	srv, _ := orgServer(t, 5)
	var waited []time.Duration
	cache := NewMemoryCache()
	opt := Options{Token: testToken, APIURL: srv.URL + "/api/v3", PerPage: 2, Cache: cache,
		Sleep: func(_ context.Context, d time.Duration, why WaitReason) error {
			if why != WaitSecondary {
				t.Errorf("waited for %s", why)
			}
			waited = append(waited, d)
			return nil
		}}
	c, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL() != srv.URL+"/api/v3/" {
		t.Errorf("APIURL = %q", c.APIURL())
	}
	repos, err := c.ListOrgRepos(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range repos {
		names = append(names, r.GetFullName())
	}
	if got := strings.Join(names, " "); got != "acme/r01 acme/r02 acme/r03 acme/r04 acme/r05" {
		t.Errorf("repositories = %s", got)
	}
	if len(waited) != 1 || waited[0] != 7*time.Second {
		t.Errorf("waits = %v, want one of 7s (Retry-After)", waited)
	}
	if st := c.Stats(); st.Requests != 4 || st.Retries != 1 {
		t.Errorf("stats = %+v, want 4 requests (one retried), 3 pages", st)
	}
	// Again with the same cache: every page is a 304, charged nothing.
	c2, _ := New(opt)
	if _, err := c2.ListOrgRepos(context.Background(), "acme"); err != nil {
		t.Fatal(err)
	}
	if st := c2.Stats(); st.NotModified != 3 || st.Counted() != 0 {
		t.Errorf("warm stats = %+v, want 3 answers 304 and nothing counted", st)
	}
}

func TestNotFoundAndBadURL(t *testing.T) {
	t.Parallel()
	srv, _ := orgServer(t, 1)
	c, _ := New(Options{Token: testToken, APIURL: srv.URL + "/api/v3/"})
	_, err := c.ListOrgRepos(context.Background(), "nobody")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	_, err = c.Repo(context.Background(), "acme", "gone")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"github.example.com", "://x", ""[0:0] + "/api/v3"} {
		if _, err := New(Options{APIURL: bad}); err == nil {
			t.Errorf("APIURL %q accepted", bad)
		}
	}
}

func TestTokenFromEnv(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ gh, ghcli, want string }{
		{" ghp_a \n", "ghp_b", "ghp_a"},
		{"", "ghp_b", "ghp_b"},
		{"  ", "", ""},
	} {
		env := map[string]string{"GITHUB_TOKEN": c.gh, "GH_TOKEN": c.ghcli}
		if got := TokenFromEnv(func(k string) string { return env[k] }); got != c.want {
			t.Errorf("TokenFromEnv(%q, %q) = %q, want %q", c.gh, c.ghcli, got, c.want)
		}
	}
	if k := TokenKind("github_pat_11AAAA"); k != "fine-grained personal access token" || strings.Contains(k, "11AAAA") {
		t.Errorf("TokenKind = %q", k)
	}
}
