package patterns

import (
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
