package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/scanner"
)

// The Azure Storage rules verification serves, and the attribute the
// account is recorded in: by the connection string rule's validator, and
// for a key found alone, by the detector when the account's name stands
// next to it (scanner.Companion).
const (
	ruleAzureConnString = "azure-storage-connection-string"
	ruleAzureAccountKey = "azure-storage-account-key"
	azureAccountAttr    = "azure_storage_account"
	azureProvider       = "Azure Storage"
	azureVersion        = "2021-08-06"
)

const azureEndpoint = "GET https://<account>.blob.core.windows.net/?comp=list&maxresults=1 (List Containers, signed with the key: SharedKey)"

var azureAccountPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]{3,24}$`) })

// azureCred is a storage account key with the account it belongs to, and
// the rule that found it (whose override applies).
type azureCred struct {
	account, key, ruleID string
}

// isAzureRule reports whether the Azure Storage verifier serves ruleID.
func isAzureRule(ruleID string) bool {
	return ruleID == ruleAzureConnString || ruleID == ruleAzureAccountKey
}

// azureURL is the List Containers request for the account, or the
// override's host with the same path and query.
func (v *Verifier) azureURL(account, ruleID string) (*url.URL, error) {
	u := &url.URL{Scheme: "https", Host: account + ".blob.core.windows.net", Path: "/", RawQuery: "comp=list&maxresults=1"}
	if o := v.getenv(overrideVar(ruleID)); o != "" {
		b, err := url.Parse(o)
		if err != nil || b.Host == "" {
			return nil, fmt.Errorf("verify: bad endpoint override %q", o)
		}
		b.Path = strings.TrimSuffix(b.Path, "/") + "/"
		b.RawQuery = u.RawQuery
		u = b
	}
	return u, CheckEndpoint(u)
}

// checkAzure lists at most one container of the account, signing the
// request with the key (SharedKey). Listing reads; it changes nothing.
func (v *Verifier) checkAzure(ctx context.Context, c azureCred) answer {
	if !azureAccountPattern().MatchString(c.account) {
		return answer{status: scanner.VerifyUnknown, detail: "not a storage account name"}
	}
	key, err := base64.StdEncoding.DecodeString(c.key)
	if err != nil {
		return answer{status: scanner.VerifyInvalid, detail: "the account key is not base64"}
	}
	u, err := v.azureURL(c.account, c.ruleID)
	if err != nil {
		return networkAnswer(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return answer{status: scanner.VerifyUnknown, detail: "could not build the request"}
	}
	req.Header.Set("User-Agent", v.userAgent)
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-ms-version", azureVersion)
	req.Header.Set("Authorization", "SharedKey "+c.account+":"+azureSign(key, c.account, req))
	resp, err := v.client.Do(req)
	if err != nil {
		return networkAnswer(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	code := resp.Header.Get("x-ms-error-code")
	switch {
	case resp.StatusCode == http.StatusOK:
		return answer{status: scanner.VerifyValid, identity: "storage account " + c.account, detail: "the key can list the account's containers"}
	case resp.StatusCode == http.StatusForbidden && code == "AuthenticationFailed":
		return answer{status: scanner.VerifyInvalid, detail: "Azure: AuthenticationFailed (the key is not one of the account's keys)"}
	case resp.StatusCode == http.StatusForbidden && code == "KeyBasedAuthenticationNotPermitted":
		return answer{status: scanner.VerifyUnknown, detail: "the account refuses key authentication, so the key cannot be checked"}
	}
	a := unexpected(resp)
	if code != "" {
		a.detail += " (" + code + ")"
	}
	return a
}

// azureSign computes the SharedKey signature of req for the Blob service
// (version 2015-02-21 and later): HMAC-SHA256, keyed with the decoded
// account key, of the verb, twelve standard headers (empty here), the
// x-ms-* headers and the canonicalized resource.
func azureSign(key []byte, account string, req *http.Request) string {
	var b strings.Builder
	b.WriteString(req.Method + "\n")
	for _, h := range []string{"Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
		"If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range"} {
		v := req.Header.Get(h)
		if h == "Content-Length" && v == "0" {
			v = ""
		}
		b.WriteString(v + "\n")
	}
	var ms []string
	for name := range req.Header {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-ms-") {
			ms = append(ms, l)
		}
	}
	sort.Strings(ms)
	for _, name := range ms {
		b.WriteString(name + ":" + strings.TrimSpace(req.Header.Get(name)) + "\n")
	}
	b.WriteString("/" + account + req.URL.EscapedPath())
	q := req.URL.Query()
	var names []string
	for k := range q {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	for _, k := range names {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		b.WriteString("\n" + k + ":" + strings.Join(vals, ","))
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
