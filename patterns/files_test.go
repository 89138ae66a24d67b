package patterns

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

// TestFileRules judges real files (a PKCS#12 bundle made by openssl, JKS
// and JCEKS keystores made by keytool, an SQLite database; the KeePass
// header is written by hand from the format's documentation) and near
// misses: the same magic bytes broken, other DER structures, other SQLite
// databases, other formats under a credential's name.
func TestFileRules(t *testing.T) {
	tests := []struct {
		file string
		name string // the path the file is judged under ("" = file)
		want string // rule ID, "" for none
	}{
		{"bundle.p12", "", "pkcs12-file"},
		{"renamed.bin", "", "pkcs12-file"}, // by content, whatever its name
		{"store.jks", "", "java-keystore-file"},
		{"store.jceks", "", "java-keystore-file"},
		{"vault.kdbx", "", "keepass-database-file"},
		{"credentials.db", "home/.config/gcloud/credentials.db", "gcloud-credentials-db"},
		{"credentials.db", "access_tokens.db", "gcloud-credentials-db"},
		// Near misses.
		{"cert.der", "cert.p12", ""},       // a DER certificate: a SEQUENCE, not a PFX
		{"random.p12", "", ""},             // SEQUENCE, INTEGER 1, then noise
		{"image.jks", "", ""},              // a PNG under a keystore's name
		{"almost.kdbx", "", ""},            // KeePass signature 1 without signature 2
		{"other.db", "", ""},               // an SQLite database not named as gcloud's
		{"credentials.db", "c.db.bak", ""}, // gcloud's database under another name
	}
	for _, tt := range tests {
		t.Run(tt.file+" as "+tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "files", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			name := tt.name
			if name == "" {
				name = "dir/" + tt.file
			}
			head := data[:min(len(data), FileHeadLen)]
			got := ""
			for _, r := range FileRules() {
				if r.Match(name, head) {
					if got != "" {
						t.Errorf("both %s and %s match", got, r.ID)
					}
					got = r.ID
				}
			}
			if got != tt.want {
				t.Errorf("%s matched %q, want %q", name, got, tt.want)
			}
		})
	}
}

// TestFileRuleHolds judges whole files made by keytool and openssl: a
// keystore or bundle with a private or secret key holds a secret; a
// truststore of certificates alone, or a keystore whose last entry was
// deleted, matches its format and holds none. A file cut short is taken to
// hold a key.
func TestFileRuleHolds(t *testing.T) {
	tests := []struct {
		file, rule string
		want       bool
	}{
		{"bundle.p12", "pkcs12-file", true},       // openssl: key and certificate
		{"secret.p12", "pkcs12-file", true},       // keytool -genseckey: a secretBag
		{"store.jks", "java-keystore-file", true}, // private key entry
		{"store.jceks", "java-keystore-file", true},
		{"secret.jceks", "java-keystore-file", true}, // secret key entry (tag 3)
		{"mixed.jks", "java-keystore-file", true},    // a certificate, then a key
		// Near misses: the format, and no secret in it.
		{"trust.p12", "pkcs12-file", false},         // keytool -importcert
		{"trust-openssl.p12", "pkcs12-file", false}, // openssl pkcs12 -export -nokeys
		{"empty.p12", "pkcs12-file", false},
		{"trust.jks", "java-keystore-file", false},
		{"trust.jceks", "java-keystore-file", false},
		{"empty.jks", "java-keystore-file", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "files", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var rule *FileRule
			for _, r := range FileRules() {
				if r.Match("dir/"+tt.file, data[:min(len(data), FileHeadLen)]) {
					rule = r
				}
			}
			if rule == nil || rule.ID != tt.rule {
				t.Fatalf("%s: no %s match", tt.file, tt.rule)
			}
			if got := rule.Holds(data); got != tt.want {
				t.Errorf("Holds(%s) = %v, want %v", tt.file, got, tt.want)
			}
			if !tt.want && rule.ID == "java-keystore-file" && len(data) > 100 {
				// Cut inside its certificate, a truststore no longer
				// parses and is taken to hold a key.
				if !rule.Holds(data[:len(data)-40]) {
					t.Errorf("Holds(%s cut short) = false, want true", tt.file)
				}
			}
		})
	}
}

func TestFileRuleNames(t *testing.T) {
	byID := map[string]*FileRule{}
	for _, r := range FileRules() {
		byID[r.ID] = r
	}
	tests := []struct {
		id, path string
		want     bool
	}{
		{"pkcs12-file", "deploy/signing.P12", true},
		{"pkcs12-file", "a.pfx", true},
		{"pkcs12-file", "a.p12.txt", false},
		{"java-keystore-file", "android/release.keystore", true},
		{"keepass-database-file", "team.kdbx", true},
		{"gcloud-credentials-db", ".config/gcloud/credentials.db", true},
		{"gcloud-credentials-db", "mycredentials.db", false},
	}
	for _, tt := range tests {
		if got := byID[tt.id].Named(tt.path); got != tt.want {
			t.Errorf("%s.Named(%q) = %v, want %v", tt.id, tt.path, got, tt.want)
		}
	}
}

