package patterns

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func check(t *testing.T, name, secret, match string) (bool, string) {
	t.Helper()
	v, ok := LookupValidator(name)
	if !ok {
		t.Fatalf("validator %q not registered", name)
	}
	if match == "" {
		match = secret
	}
	return v.Check(&Candidate{Secret: []byte(secret), Match: []byte(match)})
}

func TestExtraValidators(t *testing.T) {
	body := "bmQpCI5lEQotQ7gbIbX7TTEEIUseY0"
	gh := "ghp_" + body + Base62CRC32([]byte(body))
	flip := []byte(gh)
	flip[10] ^= 0x20 // change case of one body character
	jwt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"42","iss":"https://auth.corp.net"}`)) + ".c2lnbmF0dXJl"
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"42"}`)) + "."
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	// jetbrains encodes a password as .idea/WebServers.xml holds it.
	jetbrains := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, "%04x", r^0xdfaa)
		}
		return b.String()
	}
	// A Data Center token: its numeric ID, a colon, 20 random bytes.
	dcPAT := func(id string) string {
		raw := append([]byte(id+":"), 0x20, 0x5b, 0xf5, 0x2e, 0x16, 0x3c, 0x4a, 0x0a, 0xe9, 0xc9,
			0x8e, 0x7b, 0xaa, 0x6a, 0xe9, 0x53, 0xb4, 0x96, 0xde, 0x8c)
		return base64.StdEncoding.EncodeToString(raw)
	}
	tests := []struct {
		validator, secret, match string
		want                     bool
	}{
		{"github-checksum", gh, "", true},
		{"github-checksum", string(flip), "", false},
		{"github-checksum", "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "", false},
		{"github-checksum", "ghp_", "", false},
		{"npm-checksum", "npm_" + body + Base62CRC32([]byte(body)), "", true},
		{"npm-checksum", "npm_" + body + "000000", "", false},
		{"key-ulid", "sk_live_" + strings.TrimRight(b64("key_01JD4W7QZK3M8N2P5R6S9T0VXY,q7Lm2Vx9Rt4Kp8Zw3Nb6Hc1Ds"), "="), "", true},
		{"key-ulid", "sk_test_" + b64("key_01JD4W7QZK3M8N2P5R6S9T0VXY,q7Lm2Vx9Rt4Kp8Zw3Nb6Hc1Ds"), "", true},
		{"key-ulid", "sk_live_" + b64("key_01JD4W7QZK3M8N2P5R6S9T0VXU,q7Lm2Vx9Rt4Kp8Zw3Nb6Hc1Ds"), "", false}, // U is not Crockford
		{"key-ulid", "sk_live_" + b64("key_01JD4W7QZK3M8N2P5R6S9T0VXY,short"), "", false},
		{"key-ulid", "sk_live_a2V5X!!!!", "", false},
		{"key-ulid", "sk_live_N7DytPh0eSJkLnoVAv8h8db8", "", false},
		{"not-key-ulid", "sk_live_N7DytPh0eSJkLnoVAv8h8db8", "", true},
		{"not-key-ulid", "sk_live_" + b64("key_01JD4W7QZK3M8N2P5R6S9T0VXY,q7Lm2Vx9Rt4Kp8Zw3Nb6Hc1Ds"), "", false},
		{"grafana-checksum", "glsa_K94gynrxErJOB3dnrHa2LghkMort5AcV_0f1936bd", "", false},
		{"jwt", jwt, "", true},
		{"jwt", none, "", false},
		{"jwt", "eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxIn0.c2ln", "", false},
		{"jwt", "a.b", "", false},
		{"base64-json", "glc_" + b64(`{"o":"1","n":"x"}`), "", true},
		{"base64-json", "sntrys_" + strings.TrimRight(b64(`{"iat":1,"org":"x"}`), "=") + "_abc", "", true},
		{"base64-json", "glc_" + b64("not json at all"), "", false},
		{"base64-key-file-key", b64(`{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nABC\n-----END PRIVATE KEY-----\n", "client_email": "a@b.iam.gserviceaccount.com"}`), "", false},
		{"base64-key-file-key", b64(`{"type": "service_account", "private_key": "", "client_id": "1"}`), "", false},
		{"base64-key-file-key", b64(`{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDmK7vR2xQ9sLp4\nT8wY3nB6cF1hJ5dA0eG7kM2qZ9rX4vC8uN3oP6yS1tW5bH0jL7iK2fD9aE4gR8m\n-----END PRIVATE KEY-----\n"}`), "", true},
		{"base64-key-file-key", b64(`{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgE`), "", true}, // cut off
		{"base64-key-file-key", "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50HM0eQQlG+2YSb/spAnmGG64WvSAx/rtjdWuCCOyBA65X", "", true},
		{"base64-userpass", b64("ci-bot:Zq8#rT2!vX9m"), "", true},
		{"base64-userpass", b64("user:password"), "", false},
		{"base64-userpass", b64("no-colon-here"), "", false},
		{"base64-userpass", b64("admin:admin"), "", false},
		{"base64-userpass", b64(`{"alg":"HS256","typ":"JWT"}`), "", false},
		{"base64-userpass", b64(`["ci-bot:Zq8#rT2!vX9m"]`), "", false},
		{"base64-password", b64("Zq8#rT2!vX9m"), "", true},
		{"base64-password", b64("Zq8#rT2!vX9m\n"), "", true}, // pasted with its newline
		{"base64-password", b64("password"), "", false},
		{"base64-password", b64("Zq8#\x00rT2!vX9m"), "", false}, // binary, not typed text
		{"base64-password", "not base64!", "", false},
		{"jetbrains-password", jetbrains("Zq8#rT2!vX9m"), "", true},
		{"jetbrains-password", jetbrains("changeme1"), "", false},
		{"jetbrains-password", "0123456789abcdef", "", false}, // hex that decodes to no text
		{"jetbrains-password", "dffcdfc8df9", "", false},      // not whole groups of four
		{"cisco-type7", "053D1E582A7D1C0435154E201F", "", true},
		{"cisco-type7", "02145C70134702737B5F5E2D1F", "", true},
		{"cisco-type7", "0822455D0A16", "", false},        // cisco
		{"cisco-type7", "0307530A080824414B", "", false},  // changeme
		{"cisco-type7", "99145C70134702737B", "", false},  // offset past the key
		{"cisco-type7", "053D1E582A7D1C04351", "", false}, // odd length
		{"base64-private-key", b64("-----BEGIN RSA PRIVATE KEY-----\nMIIE"), "", true},
		{"base64-private-key", b64("-----BEGIN PUBLIC KEY-----\nMIIB"), "", false},
		{"base64-64-bytes", base64.StdEncoding.EncodeToString(make([]byte, 64)), "", true},
		{"base64-64-bytes", base64.StdEncoding.EncodeToString(make([]byte, 32)), "", false},
		{"crc32-hex-checksum", "cfut_XBbIJU8HESPiWv00IstRu7UGiI8PhsrSkyFoLpPR6c35f9c9", "", true},
		{"crc32-hex-checksum", "cfk_1kaSFT3MYUFXNvtYm9ivOh1vbZMAYq4qdk5dnL2ia691935c", "", true},
		{"crc32-hex-checksum", "cfut_XBbIJU8HESPiWv00IstRu7UGiI8PhsrSkyFoLpPR6c35f9c8", "", false},
		{"crc32-hex-checksum", "cfut_a1B2c3D4e5a1B2c3D4e5a1B2c3D4e5a1B2c3D4e50123abcd", "", false},
		{"crc32-hex-checksum", "cfut_6c35f9c9", "", false},
		{"atlassian-dc-pat", dcPAT("588925395905"), "", true},
		{"atlassian-dc-pat", "BBDC-" + dcPAT("139493427183"), "", true},
		{"atlassian-dc-pat", b64("169999999912:a note in plain text"), "", false},
		{"atlassian-dc-pat", base64.StdEncoding.EncodeToString(append([]byte("abcdefghijkl:"), make([]byte, 20)...)), "", false},
		{"atlassian-dc-pat", "NTg4OTI1Mzk1OTA1OiBb9S4WPEoK6cmOe6pq6VO0lt", "", false},
		{"atlassian-dc-pat", "BBDC-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", false},
		{"url-password", "s3cUr3-Pa55-Q9", "postgres://app:s3cUr3-Pa55-Q9@db", true},
		// Default credentials at a hosted instance are a credential; the
		// same at localhost, an example host, or a tutorial's weak word
		// at a hosted one, are not.
		{"url-password", "admin", "https://admin:admin@the-internet.herokuapp.com", true},
		{"url-password", "root", "mysql://root:root@app-db.cluster-c9x.eu-west-1.rds.amazonaws.com", true},
		{"url-password", "admin", "https://admin:admin@example.herokuapp.com", false},
		{"url-password", "root", "mysql://root:root@localhost", false},
		{"url-password", "guest", "amqp://guest:guest@rabbit.cloudamqp.com", false},
		{"url-password", "hunter2", "mongodb+srv://someuser:hunter2@my-atlas-rd941.mongodb.net", false},
		{"url-password", "postgres", "postgres://postgres:postgres@db", false},
		// Random passwords with '?' or '@' (TestAccuracy seeds 1-20): a
		// parameter's value is no query string, a mixed-case "domain" no
		// email address; the userinfo's query string and a real address are.
		{"url-password", "?Eqp?_lVjvyATjuX5D", "jdbc:postgresql://db:5432/app?user=app&password=?Eqp?_lVjvyATjuX5D", true},
		{"url-password", "?collection=a", "mongodb://user:?collection=a@host", false},
		{"url-password", "n_H2zJ@QDk8.HwKfnp", "Server=sql;User Id=crm_app;Password=n_H2zJ@QDk8.HwKfnp;", true},
		{"url-password", "guest@example.com", "ftp://anonymous:guest@example.com@ftp.example.com", false},
		{"url-password", "app", "postgres://app:app@db", false},
		{"url-password", "pa%3Fsword", "http://%3Fam:pa%3Fsword@google.com", false},
		{"url-password", "pasXword", "http://am:pasXword@google.com", false},
		{"url-password", "pa55wordy", "http://am:pa55wordy@google.com", false},
		{"url-password", "pastword9", "http://am:pastword9@google.com", true},
		{"url-password", "${DB_PASSWORD}", "postgres://app:${DB_PASSWORD}@db", false},
		{"url-password", "braksha", "ftp://ops:braksha@files", false},
		// URL parsers' test inputs: escapes and delimiters, not passwords.
		{"url-password", "c%20d", "http://a%20b:c%20d@host/", false},
		{"url-password", "%F0%9F%8D%A9", "http://user:%F0%9F%8D%A9@host/", false},
		{"url-password", "c%0D%0A%0C%09%20d", "http://a%0D%0A%0C%09%20b:c%0D%0A%0C%09%20d@host", false},
		{"url-password", "nota%hex", "http://username:nota%hex@symfony.com", false},
		{"url-password", "foo(b]c", "http://&a:foo(b]c@d:2/", false},
		{"url-password", `\uD83D\uDCA9`, `http://foo:\uD83D\uDCA9@example.com/bar`, false},
		{"url-password", "p%2Fss", "snowflake://user%40example:p%2Fss@example.snowflakecomputing.com", false},
		{"url-password", "asdfqwer1234asdf", "redis://h:asdfqwer1234asdf@ec2-111-1-1-1.compute-1.amazonaws.com:111", false},
		// An escaped password is judged decoded, and a real one still passes.
		{"url-password", "Zq8%23rT2%21vX9m", "https://ci-bot:Zq8%23rT2%21vX9m@nexus.corp.net", true},
		{"url-password", "pa%24%24word", "https://ci-bot:pa%24%24word@nexus.corp.net", false},
		{"command-password", "braksha", `psexec \\h -u Administrator -p braksha`, true},
		{"command-password", "Tq8vZ3mL9xRk", `psexec \\h -u CORP\\deploy -p Tq8vZ3mL9xRk`, true},
		{"command-password", "pass", `psexec \\h -u admin -p pass`, false},
		{"command-password", "guest", `psexec \\h -u admin -p guest`, false},
		{"command-password", "opensesame", `psexec \\h -u admin -p opensesame`, false},
		{"command-password", "deployer", `psexec \\h -u CORP\\deploy -p deployer`, false},
		{"command-password", "%PASS%", `psexec \\h -u admin -p %PASS%`, false},
		{"command-password", "adminpwd", `psexec \\h -u CORP\\ops -p adminpwd`, false},
		{"command-password", "userlogin", `psexec \\h -u ops -p userlogin`, false},
		{"password", "Tr0ub4dor&3x", "", true},
		{"password", "env:GHCACHE_TOKEN_PW", `exec.Command("openssl", "enc", "-pass", "env:GHCACHE_TOKEN_PW")`, false},
		{"password", "env:GHCACHE_TOKEN_PW:", "// openssl enc -pass env:GHCACHE_TOKEN_PW: OpenSSL's pass-phrase", false},
		{"password", "file:/run/secrets/p12pass", "openssl pkcs12 -passout file:/run/secrets/p12pass", false},
		{"password", "fd:3", "openssl enc -pass fd:3", false},
		{"password", "env:Hq2v8Lx_w4T!z", "", true},
		{"password", "file:", "", false},
		{"password", "changeme", "", false},
		{"password", "P@ssw0rd123", "", false},
		{"password", "user_password", "", false},
		{"password", "settings.DB_PASSWORD", "", false},
		{"password", "combination.", "", false},
		{"password", "Requirements:", "", false},
		{"password", "protected!", "", false},
		{"password", "kZp.wQ!r", "", true},
		{"password", "Xq7mbvtzr.", "", true},
		{"password", "/docs/server@2.4/account/reset", "", false},
		{"password", "/api/v2/users/login", "", false},
		{"password", "/x7Kq/9mZp2Lw", "", true},
		{"password", ",submitLabel:", "", false},
		{"password", ",Qx7!mZp2Lw", "", true},
		{"password", "pass@host", "", false},
		{"password", "busybox@", "", false},
		{"password", "5f4dcc3b5aa765d61d8327deb882cf99", "", false},
		{"password", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8", "", false},
		{"password", "5f4dcc3b5aa765d61d8327deb882cf98", "", true},
		{"password", "blue-harbor", "", false},
		{"password", "Pass@Host-42", "", true},
		{"password", "Zorbix!q.", "", true},
		{"password", "getPassword()", "", false},
		{"password", "onlylowercaseletters", "", false},
		{"password", "ZgG8ZoAG.jxkeP", "", true},
		// Names from code and escaped markup under a password's name.
		{"password", "__toString", "", false},
		{"password", "MyResource.pulumi_type", "", false},
		{"password", "VARIABLE_DEF,PARAMETER_DEF", "", false},
		{"password", "a&lt;&amp;&gt;b", "", false},
		{"password", "collec&#9;null&#9;null", "", false},
		{"password", "ChangeThisToSomethingDifferent!", "", false},
		{"password", "hG7&amp;tR2qLz9W", "", true},
		{"password", "&quot;bobby", "", false},
		{"password", "&quot;Bobby7&lt;", "", true},
		{"password", "Xq7_mbvtzr.Lw9", "", true},
		{"password", "ImaLuigi,number1!", "", true},
		{"not-code", "process.env.TOKEN", "", false},
		{"not-code", "%(password)s", "", false},
		{"not-code", "!vault", "", false},
		{"not-code", "!q5EHO1.fXM!BRqB", "", true},
		// Random values with a dot or a leading sigil (TestAccuracy seeds
		// 1-20): their humps are a random value's, not a name's.
		{"not-code", "rAMWvdex.oM8zNT4", "", true},
		{"not-code", "tt.RevsY6p3rC2ax", "", true},
		{"not-code", "uCOBWdEBDta7A.o1", "", true},
		{"not-code", "*kS6EkaifkU4NHul", "", true},
		{"not-code", "!lgZmm3WotEtMNLo", "", true},
		{"not-code", "d6iOSlAty0fI4CBfh.gZ", "", true},
		{"not-code", "backup-2024.tar.gz", "", false},
		{"not-code", "SETUP.EXE", "", false},
		{"not-code", "settings.DB_PASSWORD", "", false},
		{"not-code", "this.props.dbPassword", "", false},
		{"not-code", "credentials.SecretAccessKey", "", false},
		{"not-code", "req.Auth.XApiKey", "", false},
		{"not-code", "ed25519.PrivateKey", "", false},
		{"not-code", "*default_db_password", "", false},
		{"not-code", "!ImportValue", "", false},
		// Other variables' names, as prose lists them: PGPASSWORD=/MYSQL_PWD=,
		// DB_PASSWORD=/DB_USER.
		{"not-code", "/MYSQL_PWD=", "", false},
		{"not-code", "MYSQL_PWD=", "", false},
		{"not-code", "/DB_USER", "", false},
		{"not-code", "/Xq7_mbvtz=", "", true},
		{"not-code", "Qm2w_X7kZ=", "", true},
		{"not-documented", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==", "", false},
		{"not-vendor-token", "ghp_notreallyatoken", "", false},
		{"not-vendor-token", "Zq8rT2vX9mKp4Lw7", "", true},
		{"not-vendor-token", "aio_Qm7vT2xKp9LwR4nB8sYc3HdF6jGzA", "", false},
		{"not-vendor-token", "live_pub_5e0c2a9d17b84f3e6a1c9d0b2f7e4a8", "", false},
		{"not-vendor-token", "cmVmdGtuOjAxOjE3MDAwMDAwMDA6TRUNC", "", false},
		{"not-vendor-token", "spu-7E21A05BD94C11EE8A91C4D3B2A1F0E9", "", false},
		{"not-stopword", "test-9f8e7d6c5b4a", "", false},
		{"not-stopword", "9f8e7d6c5b4a3f2e", "", true},
	}
	for _, tc := range tests {
		got, reason := check(t, tc.validator, tc.secret, tc.match)
		if got != tc.want {
			t.Errorf("%s(%q) = %v (%s), want %v", tc.validator, tc.secret, got, reason, tc.want)
		}
	}
}

func TestGrafanaChecksum(t *testing.T) {
	// Build a token the way Grafana's satokengen does and check both outcomes.
	c := &Candidate{Secret: []byte("glsa_aVfAMGY1SOcnS1bJJQY6FJQDwYb2clG7_00000000")}
	if ok, _ := checkGrafanaChecksum(c); ok {
		t.Fatal("zero checksum accepted")
	}
	for _, sum := range []string{"0f1936bd", "ffffffff"} {
		c.Secret = []byte("glsa_aVfAMGY1SOcnS1bJJQY6FJQDwYb2clG7_" + sum)
		_, _ = checkGrafanaChecksum(c) // must not panic
	}
}

func TestJWTIssuerAttribute(t *testing.T) {
	jwt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://issuer.corp.net"}`)) + ".c2ln"
	c := &Candidate{Secret: []byte(jwt)}
	if ok, reason := checkJWT(c); !ok {
		t.Fatal(reason)
	}
	if c.Attributes["jwt_issuer"] != "https://issuer.corp.net" {
		t.Errorf("jwt_issuer = %q", c.Attributes["jwt_issuer"])
	}
}

// FuzzParseJWT: the JWT parser never panics, and whatever it accepts has a
// string alg in its header.
func FuzzParseJWT(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")
	f.Add("..")
	f.Add("eyJ.eyJ.")
	f.Fuzz(func(t *testing.T, s string) {
		h, p, ok := ParseJWT([]byte(s))
		if !ok {
			return
		}
		if _, isStr := h["alg"].(string); !isStr || p == nil {
			t.Fatalf("accepted %q without a string alg or payload", s)
		}
	})
}

// FuzzDecodeUserPass: never panics; an accepted value has both halves.
func FuzzDecodeUserPass(f *testing.F) {
	f.Add("dXNlcjpwYXNz")
	f.Add("Og==")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		u, p, ok := DecodeUserPass([]byte(s))
		if ok && (u == "" || p == "" || strings.Contains(u, ":")) {
			t.Fatalf("DecodeUserPass(%q) = %q, %q", s, u, p)
		}
	})
}

