package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/scanner"
)

// fakeBlob is a Blob service that knows one account key and checks each
// request's SharedKey signature with it, building the string to sign as the
// Storage documentation lays it out for a GET with no body.
func fakeBlob(t *testing.T, account string, key []byte, status int) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		if r.Method != http.MethodGet || r.URL.Path != "/" || r.URL.Query().Get("comp") != "list" {
			t.Errorf("request %s %s, want GET /?comp=list", r.Method, r.URL)
		}
		date, version := r.Header.Get("x-ms-date"), r.Header.Get("x-ms-version")
		if when, err := http.ParseTime(date); err != nil || time.Since(when) > time.Minute {
			t.Errorf("x-ms-date %q", date)
		}
		toSign := "GET\n" + strings.Repeat("\n", 11) +
			"x-ms-date:" + date + "\n" + "x-ms-version:" + version + "\n" +
			"/" + account + "/\ncomp:list\nmaxresults:" + r.URL.Query().Get("maxresults")
		m := hmac.New(sha256.New, key)
		m.Write([]byte(toSign))
		want := "SharedKey " + account + ":" + base64.StdEncoding.EncodeToString(m.Sum(nil))
		if r.Header.Get("Authorization") != want {
			w.Header().Set("x-ms-error-code", "AuthenticationFailed")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.</Message></Error>`))
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://` + account + `.blob.core.windows.net/"><MaxResults>1</MaxResults><Containers><Container><Name>backups</Name></Container></Containers><NextMarker /></EnumerationResults>`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestAzureStorage(t *testing.T) {
	t.Parallel()
	secret := exampleSecret(t, ruleAzureConnString)
	key, _ := base64.StdEncoding.DecodeString(secret)
	azureFinding := func(acct, sec string) []scanner.Finding {
		f := finding(ruleAzureConnString, sec)
		f.Attributes = map[string]string{azureAccountAttr: acct}
		return []scanner.Finding{f}
	}
	run := func(srvURL string, fs []scanner.Finding) scanner.Verification {
		v, _ := New(Options{Getenv: overrideEnv(ruleAzureConnString, srvURL), RetryDelay: time.Millisecond})
		v.Verify(context.Background(), fs)
		return *fs[0].Verification
	}
	srv, n := fakeBlob(t, "media01", key, 0)
	if got := run(srv.URL, azureFinding("media01", secret)); got.Status != scanner.VerifyValid || got.Identity != "storage account media01" || n.Load() != 1 {
		t.Errorf("valid key: %+v after %d requests", got, n.Load())
	}
	other := base64.StdEncoding.EncodeToString(append([]byte("another key of 64 bytes....."), make([]byte, 36)...))
	if got := run(srv.URL, azureFinding("media01", other)); got.Status != scanner.VerifyInvalid {
		t.Errorf("wrong key: %+v", got)
	}
	srv5, n5 := fakeBlob(t, "media01", key, http.StatusServiceUnavailable)
	if got := run(srv5.URL, azureFinding("media01", secret)); got.Status != scanner.VerifyUnknown || n5.Load() != 2 {
		t.Errorf("503: %+v after %d requests", got, n5.Load())
	}
	// Without the account name nothing is sent.
	v, _ := New(Options{Transport: failTransport{t}})
	fs := []scanner.Finding{finding(ruleAzureConnString, secret)}
	v.Verify(context.Background(), fs)
	if fs[0].Verification.Status != scanner.VerifyNotChecked {
		t.Errorf("no account: %+v", fs[0].Verification)
	}
	// The detector records the account from the connection string.
	if got := exampleAttr(t, ruleAzureConnString, azureAccountAttr); got != "mediayejm6r" {
		t.Errorf("azure_storage_account from the first example = %q", got)
	}
}

// TestAzureStorageKeyWithAccount: a storage key found alone is checked with
// the account name the detector found next to it, signed as for a
// connection string, through its own rule's override; without the name
// nothing is sent; the same key in a connection string and alone is one
// check.
func TestAzureStorageKeyWithAccount(t *testing.T) {
	t.Parallel()
	secret := exampleSecret(t, ruleAzureAccountKey)
	key, _ := base64.StdEncoding.DecodeString(secret)
	srv, n := fakeBlob(t, "media01", key, 0)
	v, err := New(Options{Getenv: overrideEnv(ruleAzureAccountKey, srv.URL), RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	alone := finding(ruleAzureAccountKey, secret)
	alone.Attributes = map[string]string{azureAccountAttr: "media01"}
	fs := []scanner.Finding{alone}
	v.Verify(context.Background(), fs)
	if got := fs[0].Verification; got.Status != scanner.VerifyValid || got.Identity != "storage account media01" || n.Load() != 1 {
		t.Errorf("key with its account: %+v after %d requests", got, n.Load())
	}

	v, _ = New(Options{Transport: failTransport{t}})
	fs = []scanner.Finding{finding(ruleAzureAccountKey, secret)}
	v.Verify(context.Background(), fs)
	if got := fs[0].Verification; got.Status != scanner.VerifyNotChecked || !strings.Contains(got.Detail, "the storage account's name was not found near it") {
		t.Errorf("key alone: %+v", got)
	}

	both := func(string) string { return srv.URL }
	v, _ = New(Options{Getenv: both, RetryDelay: time.Millisecond})
	conn := finding(ruleAzureConnString, secret)
	conn.Attributes = map[string]string{azureAccountAttr: "media01"}
	n.Store(0)
	fs = []scanner.Finding{conn, alone}
	sum := v.Verify(context.Background(), fs)
	if sum.Requests != 1 || fs[0].Verification.Status != scanner.VerifyValid || fs[1].Verification.Status != scanner.VerifyValid {
		t.Errorf("one key, two rules: %d requests, %+v %+v", sum.Requests, fs[0].Verification, fs[1].Verification)
	}
}