// FuzzFileRules: the DER walk and the keystore walk never panic on any
// prefix.
func FuzzFileRules(f *testing.F) {
	for _, name := range []string{"bundle.p12", "store.jks", "vault.kdbx", "cert.der"} {
		if data, err := os.ReadFile(filepath.Join("testdata", "files", name)); err == nil {
			f.Add(data[:min(len(data), FileHeadLen)])
		}
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		for _, r := range FileRules() {
			r.Match("x.p12", head)
			r.Holds(head)
		}
	})
}

// TestFileRuleUnknownName: a format known only by its name matches on
// content when the name is not known yet (a history blob read before the
// walk placed it), and NameOK judges the name once it is.
func TestFileRuleUnknownName(t *testing.T) {
	var gcloud *FileRule
	for _, r := range FileRules() {
		if r.ID == "gcloud-credentials-db" {
			gcloud = r
		}
	}
	head := []byte("SQLite format 3\x00\x10\x00\x01\x01")
	for _, tc := range []struct {
		path      string
		match, ok bool
	}{
		{"", true, false},
		{"home/.config/gcloud/credentials.db", true, true},
		{"app/data/app.db", false, false},
	} {
		if got := gcloud.Match(tc.path, head); got != tc.match {
			t.Errorf("Match(%q) = %v, want %v", tc.path, got, tc.match)
		}
		if got := gcloud.NameOK(tc.path); got != tc.ok {
			t.Errorf("NameOK(%q) = %v, want %v", tc.path, got, tc.ok)
		}
	}
	for _, r := range FileRules() {
		if r.ID != "gcloud-credentials-db" && r.ID != "rails-master-key" && !r.NameOK("any/name.bin") {
			t.Errorf("%s: a format with its own magic bytes must accept any name", r.ID)
		}
	}
}

// TestRailsMasterKeyRule: the Rails key rule takes a whole small text file
// of 32 random hex digits under a key's name, and nothing near it.
func TestRailsMasterKeyRule(t *testing.T) {
	var rails *FileRule
	for _, r := range FileRules() {
		if r.ID == "rails-master-key" {
			rails = r
		}
	}
	key := "6f1c0a9d3e7b24f58c1a0e9d7b3f2c64"
	for _, tc := range []struct {
		path, content string
		want          bool
	}{
		{"config/master.key", key, true},
		{"config/master.key", key + "\n", true},
		{"config/credentials/staging.key", key + "\r\n", true},
		{"", key + "\n", true},                                           // a history blob not placed yet: NameOK judges later
		{"config/master.key", "6F1C0A9D3E7B24F58C1A0E9D7B3F2C64", false}, // Rails writes lower case
		{"config/master.key", key[:31], false},
		{"config/master.key", key + "a", false},
		{"config/master.key", key + "\n\n", false},
		{"config/master.key", "0123456789abcdef0123456789abcdef", false}, // typed in order
		{"config/master.key", "aaaaaaaaaaaaaaaa1111111111111111", false}, // two digits
		{"config/master.key", "g" + key[1:], false},
		{"checksums/app.md5", key, false},
		{"README", key, false},
	} {
		if got := rails.Match(tc.path, []byte(tc.content)); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.path, tc.content, got, tc.want)
		}
	}
	if rails.NameOK("docs/key.txt") || !rails.NameOK("config/master.key") {
		t.Error("NameOK: only a key's name may hold a Rails key")
	}
}

// derCase is a DER structure and whether it is a private key.
type derCase struct {
	name string
	data []byte
	want bool
}

// derCases are private keys as Go's crypto/x509 writes them (PKCS#8 for
// RSA, ECDSA, Ed25519 and X25519, PKCS#1, SEC1), the head of an encrypted
// PKCS#8 key as OpenSSL writes it (PBES2), and near misses in DER too: a
// certificate, public keys in PKIX and PKCS#1 form.
func derCases(t testing.TB) []derCase {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	xKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ec1, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := os.ReadFile(filepath.Join("testdata", "files", "cert.der"))
	if err != nil {
		t.Fatal(err)
	}
	// openssl pkcs8 -topk8 -v2 aes-256-cbc -outform DER: the first bytes.
	encrypted := []byte{0x30, 0x82, 0x05, 0x1c, 0x30, 0x4e, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d, 0x30, 0x41, 0x30, 0x29, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c}
	return []derCase{
		{"PKCS#8 RSA", must(x509.MarshalPKCS8PrivateKey(rsaKey)), true},
		{"PKCS#8 ECDSA", must(x509.MarshalPKCS8PrivateKey(ecKey)), true},
		{"PKCS#8 Ed25519", must(x509.MarshalPKCS8PrivateKey(edKey)), true},
		{"PKCS#8 X25519", must(x509.MarshalPKCS8PrivateKey(xKey)), true},
		{"PKCS#1 RSA", x509.MarshalPKCS1PrivateKey(rsaKey), true},
		{"SEC1 EC", ec1, true},
		{"encrypted PKCS#8", encrypted, true},
		{"certificate", cert, false},
		{"PKIX RSA public key", must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)), false},
		{"PKIX EC public key", must(x509.MarshalPKIXPublicKey(&ecKey.PublicKey)), false},
		{"PKCS#1 RSA public key", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey), false},
		{"SNMPv2c community", []byte{0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', 0xa0, 0x1c}, false},
		{"too short", []byte{0x30, 0x03, 0x02, 0x01, 0x00}, false},
		// The INTEGER after the version lies outside the SEQUENCE's 3 bytes.
		{"PKCS#1 outside its SEQUENCE", []byte{0x30, 0x03, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00}, false},
		// The algorithm's OID lies outside its SEQUENCE's 2 bytes.
		{"PKCS#8 OID outside its SEQUENCE", []byte{0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x02, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00}, false},
	}
}

