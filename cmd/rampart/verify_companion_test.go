package main

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestScanVerifyCompanionHistory: a Twilio auth token committed alone, its
// account SID written above it a commit later, is checked once with that
// SID (Basic SID:token on the account's own resource); a token whose SID
// stands only in another file is not-checked and never sent.
func TestScanVerifyCompanionHistory(t *testing.T) {
	t.Parallel()
	const (
		sid    = "AC4f0c2e9b7d13a8e6c5b24f9107d3e8a2"
		lonely = "7f611915884ddc29b1d09d25ef641236"
	)
	var calls atomic.Int32
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(sid+":"+vfTwilio))
		if r.Method != http.MethodGet || r.URL.Path != "/2010-04-01/Accounts/"+sid+".json" || r.Header.Get("Authorization") != auth {
			t.Errorf("unexpected request %s %s (Authorization is not Basic SID:token)", r.Method, r.URL.Path)
			w.WriteHeader(401)
			io.WriteString(w, `{"code":20003,"message":"Authenticate","status":401}`)
			return
		}
		io.WriteString(w, `{"sid":"`+sid+`","friendly_name":"Acme SMS alerts","status":"active","type":"Full"}`)
	}))
	t.Cleanup(twilio.Close)

	repo := t.TempDir()
	scGit(t, repo, 0, "init", "-q")
	scWrite(t, repo, "config/sms.env", "TWILIO_AUTH_TOKEN="+vfTwilio+"\n")
	scWrite(t, repo, "config/other.env", "TWILIO_AUTH_TOKEN="+lonely+"\n")
	scGit(t, repo, 1, "add", ".")
	scGit(t, repo, 1, "commit", "-q", "-m", "sms alerts")
	scWrite(t, repo, "config/sms.env", "TWILIO_ACCOUNT_SID="+sid+"\nTWILIO_AUTH_TOKEN="+vfTwilio+"\n")
	scWrite(t, repo, "config/sid-only.env", "TWILIO_ACCOUNT_SID="+sid+"\n")
	scGit(t, repo, 2, "add", ".")
	scGit(t, repo, 2, "commit", "-q", "-m", "name the account")

	env := []string{"RAMPART_VERIFY_URL_TWILIO_AUTH_TOKEN=" + twilio.URL}
	out, stderr, code := cliRun(t, repo, env, "", "scan", "--history", "--verify", "--format", "json", ".")
	if code != 1 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	got := map[string]string{}
	for _, f := range vfParse(t, out) {
		if f.Rule != "twilio-auth-token" || f.Verification == nil {
			continue
		}
		got[f.Path] = f.Verification.Status + ": " + f.Verification.Identity + " " + f.Verification.Detail
		if f.Path == "config/sms.env" && f.Attributes["twilio_account_sid"] != sid {
			t.Errorf("sms.env: attributes %v, want the SID carried from the later commit", f.Attributes)
		}
	}
	if !strings.HasPrefix(got["config/sms.env"], "valid: Acme SMS alerts") {
		t.Errorf("sms.env: %q, want valid", got["config/sms.env"])
	}
	if !strings.HasPrefix(got["config/other.env"], "not-checked:") || !strings.Contains(got["config/other.env"], "account SID") {
		t.Errorf("other.env: %q, want not-checked for want of its SID", got["config/other.env"])
	}
	if strings.Contains(out, vfTwilio) || strings.Contains(out, lonely) {
		t.Error("the report holds a token")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
