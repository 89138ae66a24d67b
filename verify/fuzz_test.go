package verify

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rampart-sec/rampart/scanner"
)

// FuzzJudge feeds arbitrary provider answers to every verifier: judging
// never panics, always yields a status, and a fallback-only template never
// invents text out of nothing.
func FuzzJudge(f *testing.F) {
	f.Add(200, `{"login":"octocat","ok":true,"data":{"viewer":{"id":"x"}}}`, "X-OAuth-Scopes", "repo")
	f.Add(401, `{"error":{"code":"invalid_api_key"}}`, "Retry-After", "5")
	f.Add(429, `not json`, "Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(403, `{"error":{"details":[{"metadata":{"consumer":"projects/1"}}]}} SERVICE_DISABLED`, "", "")
	f.Add(200, `[{"owner":{"email":{"nested":[1,2,{"x":null}]}}}]`, "", "")
	specs, err := loadSpecs(verifiersTOML)
	if err != nil {
		f.Fatal(err)
	}
	u, _ := url.Parse("https://provider.test/path")
	f.Fuzz(func(t *testing.T, status int, body, hname, hval string) {
		if status < 100 || status > 599 {
			return
		}
		for i := range specs.Verifiers {
			s := &specs.Verifiers[i]
			resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Request: &http.Request{URL: u}}
			if hname != "" && !strings.ContainsAny(hname, " \r\n:") {
				resp.Header.Set(hname, hval)
			}
			a := s.judge(resp, "sk_live_secret")
			switch a.status {
			case scanner.VerifyValid, scanner.VerifyInvalid, scanner.VerifyUnknown:
			default:
				t.Fatalf("%s: status %q", s.Provider, a.status)
			}
			if a.wait < 0 {
				t.Fatalf("negative wait %v", a.wait)
			}
		}
	})
}

// FuzzTemplate expands arbitrary templates over an arbitrary JSON answer.
func FuzzTemplate(f *testing.F) {
	f.Add("{json:a.b|{json:c|none}} {header:X} {status} {prefix:sk_=s,rk_=r} {body}", `{"a":{"b":"x"},"c":[1,"y"]}`)
	f.Add("{{{|}}}{json:", `{}`)
	f.Fuzz(func(t *testing.T, tmpl, body string) {
		u, _ := url.Parse("https://provider.test/")
		resp := &http.Response{StatusCode: 200, Header: http.Header{}, Request: &http.Request{URL: u}}
		r := respCtx{resp: resp, doc: func() any { return parseJSON(body) }, body: shortBody([]byte(body)), secret: "sk_x"}
		out := r.expand(tmpl)
		if len([]rune(out)) > 301 {
			t.Fatalf("expansion of %d runes", len([]rune(out)))
		}
	})
}

// FuzzSpecs: arbitrary verifier files are refused or accepted, never a panic.
func FuzzSpecs(f *testing.F) {
	f.Add(string(verifiersTOML))
	f.Add("[[verifier]]\nprovider='x'\nrules=['a']\nurl='http://x'\n")
	f.Fuzz(func(t *testing.T, data string) {
		loadSpecs([]byte(data))
	})
}

// FuzzCompanionHost: whatever value a scanned file gives as the shop or
// site, a verifier whose host is a companion value sends to one label under
// its provider's domain, over HTTPS, or to nowhere.
func FuzzCompanionHost(f *testing.F) {
	f.Add("acme.myshopify.com", "SHOPIFY")
	f.Add("evil.example/x?.myshopify.com", "x")
	f.Add("a@b.myshopify.com:443", "x")
	f.Add("acme.atlassian.net", "dev@acme.io")
	f.Add("..myshopify.com", "%2e%2e")
	specs, err := loadSpecs(verifiersTOML)
	if err != nil {
		f.Fatal(err)
	}
	none := func(string) string { return "" }
	f.Fuzz(func(t *testing.T, host, other string) {
		for i := range specs.Verifiers {
			s := &specs.Verifiers[i]
			if s.HostSuffix == "" {
				continue
			}
			attrs := map[string]string{}
			for _, n := range s.Needs {
				attrs[n] = other
			}
			name, _, _ := strings.Cut(strings.TrimPrefix(s.URL, "https://{attr:"), "}")
			attrs[name] = host
			us, err := s.targets(s.Rules[0], "tok", attrs, none)
			if err != nil {
				continue
			}
			for _, u := range us {
				if u.Scheme != "https" || u.Port() != "" || u.User != nil || !ownHost(u.Host, s.HostSuffix) {
					t.Fatalf("%s: %q (from %q) is not one label under %s", s.Provider, u.String(), host, s.HostSuffix)
				}
			}
		}
	})
}
