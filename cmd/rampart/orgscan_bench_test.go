package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/orgscan/orgfake"
)

// BenchmarkScanOrg200 measures an organisation-wide scan of a fake
// organisation of 200 repositories (12 commits, about 40 files and 120 KB
// of text each; an AWS key in every tenth) served over real git smart
// HTTP: the first run (clone everything, scan every history), a second
// run with nothing changed, and a nightly run after one new commit in 10
// of them (5%). It reports wall and CPU time (rampart and its git
// children), REST requests, git bytes sent by the server, the mirrors'
// growth, and the HTML and JSON reports' size. The README's cost table
// comes from it:
//
//	go test -run '^$' -bench ScanOrg200 -benchtime 1x ./cmd/rampart/
func BenchmarkScanOrg200(b *testing.B) {
	const n = 200
	fake, err := orgfake.New(b.TempDir(), orgTestToken)
	if err != nil {
		b.Skip(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	fake.URL = srv.URL
	words := strings.Fields("func return if else for range package import type struct interface map slice string error nil true false const var go defer select case default break continue")
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(lines int) string {
		var sb strings.Builder
		for range lines {
			for range 8 {
				sb.WriteString(words[rng.IntN(len(words))])
				sb.WriteByte(' ')
			}
			sb.WriteString(strconv.Itoa(rng.IntN(100000)))
			sb.WriteByte('\n')
		}
		return sb.String()
	}
	for i := range n {
		r := &orgfake.Repo{Owner: "acme", Name: fmt.Sprintf("svc-%03d", i), Private: true}
		if err := fake.AddRepo(r); err != nil {
			b.Fatal(err)
		}
		var changes []map[string]string
		for c := range 12 {
			files := map[string]string{}
			count := 4
			if c == 0 {
				count = 30
			}
			for f := range count {
				files[fmt.Sprintf("pkg/m%02d/file%02d.go", rng.IntN(6), f+rng.IntN(10))] = text(40 + rng.IntN(40))
			}
			if c == 5 && i%10 == 0 {
				files["deploy/env"] = fmt.Sprintf("AWS_ACCESS_KEY_ID=AKIA%s\n", awsSuffix(rng))
			}
			changes = append(changes, files)
		}
		if _, err := fake.Commits(r.FullName(), "", changes, "work"); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	mirrors := filepath.Join(dir, "mirrors")
	b.Setenv("GITHUB_TOKEN", orgTestToken)
	b.Setenv("GH_TOKEN", "")
	counted := regexp.MustCompile(`(\d+) API requests counted`)
	type measure struct {
		wall, cpu  time.Duration
		api        int64
		served     int64
		mirrorSize int64
		out        string
	}
	cpu := func() time.Duration {
		var self, kids syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &self)
		syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
		return time.Duration(self.Utime.Nano() + self.Stime.Nano() + kids.Utime.Nano() + kids.Stime.Nano())
	}
	runOnce := func(format string) measure {
		out := filepath.Join(dir, "report."+format)
		apiBefore, servedBefore, cpuBefore := fake.APIRequests(), fake.GitBytes(), cpu()
		start := time.Now()
		var so, se bytes.Buffer
		code := run(context.Background(), []string{"scan", "--org", "acme", "--api-url", srv.URL + "/api/v3/", "--mirror-dir", mirrors,
			"--workers", "4", "--format", format, "-o", out}, &streams{in: strings.NewReader(""), out: &so, err: &se})
		m := measure{wall: time.Since(start), cpu: cpu() - cpuBefore, api: fake.APIRequests() - apiBefore, served: fake.GitBytes() - servedBefore, out: out}
		if code != exitFindings {
			b.Fatalf("exit %d: %s", code, se.String())
		}
		if c := counted.FindStringSubmatch(se.String()); c == nil {
			b.Fatalf("no request count in %q", se.String())
		}
		filepath.Walk(mirrors, func(_ string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				m.mirrorSize += info.Size()
			}
			return nil
		})
		return m
	}
	size := func(p string) int64 {
		st, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		return st.Size()
	}
	b.ResetTimer()
	for range b.N {
		os.RemoveAll(mirrors)
		first := runOnce("json")
		second := runOnce("html")
		for i := 0; i < n; i += n / 10 {
			if _, err := fake.Commit(fmt.Sprintf("acme/svc-%03d", i), "", map[string]string{"pkg/new.go": text(60)}, "nightly change"); err != nil {
				b.Fatal(err)
			}
		}
		third := runOnce("json")
		b.ReportMetric(first.wall.Seconds(), "s-first")
		b.ReportMetric(first.cpu.Seconds(), "cpu-s-first")
		b.ReportMetric(float64(first.api), "api-req-first")
		b.ReportMetric(float64(first.served), "git-bytes-first")
		b.ReportMetric(float64(first.mirrorSize), "mirror-bytes")
		b.ReportMetric(second.wall.Seconds(), "s-unchanged")
		b.ReportMetric(second.cpu.Seconds(), "cpu-s-unchanged")
		b.ReportMetric(float64(second.api), "api-req-unchanged")
		b.ReportMetric(float64(second.served), "git-bytes-unchanged")
		b.ReportMetric(third.wall.Seconds(), "s-nightly5%")
		b.ReportMetric(third.cpu.Seconds(), "cpu-s-nightly5%")
		b.ReportMetric(float64(third.served), "git-bytes-nightly5%")
		b.ReportMetric(float64(size(second.out)), "html-bytes")
		b.ReportMetric(float64(size(first.out)), "json-bytes")
	}
}

func awsSuffix(r *rand.Rand) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}