// TestDERPrivateKeyRule judges derCases, and the other formats' files
// as near misses.
func TestDERPrivateKeyRule(t *testing.T) {
	rule := func() *FileRule {
		for _, r := range FileRules() {
			if r.ID == "der-private-key-file" {
				return r
			}
		}
		t.Fatal("no der-private-key-file rule")
		return nil
	}()
	for _, tc := range derCases(t) {
		head := tc.data[:min(len(tc.data), FileHeadLen)]
		if got := rule.Match("keys/k.der", head); got != tc.want {
			t.Errorf("%s: matched %v, want %v", tc.name, got, tc.want)
		}
		for _, r := range FileRules() {
			if r.ID != rule.ID && r.Match("keys/k.der", head) {
				t.Errorf("%s: %s matches too", tc.name, r.ID)
			}
		}
	}
	for _, f := range []string{"bundle.p12", "store.jks", "vault.kdbx", "credentials.db", "random.p12"} {
		data, err := os.ReadFile(filepath.Join("testdata", "files", f))
		if err != nil {
			t.Fatal(err)
		}
		if rule.Match("x/"+f, data[:min(len(data), FileHeadLen)]) {
			t.Errorf("%s matched as a DER private key", f)
		}
	}
}

// derElements reads BER elements (tag, length) from the start of b, a
// constructed element's content held whole (cut false) or cut short by
// the end of a file's head, and reports whether the first needs[0] are
// there and end inside b (as far as a cut b holds them), and so, with
// needs[1:], are the elements of each constructed one.
func derElements(b []byte, cut bool, needs []int) bool {
	for k := 0; k < needs[0]; k++ {
		if len(b) < 2 {
			return cut
		}
		hdr, n := 2, int(b[1])
		switch {
		case n == 0x80:
			n = -1 // indefinite: ends where its content does
		case n > 0x80 && n <= 0x84:
			hdr += n - 0x80
			if len(b) < hdr {
				return cut
			}
			n = 0
			for _, c := range b[2:hdr] {
				n = n<<8 | int(c)
			}
		case n > 0x84:
			return false
		}
		inner, innerCut := b[hdr:], cut
		if n >= 0 && n <= len(inner) {
			inner, innerCut = inner[:n], false
		} else if !cut {
			return false // runs past its parent's end
		}
		if len(needs) > 1 && b[0]&0x20 != 0 && !derElements(inner, innerCut, needs[1:]) {
			return false
		}
		if n < 0 || innerCut {
			return true // the rest is past what b holds
		}
		b = b[hdr+n:]
	}
	return true
}

// FuzzDERPrivateKey: isDERPrivateKey never panics; it judges a file's
// head, so a longer head never turns it false (every prefix of a key it
// takes is false up to some length and true from there); and it takes
// only a SEQUENCE whose elements nest (derElements).
func FuzzDERPrivateKey(f *testing.F) {
	for _, tc := range derCases(f) {
		f.Add(tc.data[:min(len(tc.data), FileHeadLen)])
	}
	f.Fuzz(func(t *testing.T, h []byte) {
		if len(h) > FileHeadLen {
			h = h[:FileHeadLen]
		}
		key := isDERPrivateKey(h)
		// A SEQUENCE of at least two elements; the first constructed
		// ones (PKCS#8's algorithm) hold at least one.
		if key && (h[0] != 0x30 || !derElements(h, true, []int{1, 2, 1})) {
			t.Errorf("% x: taken, but not a SEQUENCE whose elements nest", h)
		}
		for n := len(h) - 1; n >= 0 && key; n-- {
			if !isDERPrivateKey(h[:n]) {
				for m := n - 1; m >= 0; m-- {
					if isDERPrivateKey(h[:m]) {
						t.Fatalf("% x: taken cut to %d bytes, not to %d", h, m, n)
					}
				}
				break
			}
		}
	})
}
