package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
)

// benchSecrets returns n distinct well-formed secrets of four providers
// (GitHub, npm, Slack, Stripe), each as a line of a config file.
func benchSecrets(n int) []string {
	r := rand.New(rand.NewSource(1))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	word := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = alnum[r.Intn(len(alnum))]
		}
		return string(b)
	}
	digits := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte('1' + r.Intn(9))
		}
		return string(b)
	}
	var out []string
	for i := 0; len(out) < n; i++ {
		switch i % 4 {
		case 0:
			body := word(30)
			out = append(out, "GITHUB_TOKEN=ghp_"+body+patterns.Base62CRC32([]byte(body)))
		case 1:
			body := word(30)
			out = append(out, "NPM_TOKEN=npm_"+body+patterns.Base62CRC32([]byte(body)))
		case 2:
			out = append(out, "SLACK_BOT_TOKEN=xoxb-"+digits(12)+"-"+digits(12)+"-"+word(24))
		case 3:
			out = append(out, "STRIPE_SECRET_KEY=sk_live_"+word(32))
		}
	}
	return out
}

// benchProviders answers like GitHub, npm, Slack and Stripe after latency
// (a provider round trip), counting requests.
func benchProviders(latency time.Duration) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		time.Sleep(latency)
		switch r.URL.Path {
		case "/user":
			w.Header().Set("X-OAuth-Scopes", "repo")
			io.WriteString(w, `{"login":"octocat"}`)
		case "/-/whoami":
			io.WriteString(w, `{"username":"npm-user"}`)
		case "/api/auth.test":
			io.WriteString(w, `{"ok":true,"team":"Acme","user":"bot","team_id":"T1","user_id":"U1"}`)
		case "/v1/account":
			io.WriteString(w, `{"id":"acct_1"}`)
		default:
			w.WriteHeader(404)
		}
	}))
	return srv, &n
}

// BenchmarkScanVerify measures what --verify adds to a scan of a tree with
// 1,000 findings of 50 distinct secrets (20 files each holding all 50,
// every file different), against loopback fakes answering after a
// simulated provider latency. Each iteration runs the scan without and
// with --verify, alternately, so both see the same machine load; the
// metrics are the medians of each and of their difference, and the
// provider calls per verified scan.
func BenchmarkScanVerify(b *testing.B) {
	dir := b.TempDir()
	secrets := benchSecrets(50)
	for f := 0; f < 20; f++ {
		content := fmt.Sprintf("# service %d\n", f)
		for _, s := range secrets {
			content += s + "\n"
		}
		if err := os.WriteFile(dir+"/svc"+strconv.Itoa(f)+".env", []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, latency := range []time.Duration{0, 50 * time.Millisecond, 200 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) {
			srv, n := benchProviders(latency)
			defer srv.Close()
			env := []string{
				"RAMPART_VERIFY_URL_GITHUB_PAT=" + srv.URL, "RAMPART_VERIFY_URL_NPM_ACCESS_TOKEN=" + srv.URL,
				"RAMPART_VERIFY_URL_SLACK_BOT_TOKEN=" + srv.URL, "RAMPART_VERIFY_URL_STRIPE_SECRET_KEY=" + srv.URL,
			}
			scan := func(args ...string) time.Duration {
				start := time.Now()
				out, stderr, code := cliRun(b, dir, env, "", append([]string{"scan", "--format", "json", "--quiet", "."}, args...)...)
				d := time.Since(start)
				if code != 1 {
					b.Fatalf("exit %d: %s", code, stderr)
				}
				if got := len(vfParseB(b, out)); got != 1000 {
					b.Fatalf("%d findings, want 1000", got)
				}
				return d
			}
			var off, on, added []float64
			n.Store(0)
			for i := 0; i < b.N; i++ {
				d0 := scan()
				d1 := scan("--verify")
				off = append(off, d0.Seconds()*1000)
				on = append(on, d1.Seconds()*1000)
				added = append(added, (d1-d0).Seconds()*1000)
			}
			b.ReportMetric(median(off), "ms-without")
			b.ReportMetric(median(on), "ms-with-verify")
			b.ReportMetric(median(added), "ms-added")
			b.ReportMetric(float64(n.Load())/float64(b.N), "requests/op")
		})
	}
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func vfParseB(b *testing.B, out string) []struct{} {
	var doc struct {
		Findings []struct{} `json:"findings"`
	}
	if err := jsonUnmarshal(out, &doc); err != nil {
		b.Fatal(err)
	}
	return doc.Findings
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