// FuzzValidators runs every extra validator over arbitrary input: a validator
// judges untrusted text and must never panic on it.
func FuzzValidators(f *testing.F) {
	f.Add("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "https://a:b@c")
	f.Add("glsa__", "")
	f.Add("sntrys__", "://:")
	f.Add("_", "x")
	f.Fuzz(func(t *testing.T, secret, match string) {
		for _, v := range extraValidators() {
			c := &Candidate{Secret: []byte(secret), Match: []byte(match)}
			v.Check(c)
		}
	})
}

func TestPrecisionFixesFromRealTrees(t *testing.T) {
	t.Parallel()
	// From rails: fixture database URLs, a CSRF token in a log line, a
	// credentials file name where a value should be.
	for _, tt := range []struct {
		check func(*Candidate) (bool, string)
		c     Candidate
		want  bool
	}{
		{checkURLPassword, Candidate{Match: []byte("postgresql://baduser:badpass@"), Secret: []byte("badpass")}, false},
		{checkURLPassword, Candidate{Match: []byte("postgres://cacheuser:cachepass@"), Secret: []byte("cachepass")}, false},
		{checkURLPassword, Candidate{Match: []byte("postgres://app:Tq8vZ3mL9xRk@"), Secret: []byte("Tq8vZ3mL9xRk")}, true},
		{checkURLPassword, Candidate{Match: []byte("machine imap2 login bob password bobwillknow"), Secret: []byte("bobwillknow")}, false},
		{checkURLPassword, Candidate{Match: []byte("machine vcs-test.golang.org login aladdin password ignored"), Secret: []byte("ignored")}, false},
		{checkPassword, Candidate{Secret: []byte("gopher@golang.org")}, false},
		{checkURLPassword, Candidate{Match: []byte("machine api.example.com login deploy password Tq8vZ3mL9xRk"), Secret: []byte("Tq8vZ3mL9xRk")}, true},
		{checkNotCode, Candidate{Secret: []byte("KnAM4a_development.yml.enc")}, false},
		{checkNotCode, Candidate{Secret: []byte("Xk9m2Lp4Qr7sT1vW3yZ5aB6")}, true},
		{checkNotCode, Candidate{Secret: []byte("/instance_identity/v1/token")}, false},
		{checkNotCode, Candidate{Secret: []byte("ed25519.PrivateKey")}, false},
		{checkPassword, Candidate{Secret: []byte("required|confirmed|min:8")}, false},
		{checkPassword, Candidate{Secret: []byte("Zxcvbnm@12345")}, true},
		{checkPassword, Candidate{Secret: []byte(`\u7528\u6237\u540d\u6216\u5bc6\u7801`)}, false},
		{checkTokenKind, Candidate{Line: []byte(`"authenticity_token"=>"XLveDrKzF1Swai"`), Secret: []byte("XLveDrKzF1Swai")}, false},
		{checkTokenKind, Candidate{Line: []byte(`nextPageToken: "CAoQAxoGCJbK9aUG"`), Secret: []byte("CAoQAxoGCJbK9aUG")}, false},
		{checkTokenKind, Candidate{Line: []byte(`access_token = "CAoQAxoGCJbK9aUG"`), Secret: []byte("CAoQAxoGCJbK9aUG")}, true},
		{checkTokenKind, Candidate{Line: []byte(`publicToken = "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit"`), Secret: []byte("9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit")}, false},
		{checkTokenKind, Candidate{Line: []byte(`SLACK_TOKEN=xoxb-CAoQAxoGCJbK9aUG`), Secret: []byte("xoxb-CAoQAxoGCJbK9aUG")}, true},
		// A signed webhook's nonce, on one line (no Text: the line is read),
		// and tokens whose objects lack the timestamp or the signature.
		{checkTokenKind, Candidate{Line: []byte(`{"signature": {"timestamp": "1700000000", "token": "4f2a9c7e1b8d3f6a0c5e9b2d", "signature": "9b1e4c7a"}}`), Secret: []byte("4f2a9c7e1b8d3f6a0c5e9b2d")}, false},
		{checkTokenKind, Candidate{Line: []byte(`{"auth": {"timestamp": "1700000000", "token": "4f2a9c7e1b8d3f6a0c5e9b2d"}}`), Secret: []byte("4f2a9c7e1b8d3f6a0c5e9b2d")}, true},
		{checkTokenKind, Candidate{Line: []byte(`{"token": "4f2a9c7e1b8d3f6a0c5e9b2d"}, "timestamp": 1, "signature": "x"`), Secret: []byte("4f2a9c7e1b8d3f6a0c5e9b2d")}, true},
		{checkTokenKind, Candidate{Line: []byte(`{"api_token": "4f2a9c7e1b8d3f6a0c5e9b2d", "timestamp": 1, "signature": "x"}`), Secret: []byte("4f2a9c7e1b8d3f6a0c5e9b2d")}, true},
		// Ruby's symbol keys and JavaScript's bare keys (a test posting a
		// webhook), and the same keys outside the token's object.
		{checkTokenKind, Candidate{Line: []byte(`post url, params: { timestamp: 1539112500, token: "7VwW7k6Ak7zcTwoSoNm7", signature: "ef24c522" }`), Secret: []byte("7VwW7k6Ak7zcTwoSoNm7")}, false},
		{checkTokenKind, Candidate{Line: []byte(`{ :timestamp => 1539112500, :token => "7VwW7k6Ak7zcTwoSoNm7", :signature => "ef24c522" }`), Secret: []byte("7VwW7k6Ak7zcTwoSoNm7")}, false},
		{checkTokenKind, Candidate{Line: []byte(`send({ token: "7VwW7k6Ak7zcTwoSoNm7" }, { timestamp: 1, signature: "x" })`), Secret: []byte("7VwW7k6Ak7zcTwoSoNm7")}, true},
		{checkTokenKind, Candidate{Line: []byte(`{ created_timestamp: 1, token: "7VwW7k6Ak7zcTwoSoNm7", email_signature: "x" }`), Secret: []byte("7VwW7k6Ak7zcTwoSoNm7")}, true},
		// An idempotency token is a UUID; a client token of another shape is kept.
		{checkTokenKind, Candidate{Line: []byte(`client_token = "7c1e4b9a-2f6d-4a83-b5e0-9d3c8f1a6b27"`), Secret: []byte("7c1e4b9a-2f6d-4a83-b5e0-9d3c8f1a6b27")}, false},
		{checkTokenKind, Candidate{Line: []byte(`client_token = "Tq8vZ3mL9xRk2Wp7Hn4Ld6Fs"`), Secret: []byte("Tq8vZ3mL9xRk2Wp7Hn4Ld6Fs")}, true},
		// Bitwarden's EncString; resource names; a value holding its own name.
		{checkNotCode, Candidate{Secret: []byte("2.Kx3vR9pT2mWq8LzN4bHj6A==|Tq8vZ3mL9xRk2Wp7Hn4Ld6F=")}, false},
		{checkNotCode, Candidate{Secret: []byte("7.Kx3vR9pT2mWq8LzN4bHj6A==")}, false},
		{checkNotCode, Candidate{Secret: []byte("app3-dev-4071926385")}, false},
		{checkNotCode, Candidate{Secret: []byte("Tq8v-Z3mL-9xRk-2Wp7")}, true},
		{checkNotCode, Candidate{Secret: []byte("7c1e4b9a-2f6d-4a83-b5e0-9d3c8f1a6b27")}, true},
		{checkNotCode, Candidate{Line: []byte(`SessionKDCCredentials = "krb5SessionKDCCredentials"`), Secret: []byte("krb5SessionKDCCredentials")}, false},
		{checkNotCode, Candidate{Line: []byte(`apiCredentials = "Tq8vZ3mL9xRk2Wp7Hn4Ld6Fs"`), Secret: []byte("Tq8vZ3mL9xRk2Wp7Hn4Ld6Fs")}, true},
		{checkPassword, Candidate{Line: []byte(`'after_password' => 'Tq8vZ3mL9x'`), Match: []byte(`password' => 'Tq8vZ3mL9x'`), Secret: []byte("Tq8vZ3mL9x")}, false},
		{checkPassword, Candidate{Line: []byte(`'admin_password' => 'Tq8vZ3mL9x'`), Match: []byte(`password' => 'Tq8vZ3mL9x'`), Secret: []byte("Tq8vZ3mL9x")}, true},
	} {
		if ok, reason := tt.check(&tt.c); ok != tt.want {
			t.Errorf("%q / %q: %v (%s), want %v", tt.c.Line, tt.c.Secret, ok, reason, tt.want)
		}
	}
}

// TestTokenKindDeviceToken: an APNs device token (64 hex under deviceToken)
// is where a push goes, not a credential; the same value under another
// name, or another value under deviceToken, is still judged a secret.
func TestTokenKindDeviceToken(t *testing.T) {
	const hex64 = "4f2a9c7e1b8d3f6a0c5e9b2d7f1a4c8e6b0d3f9a2c7e5b1d8f3a6c9e2b5d8f1a"
	tests := []struct {
		secret, line string
		want         bool
	}{
		{hex64, "      deviceToken: '" + hex64 + "',", false},
		{hex64, `"device_token": "` + hex64 + `",`, false},
		{hex64, "api_token: '" + hex64 + "',", true},
		{"Zt5vQ9mW2xLr8KpN4bHj", "device_token: 'Zt5vQ9mW2xLr8KpN4bHj'", true},
	}
	v, _ := LookupValidator("token-kind")
	for _, tc := range tests {
		got, reason := v.Check(&Candidate{Secret: []byte(tc.secret), Match: []byte(tc.line), Line: []byte(tc.line)})
		if got != tc.want {
			t.Errorf("token-kind(%q) = %v (%s), want %v", tc.line, got, reason, tc.want)
		}
	}
}

// TestTokenKindCSRFObject: a bare "token" on a line that names the CSRF
// parameter or header (Spring Security's CsrfToken as JSON) is a form's
// anti-forgery value; a bare token on a line that only mentions CSRF in
// passing, or without it, is still judged a secret.
func TestTokenKindCSRFObject(t *testing.T) {
	const uuid = "06300b65-c4aa-4c8f-8cda-39ee17f545a0"
	tests := []struct {
		line string
		want bool
	}{
		{`+ "  \"token\" : \"` + uuid + `\",\n" + "  \"headerName\" : \"X-CSRF-TOKEN\"\n"`, false},
		{`{"parameterName": "_csrf", "token": "` + uuid + `", "headerName": "X-XSRF-TOKEN"}`, false},
		{`{"token": "` + uuid + `", "csrf": true}`, true},
		{`{"token": "` + uuid + `"}`, true},
		// A CSRF header named far from the token (a minified line).
		{`{"token": "` + uuid + `"` + strings.Repeat(`,"x":1`, 30) + `,"csrf_token":"abc"}`, true},
	}
	v, _ := LookupValidator("token-kind")
	for _, tc := range tests {
		got, reason := v.Check(&Candidate{Secret: []byte(uuid), Match: []byte(`token": "` + uuid + `"`), Line: []byte(tc.line)})
		if !tc.want {
			// A token that is no UUID is judged as any other.
			w := strings.ReplaceAll(tc.line, uuid, "Hq8vLz3Wk2xR7tqM4nB6cY1dPz9K")
			if ok, _ := v.Check(&Candidate{Secret: []byte("Hq8vLz3Wk2xR7tqM4nB6cY1dPz9K"), Match: []byte(`token": "Hq8vLz3Wk2xR7tqM4nB6cY1dPz9K"`), Line: []byte(w)}); !ok {
				t.Errorf("token-kind(%q) dropped a token that is no UUID", w)
			}
		}
		if got != tc.want {
			t.Errorf("token-kind(%q) = %v (%s), want %v", tc.line, got, reason, tc.want)
		}
	}
}

// TestOpenAPIDocumentation: a password inside an OpenAPI definition's
// description or example is shown to the reader (Docker's Engine API);
// the same text outside such a definition, or under a key of the
// definition that is not documentation, is judged as any other.
func TestOpenAPIDocumentation(t *testing.T) {
	const block = `    - name: "X-Registry-Config"
      in: "header"
      description: |
        For example:

        ` + "```" + `
        {
          "https://index.docker.io/v1/": {
            "username": "mobydock",
            "password": "conta1n3rize14"
          }
        }
        ` + "```" + `
`
	const example = `      AuthConfig:
        type: "object"
        example:
          username: "hannibal"
          password: "xxxx-Tq8vZ3mL9x"
`
	const inline = `      example: "{\"username\": \"hannibal\", \"password\": \"Tq8vZ3mL9x!\"}"
`
	const other = `      x-credentials: |
        password: "Tq8vZ3mL9x!"
`
	tests := []struct {
		text, secret string
		want         bool
	}{
		{"swagger: \"2.0\"\npaths:\n  /build:\n    post:\n      parameters:\n" + block, "conta1n3rize14", true},
		{"# The Engine API.\nopenapi: 3.0.1\ndefinitions:\n" + example, "xxxx-Tq8vZ3mL9x", true},
		{"openapi: \"3.1.0\"\ncomponents:\n  schemas:\n" + inline, "Tq8vZ3mL9x!", true},
		// Not a definition: the same description in another YAML file.
		{"version: 2\npaths:\n  /build:\n    post:\n      parameters:\n" + block, "conta1n3rize14", false},
		// A definition, but another key's block scalar.
		{"swagger: \"2.0\"\ninfo:\n" + other, "Tq8vZ3mL9x!", false},
		// A top-level value, nested in nothing.
		{"swagger: \"2.0\"\npassword: \"Tq8vZ3mL9x!\"\n", "Tq8vZ3mL9x!", false},
		// Configuration in a definition, outside its documentation: a
		// server's credentials beside its description, a list item whose
		// first key is a summary (its sibling, not its parent), a security
		// scheme's literal value.
		{"openapi: 3.0.1\nservers:\n  - description: Production\n    url: https://api.example.com\n    password: Vq7rT2mXk9pL\n", "Vq7rT2mXk9pL", false},
		{"openapi: 3.0.1\nx-accounts:\n  - summary: deploy account\n    user: deploy\n    password: \"Hw4nZ8cRt3yQ\"\n", "Hw4nZ8cRt3yQ", false},
		{"openapi: 3.0.1\nservers:\n  - description: |\n      Production.\n    password: Vq7rT2mXk9pL\n", "Vq7rT2mXk9pL", false},
		{"openapi: 3.0.1\ncomponents:\n  securitySchemes:\n    basicAuth:\n      type: http\n      description: Basic auth\n      x-password: Jm5sK2pW8vNq\n", "Jm5sK2pW8vNq", false},
		// A list item's description is still documentation below it.
		{"openapi: 3.0.1\nservers:\n  - description: |\n      For example password: Vq7rT2mXk9pL\n", "Vq7rT2mXk9pL", true},
		{"openapi: 3.0.1\nx-samples:\n  - examples:\n      password: Vq7rT2mXk9pL\n", "Vq7rT2mXk9pL", true},
	}
	for _, tc := range tests {
		at := strings.Index(tc.text, tc.secret)
		c := &Candidate{Secret: []byte(tc.secret), Text: []byte(tc.text), At: at}
		if got := openAPIDocumentation(c); got != tc.want {
			t.Errorf("openAPIDocumentation(%q in %q) = %v, want %v", tc.secret, tc.text, got, tc.want)
		}
	}
}

// TestPrecisionFixesFromNewTrees: Composer's proxy credentials, a
// recorded request's Postman-Token, STS's web identity subject, GitHub's
// x-oauth-basic after a made-up token.
func TestPrecisionFixesFromNewTrees(t *testing.T) {
	for _, tt := range []struct {
		check func(*Candidate) (bool, string)
		c     Candidate
		want  bool
	}{
		{checkPassword, Candidate{Secret: []byte("user:p%40ss")}, false},
		{checkPassword, Candidate{Secret: []byte("deploy:Tq8v%40Z3mL9x")}, true},
		{checkTokenKind, Candidate{Line: []byte(`"Postman-Token": "60d4d786-60bf-4ba5-bcde-5a00ac688041",`), Secret: []byte("60d4d786-60bf-4ba5-bcde-5a00ac688041")}, false},
		{checkTokenKind, Candidate{Line: []byte(`"Auth-Token": "60d4d786-60bf-4ba5-bcde-5a00ac688041",`), Secret: []byte("60d4d786-60bf-4ba5-bcde-5a00ac688041")}, true},
		{checkTokenKind, Candidate{Line: []byte(`"Postman-Token": "Tq8vZ3mL9xRk2Wp7Hn4Ld6Fs",`), Secret: []byte("Tq8vZ3mL9xRk2Wp7Hn4Ld6Fs")}, true},
		{checkTokenKind, Candidate{Line: []byte(`"SubjectFromWebIdentityToken": "amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A",`), Secret: []byte("amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A")}, false},
		{checkURLPassword, Candidate{Match: []byte("https://ghp_1234567890abcdefghijklmnopqrstuvwxyzAB:x-oauth-basic@github.com"), Secret: []byte("x-oauth-basic")}, false},
		{checkURLPassword, Candidate{Match: []byte("https://YOUR_GITHUB_TOKEN:x-oauth-basic@github.com"), Secret: []byte("x-oauth-basic")}, false},
		{checkURLPassword, Candidate{Match: []byte("https://9f2c7a41e8b3d06f5a1c9e7b2d4f8a0c6e3b1d5f:x-oauth-basic@github.com"), Secret: []byte("x-oauth-basic")}, true},
		{checkNotCode, Candidate{Secret: []byte("/home/.ssh/id_ed25519")}, false},
		{checkNotCode, Candidate{Secret: []byte("/Tq8vZ3mL9x/Rk2Wp7Hn4Ld6Fs")}, true},
	} {
		if ok, reason := tt.check(&tt.c); ok != tt.want {
			t.Errorf("%q / %q: %v (%s), want %v", tt.c.Line, tt.c.Secret, ok, reason, tt.want)
		}
	}
}

// TestPrecisionFixesFromIdentityTrees: Kratos's SQL test rows and schema
// references, Outline's passkey provider table, a concatenated prefix;
// the same shapes that are passwords stay.
func TestPrecisionFixesFromIdentityTrees(t *testing.T) {
	row := `INSERT INTO flows (id, method, token) VALUES ('87fa3f43', 'password', 'vYYuhWXBfXKzBC+Bln');`
	pair := `creds = [("password", "vYYuhWXBfXKzBC+Bln")]`
	multiRow := "INSERT INTO flows (id, url, method, token)\nVALUES ('8f32efdc', 'http://kratos:4433/',\n        'password', 'vYYuhWXBfXKzBC+Bln',\n        '2013-10-07');"
	ended := "INSERT INTO t VALUES (1, 2);\ncreds = [('password', 'vYYuhWXBfXKzBC+Bln')]"
	settingsRow := `INSERT INTO settings (name, value) VALUES ('smtp_password', 'Xk9#mQ2vLp7!rT4w');`
	settingsRows := "INSERT INTO settings (name, value) VALUES\n  ('admin_password', 'Zr8$kLq3Vn6^pW2y');"
	for _, tt := range []struct {
		c    Candidate
		want bool
	}{
		{Candidate{Line: []byte(row), Match: []byte(`password', 'vYYuhWXBfXKzBC+Bln'`), Secret: []byte("vYYuhWXBfXKzBC+Bln")}, false},
		{Candidate{Line: []byte(pair), Match: []byte(`password", "vYYuhWXBfXKzBC+Bln"`), Secret: []byte("vYYuhWXBfXKzBC+Bln")}, true},
		// A settings table's row: the first value names a password, the
		// second is it.
		{Candidate{Line: []byte(settingsRow), Match: []byte(`password', 'Xk9#mQ2vLp7!rT4w'`), Secret: []byte("Xk9#mQ2vLp7!rT4w")}, true},
		{Candidate{Line: []byte(`  ('admin_password', 'Zr8$kLq3Vn6^pW2y');`), Match: []byte(`password', 'Zr8$kLq3Vn6^pW2y'`), Secret: []byte("Zr8$kLq3Vn6^pW2y"),
			Text: []byte(settingsRows), At: strings.Index(settingsRows, "Zr8$")}, true},
		// A row over lines, and a pair after a statement that ended.
		{Candidate{Line: []byte(`        'password', 'vYYuhWXBfXKzBC+Bln',`), Match: []byte(`password', 'vYYuhWXBfXKzBC+Bln'`), Secret: []byte("vYYuhWXBfXKzBC+Bln"),
			Text: []byte(multiRow), At: strings.Index(multiRow, "vYYu")}, false},
		{Candidate{Line: []byte(`creds = [('password', 'vYYuhWXBfXKzBC+Bln')]`), Match: []byte(`password', 'vYYuhWXBfXKzBC+Bln'`), Secret: []byte("vYYuhWXBfXKzBC+Bln"),
			Text: []byte(ended), At: strings.Index(ended, "vYYu")}, true},
		{Candidate{Secret: []byte("#/definitions/selfServiceAfterSettingsAuthMethod")}, false},
		{Candidate{Line: []byte(`  LastPass = "b78a0a55-6ef8-d246-a042-ba0f6d55050c",`), Secret: []byte("b78a0a55-6ef8-d246-a042-ba0f6d55050c")}, false},
		{Candidate{Line: []byte(`  dbPassword = "b78a0a55-6ef8-d246-a042-ba0f6d55050c",`), Secret: []byte("b78a0a55-6ef8-d246-a042-ba0f6d55050c")}, true},
		{Candidate{Line: []byte(`  LastPass = "Tq8vZ3mL9x!",`), Secret: []byte("Tq8vZ3mL9x!")}, true},
		{Candidate{Line: []byte(`const invalidPassword = "invalid-" + gen.password()`), Secret: []byte("invalid-")}, false},
		{Candidate{Line: []byte(`const password = "Tq8vZ3mL9x!" + suffix`), Secret: []byte("Tq8vZ3mL9x!")}, true},
	} {
		if ok, reason := checkPassword(&tt.c); ok != tt.want {
			t.Errorf("%q / %q: %v (%s), want %v", tt.c.Line, tt.c.Secret, ok, reason, tt.want)
		}
	}
}

func TestNotObjectKey(t *testing.T) {
	for _, tc := range []struct {
		text, secret string
		want         bool
	}{
		{`{"token_uri":"https://oauth2.googleapis.com/token","auth_provider_x509_cert_url":"https://x"}`, "auth_provider_x509_cert_url", false},
		{`{'token', 'refresh_lifetime_secs_v2' : 3600}`, "refresh_lifetime_secs_v2", false},
		{`{\"token\",\"auth_provider_x509_cert_url\":1}`, "auth_provider_x509_cert_url", false},
		{`('secret_key', 'Hq7vZ2mK9xLw4Tn8Rb3Jc6Fd'),`, "Hq7vZ2mK9xLw4Tn8Rb3Jc6Fd", true},
		{`{"token": "Xq7vR2mLk9PzT4wN8sBc3HdF6jGy1QeA", "id": 1}`, "Xq7vR2mLk9PzT4wN8sBc3HdF6jGy1QeA", true},
		{`x = cond ? "token" : "Xq7vR2mLk9PzT4wN8sBc3HdF6jGy1QeA"`, "Xq7vR2mLk9PzT4wN8sBc3HdF6jGy1QeA", true},
		{`token = Xq7vR2mLk9PzT4wN8sBc3HdF6jGy1QeA`, "Xq7vR2mLk9PzT4wN8sBc3HdF6jGy1QeA", true},
	} {
		at := strings.Index(tc.text, tc.secret)
		c := &Candidate{Secret: []byte(tc.secret), Line: []byte(tc.text), Text: []byte(tc.text), At: at}
		if got, reason := checkNotObjectKey(c); got != tc.want {
			t.Errorf("checkNotObjectKey(%q in %q) = %v (%s), want %v", tc.secret, tc.text, got, reason, tc.want)
		}
		// Without the surrounding text (a decoded value), the line is read.
		c.Text = nil
		if got, _ := checkNotObjectKey(c); got != tc.want {
			t.Errorf("checkNotObjectKey(%q in line %q) = %v, want %v", tc.secret, tc.text, got, tc.want)
		}
	}
}

// TestPropertiesEscapedLabels: a message bundle's translated label for a
// password, in .properties escapes, is judged decoded; a password with
// escapes of its own stays one.
func TestPropertiesEscapedLabels(t *testing.T) {
	for s, want := range map[string]bool{
		`Contrase\u00f1a\:`:     false,
		`Has\u0142o`:            false,
		`\u015eifre\:`:          false,
		`Lozinka\:`:             false,
		`Jelsz\u00f3`:           false,
		`Tq8v\:Z3mL9x\u00e9Rk2`: true,
		`Tq8vZ3mL9xRk2\`:        true,
		`Tq8v\nZ3mL9xRk2`:       true,
	} {
		if ok, reason := checkPassword(&Candidate{Secret: []byte(s)}); ok != want {
			t.Errorf("checkPassword(%q) = %v (%s), want %v", s, ok, reason, want)
		}
	}
	if d, ok := propertiesUnescaped(`a\u00e9\:b\\c`); !ok || d != `aé:b\c` {
		t.Errorf("propertiesUnescaped = %q, %v", d, ok)
	}
	if _, ok := propertiesUnescaped(`abc\`); ok {
		t.Error("a lone backslash at the end was decoded")
	}
}

// TestPrecisionFixesFromAppTrees: shapes from snipe-it, Telegraf, Vector and
// Thunderbird's docs that are not credentials, each beside a near miss that
// is one.
func TestPrecisionFixesFromAppTrees(t *testing.T) {
	rules := `            'password' => 'confirmed|'.Setting::passwordComplexityRulesSaving('store'),`
	number := `    'password' => 'Xk9#mQ2vLp7|' . 5,`
	lp := `rabbitmq_queue,url=http://amqp.example.org:15672,queue=telegraf,node=rabbit@amqp.example.org,durable=true`
	chain := `nt.createMessageConnection=nt.NullLogger=nt.ConnectionOptions=nt.NotificationType9=nt.RAL=void`
	for _, tt := range []struct {
		name  string
		check func(*Candidate) (bool, string)
		c     Candidate
		want  bool
	}{
		{"kdf vector", checkPassword, Candidate{Line: []byte(`  enc.string2key("password", "ATHENA.MIT.EDUraeburn", 1200))`), Match: []byte(`"password", "ATHENA.MIT.EDUraeburn"`), Secret: []byte("ATHENA.MIT.EDUraeburn")}, false},
		{"spring encryptors", checkPassword, Candidate{Line: []byte(`Encryptors.standard("password", "5c0744940b5c369b");`), Match: []byte(`password", "5c0744940b5c369b"`), Secret: []byte("5c0744940b5c369b")}, false},
		{"setter pair", checkPassword, Candidate{Line: []byte(`props.setProperty("password", "Tq8vZ3mL9x!Rk2");`), Match: []byte(`password", "Tq8vZ3mL9x!Rk2"`), Secret: []byte("Tq8vZ3mL9x!Rk2")}, true},
		{"ad right guid", checkPassword, Candidate{Secret: []byte("00299570-246d-11d0-a768-00aa006e0529")}, false},
		{"v1 uuid of 2024", checkPassword, Candidate{Secret: []byte("6ba7b810-c9f1-11ee-a768-00aa006e0529")}, true},
		{"v4 uuid", checkPassword, Candidate{Secret: []byte("7c1e0d9b-4f2a-46e3-9b5d-2e8f4a1c6d3b")}, true},
		{"hresult", checkPassword, Candidate{Secret: []byte("0xC00D2751")}, false},
		{"hex key", checkPassword, Candidate{Secret: []byte("0x9f3ac41e7b2d58a0c6e1")}, true},
		{"php concatenation", checkPassword, Candidate{Line: []byte(rules), Secret: []byte("confirmed|")}, false},
		{"php number", checkPassword, Candidate{Line: []byte(number), Secret: []byte("Xk9#mQ2vLp7|")}, true},
		{"php variable", checkPassword, Candidate{Line: []byte(`$p = 'user_'.$id;`), Secret: []byte("user_")}, false},
		{"line protocol", checkURLPassword, Candidate{Match: []byte("http://amqp.example.org:15672,queue=telegraf,node=rabbit@amqp.example.org"), Line: []byte(lp),
			Secret: []byte("15672,queue=telegraf,node=rabbit")}, false},
		{"host-named user", checkURLPassword, Candidate{Match: []byte("http://amqp.corp.net:15672zR8vKq2LmT9w@amqp.corp.net"),
			Secret: []byte("15672zR8vKq2LmT9w")}, true},
		{"digits then comma", checkURLPassword, Candidate{Match: []byte("https://deploy:15672,zR8vKq2LmT9w@amqp.corp.net"),
			Secret: []byte("15672,zR8vKq2LmT9w")}, true},
		{"assignment chain", checkNotCode, Candidate{Secret: []byte(chain)}, false},
		{"random dotted pieces around =", checkNotCode, Candidate{Secret: []byte("kq7Vx2.MzR9wJ4=bNtL8.pQ3xW")}, true},
		{"datadog client token", checkTokenKind, Candidate{Line: []byte(`client_token = "pubcee1dc56e7f5bd03397cc3624eb7961c"`), Secret: []byte("pubcee1dc56e7f5bd03397cc3624eb7961c")}, false},
		{"pub hex, other name", checkTokenKind, Candidate{Line: []byte(`api_token = "pubcee1dc56e7f5bd03397cc3624eb7961c"`), Secret: []byte("pubcee1dc56e7f5bd03397cc3624eb7961c")}, true},
	} {
		if ok, reason := tt.check(&tt.c); ok != tt.want {
			t.Errorf("%s: %q: %v (%s), want %v", tt.name, tt.c.Secret, ok, reason, tt.want)
		}
	}
	for u, want := range map[string]int{"00299570-246d-11d0-a768-00aa006e0529": 1996, "6ba7b810-9dad-11d1-80b4-00c04fd430c8": 1998, "6ba7b810-c9f1-11ee-a768-00aa006e0529": 2024} {
		if y, ok := uuidV1Year([]byte(u)); !ok || y != want {
			t.Errorf("uuidV1Year(%q) = %d, %v, want %d", u, y, ok, want)
		}
	}
	for name, want := range map[string]bool{"pauseStatsKey": false, "metrics_key": false, "STATS_API_KEY": true, "statsd_secret_key": true} {
		if ok, reason := checkCredentialName(&Candidate{Name: []byte(name)}); ok != want {
			t.Errorf("checkCredentialName(%q) = %v (%s), want %v", name, ok, reason, want)
		}
	}
}

// TestEntryNamedPasswords: a password manager fixture's logins, each password
// made from its own entry's label, go; a vault's generated passwords, a lone
// configuration and entries too far apart stay.
func TestEntryNamedPasswords(t *testing.T) {
	item := func(name, uri, pass string) string {
		return `{"type": "login", "name": "` + name + `", "login": {"username": "ops",` + "\n" +
			`  "password": "` + pass + `", "uris": [{"uri": "` + uri + `"}]}}`
	}
	list := func(items ...string) string { return `{"items": [` + strings.Join(items, ",\n") + `]}` }
	for _, tt := range []struct {
		name, text, pass string
		want             bool // reported
	}{
		{"seed fixture", list(item("GitLab Self-Hosted", "https://gitlab.corp.example", "GlabSelf-H0st3d2024"), item("Docker Hub", "https://hub.docker.com", "D0ckerHubPu11er2026")), "D0ckerHubPu11er2026", false},
		{"named by its address", list(item("Repo", "https://gitlab.corp.example", "G1tlabAdm1n2024#"), item("Hub", "https://hub.docker.com", "D0ck3rPu11er2026")), "G1tlabAdm1n2024#", false},
		{"vault's generated password", list(item("GitLab", "https://gitlab.com", "G1tLab2024#"), item("Docker Hub", "https://hub.docker.com", "Xk9#mQ2vLp7!rT4w")), "Xk9#mQ2vLp7!rT4w", true},
		{"neighbour generated", list(item("GitLab", "https://gitlab.com", "Xk9#mQ2vLp7!rT4w"), item("Docker Hub", "https://hub.docker.com", "D0ck3rHub2024#")), "D0ck3rHub2024#", true},
		{"one configuration", `{"name": "shop", "host": "ftp.shop.io", "password": "Sh0pDeploy2024!"}`, "Sh0pDeploy2024!", true},
		{"only the scheme in common", list(item("Mail", "https://mail.corp.example", "Https-Zr8kLq3Vn6"), item("Chat", "https://chat.corp.example", "Https-Wq2vLp7Xk9")), "Https-Wq2vLp7Xk9", true},
		{"neighbour out of reach", list(item("GitLab", "https://gitlab.com", "G1tLab2024#"), `{"notes": "`+strings.Repeat("x", 2*entryReach)+`"}`, item("Docker Hub", "https://hub.docker.com", "D0ck3rHub2024#")), "D0ck3rHub2024#", true},
	} {
		at := strings.Index(tt.text, `"`+tt.pass+`"`) + 1
		c := &Candidate{Secret: []byte(tt.pass), Text: []byte(tt.text), At: at}
		if got := !entryNamedPasswords(c); got != tt.want {
			t.Errorf("%s: reported %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestLeetFolds: both readings of leetspeak undo the substitutions they
// share (unleet) and keep their own for 1, ! and 7.
func TestLeetFolds(t *testing.T) {
	for _, tc := range []struct{ in, leet, plain string }{
		{"P@$$w0rd!1", "passwordii", "pw0rd1"},
		{"Pwd3", "pwde", "pwd3"},
		{"4dm1n%21", "admini", "4dm1n"},
	} {
		if got := foldPassword(tc.in, true); got != tc.leet {
			t.Errorf("foldPassword(%q, true) = %q, want %q", tc.in, got, tc.leet)
		}
		if got := foldPassword(tc.in, false); got != tc.plain {
			t.Errorf("foldPassword(%q, false) = %q, want %q", tc.in, got, tc.plain)
		}
	}
	for _, tc := range []struct {
		in   string
		one  rune
		want string
	}{
		{"H0$t3d-Pu11er7", 'l', "hostedpullert"},
		{"S3cr3t_4cc355!", 'i', "secretaccess"},
		{"W1nd0w5", 'i', "windows"},
	} {
		if got := leetFold(tc.in, tc.one); got != tc.want {
			t.Errorf("leetFold(%q, %q) = %q, want %q", tc.in, tc.one, got, tc.want)
		}
	}
}

// TestMayHoldFold: the look for docsearch/algolia before the search
// widget's regex turns away only windows the regex cannot match.
func TestMayHoldFold(t *testing.T) {
	for _, tc := range []struct {
		b    string
		word string
		want bool
	}{
		{"docsearch({apiKey:", "docsearch", true},
		{"DocSearch({", "docsearch", true},
		{"window.ALGOLIA = {", "algolia", true},
		{"algoli", "algolia", false},
		{"const config = {apiKey: '", "algolia", false},
		{"@LGOLIA", "algolia", false},
		{"docſearch({", "docsearch", true}, // (?i) folds ſ to s
	} {
		if got := mayHoldFold([]byte(tc.b), tc.word); got != tc.want {
			t.Errorf("mayHoldFold(%q, %q) = %v", tc.b, tc.word, got)
		}
	}
	if !algoliaSearchRE().MatchString("docſearch({") {
		t.Error("the regex no longer folds ſ: mayHoldFold's non-ASCII rule is stale")
	}
}

// TestFindBoundedAgrees: findBounded over the + forms finds what the
// regexes written with their bounds find, on random JSON-ish text built to
// hit the bounds, stray quotes and backslashes.
func TestFindBoundedAgrees(t *testing.T) {
	cases := []struct {
		plus    *regexp.Regexp
		bounded *regexp.Regexp
		lo, hi  int
	}{
		{entryLabelRE(), regexp.MustCompile(`"(?i:name|title|uri|url|website|login_?uri)"\s*:\s*"([^"\n]{1,200})"`), 1, 200},
		{jsonPasswordRE(), regexp.MustCompile(`"(?i:password)"\s*:\s*"([^"\\\n]{4,128})"`), 4, 128},
		{argumentBeforeRE(), regexp.MustCompile(`["']([^"'\s]{3,64})["']\s*,\s*["']$`), 3, 64},
	}
	// A value out of bounds whose closing quote opens the next match.
	fixed := []string{`"password": "ab"password": "hunter22"`, `"name": "` + strings.Repeat("q", 201) + `"url": "example"`}
	for _, n := range []int{2, 3, 64, 65} {
		fixed = append(fixed, `login("`+strings.Repeat("u", n)+`", "`, `login('x', '`+strings.Repeat("u", n)+`','`)
	}
	for _, in := range fixed {
		for _, c := range cases {
			if got, want := findBounded(c.plus, []byte(in), c.lo, c.hi, -1), c.bounded.FindAllSubmatchIndex([]byte(in), -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%q on %q: findBounded %v, bounded %v", c.plus, in, got, want)
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 5))
	pieces := []string{`"password"`, `"Password"`, `"name"`, `"login_uri"`, `"url"`, ": ", ":", " ", `"`, `\`, "\n", ",", "{", "}", "é", "x", `'`, `", "`, `', '`}
	long := func() string { return strings.Repeat("k", rng.IntN(260)) }
	found := 0
	for range 3000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			// An entry: a key, a colon, a quoted value of a length near a
			// bound; then noise.
			b.WriteString(pieces[rng.IntN(4)])
			b.WriteString(pieces[4+rng.IntN(3)])
			b.WriteString(`"`)
			n := []int{0, 1, 2, 3, 4, 5, 63, 64, 65, 127, 128, 129, 199, 200, 201}[rng.IntN(15)]
			for range n {
				if rng.IntN(8) == 0 {
					b.WriteString(pieces[7+rng.IntN(len(pieces)-7)])
				} else {
					b.WriteByte('x')
				}
			}
			b.WriteString(`"`)
			for range rng.IntN(3) {
				if rng.IntN(4) == 0 {
					b.WriteString(long())
				} else {
					b.WriteString(pieces[rng.IntN(len(pieces))])
				}
			}
		}
		// (An argument before the next is matched at the text's end.)
		in := []byte(b.String() + []string{"", `", "`, `','`}[rng.IntN(3)])
		for _, c := range cases {
			want := c.bounded.FindAllSubmatchIndex(in, -1)
			got := findBounded(c.plus, in, c.lo, c.hi, -1)
			if len(want) == 0 && len(got) == 0 {
				continue
			}
			found++
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q on %q:\nfindBounded %v\nbounded     %v", c.plus, in, got, want)
			}
			if first := findBounded(c.plus, in, c.lo, c.hi, 1); !reflect.DeepEqual(first, want[:min(1, len(want))]) && len(want) > 0 {
				t.Fatalf("%q on %q: first %v, want %v", c.plus, in, first, want[0])
			}
		}
	}
	if found < 500 {
		t.Errorf("only %d texts with a match", found)
	}
}

// TestStoredPassword: in a credential file a weak password is the stored
// credential and is kept; what stores no password is dropped.
func TestStoredPassword(t *testing.T) {
	for _, tc := range []struct {
		name, secret string
		ok           bool
	}{
		{"password", "hunter22", true},
		{"pass", "pass123", true},
		{"DB_PASSWORD", "admin", true},
		{"", "password", true},
		{"sshUserPassword", "roboMongoSSHPass", true},
		{"promptForPass", "false", false},
		{"DB_PASSWORD_FILE", "/run/secrets/db", false},
		{"password", "${DB_PASSWORD}", false},
		{"password", "$PGPASSWORD", false},
		{"password", "********", false},
		{"password", "changeme", false},
		{"MAIL_PASSWORD", "your_mail_password", false},
		{"password", "ExamplePass1", false},
		{"password", "<password>", false},
		{"password", "", false},
		{"SUDO_ASKPASS", "/usr/bin/ssh-askpass", false},
		{"password", " + `", false},
		{"passwordVariable", "PASSWORD", false},
		{"pass", "pass -c", false},
	} {
		line := []byte(tc.name + "=" + tc.secret)
		if tc.name == "pass" && tc.secret == "pass -c" {
			line = []byte("alias pass='pass -c'")
		}
		ok, why := checkStoredPassword(&Candidate{Name: []byte(tc.name), Secret: []byte(tc.secret), Line: line})
		if ok != tc.ok {
			t.Errorf("%s=%q: ok %v (%s), want %v", tc.name, tc.secret, ok, why, tc.ok)
		}
	}
}

// FuzzURLHost: any bytes give a lower-case host with none of the URL's
// delimiters in it, and a well-formed URL gives its host.
func FuzzURLHost(f *testing.F) {
	for _, s := range []string{
		"https://admin:admin@the-internet.herokuapp.com/basic_auth",
		"mongodb+srv://u:p@Cluster0.AB1CD.mongodb.net:27017/x?y=z",
		"https://user@example.com:password!#@498@github.com",
		"redis://:secret@cache:6379", "no url", "://@", "a://b@",
	} {
		f.Add([]byte(s))
	}
	if got := urlHost([]byte("x = 'https://a:b@Db.Example.NET:5432/app'")); got != "db.example.net" {
		f.Errorf("urlHost: %q", got)
	}
	f.Fuzz(func(t *testing.T, m []byte) {
		h := urlHost(m)
		if h != strings.ToLower(h) || strings.ContainsAny(h, "/?#@: \t\r\n\"'<>") {
			t.Fatalf("urlHost(%q) = %q", m, h)
		}
	})
}
