package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
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
// simulated provider latency. Compare the off and on variants of the same
// latency; requests/op is the number of provider calls.
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
	for _, latency := range []time.Duration{0, 50 * time.Millisecond} {
		srv, n := benchProviders(latency)
		env := []string{
			"RAMPART_VERIFY_URL_GITHUB_PAT=" + srv.URL, "RAMPART_VERIFY_URL_NPM_ACCESS_TOKEN=" + srv.URL,
			"RAMPART_VERIFY_URL_SLACK_BOT_TOKEN=" + srv.URL, "RAMPART_VERIFY_URL_STRIPE_SECRET_KEY=" + srv.URL,
		}
		for _, on := range []bool{false, true} {
			name := fmt.Sprintf("latency=%s/verify=%v", latency, on)
			b.Run(name, func(b *testing.B) {
				args := []string{"scan", "--format", "json", "--quiet", "."}
				if on {
					args = append(args, "--verify")
				}
				n.Store(0)
				for i := 0; i < b.N; i++ {
					out, stderr, code := cliRun(b, dir, env, "", args...)
					if code != 1 {
						b.Fatalf("exit %d: %s", code, stderr)
					}
					if i == 0 && len(vfParseB(b, out)) != 1000 {
						b.Fatalf("%d findings, want 1000", len(vfParseB(b, out)))
					}
				}
				b.ReportMetric(float64(n.Load())/float64(b.N), "requests/op")
			})
		}
		srv.Close()
	}
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
