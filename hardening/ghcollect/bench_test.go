package ghcollect

import (
	"context"
	"net/http"
	"testing"
	"time"

	ghclient "github.com/rampart-sec/rampart/github"
	"github.com/rampart-sec/rampart/hardening"
	"github.com/rampart-sec/rampart/hardening/ghcollect/ghfake"
)

// BenchmarkAuditOrg2000 audits a fake organisation of 2,000 repositories
// (1,800 after archived ones are skipped) twice per iteration: cold, then
// again with the ETag cache the first run filled. It reports, per audited
// repository, the HTTP requests of the cold run and the requests the warm
// run was charged for (everything but 304s), and the wall time of each.
//
//	go test -run '^$' -bench AuditOrg2000 -benchtime 1x ./hardening/ghcollect/
func BenchmarkAuditOrg2000(b *testing.B) {
	org, repos := ghfake.GenerateOrg("acme", 2000)
	_, probe, _ := setup(b, org, repos, Options{})
	apiURL := probe.opt.APIURL
	transport := &http.Transport{MaxIdleConnsPerHost: 16}
	b.ResetTimer()
	for range b.N {
		cache := ghclient.NewMemoryCache()
		run := func() (ghclient.Stats, int, time.Duration) {
			c, err := New(Options{APIURL: apiURL, Token: testToken, Cache: cache, Transport: transport, Workers: 8,
				Sleep: func(context.Context, time.Duration, ghclient.WaitReason) error { return nil }})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			snap, err := c.Org(context.Background(), "acme")
			if err != nil {
				b.Fatal(err)
			}
			hardening.Evaluate(snap, hardening.DefaultPolicy(), time.Now())
			return c.Stats(), len(snap.Repos), time.Since(start)
		}
		cold, n, coldWall := run()
		warm, _, warmWall := run()
		if warm.Counted() >= cold.Counted() {
			b.Fatalf("the warm run was charged %d requests, the cold one %d", warm.Counted(), cold.Counted())
		}
		b.ReportMetric(float64(n), "repos")
		b.ReportMetric(float64(cold.Requests)/float64(n), "req/repo-cold")
		b.ReportMetric(float64(warm.Counted())/float64(n), "counted-req/repo-warm")
		b.ReportMetric(float64(warm.NotModified)/float64(n), "304/repo-warm")
		b.ReportMetric(coldWall.Seconds(), "s-cold")
		b.ReportMetric(warmWall.Seconds(), "s-warm")
	}
}
