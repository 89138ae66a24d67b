package patterns

import (
	"bytes"
	"path"
	"strings"
)

// A FileRule finds a credential file as a file: keystores, PKCS#12 bundles
// and password databases are binary, so no text rule ever reads them, yet
// committing one leaks every key inside (a passphrase is a weak lock on a
// file anyone with read access can attack offline). A file rule judges a
// file by its name and its first bytes (magic numbers and structure), never
// by its name alone: a fixture called id_rsa that holds no key is not a
// finding.
type FileRule struct {
	ID          string
	Description string
	Severity    Severity
	Remediation string
	// Names are the base names or extensions (".p12") the format is usually
	// stored under. Sources that must pay to read a binary file (a blob in a
	// diff) read it only when its name is one of these; a file already read
	// (a directory scan) is judged by content whatever its name.
	Names []string
	// match reports whether head, the file's first bytes, is this format;
	// base is the file's lower-cased base name.
	match func(base string, head []byte) bool
	// needsName marks a format whose content is not its own (SQLite):
	// only its names make it a credential file.
	needsName bool
	// holds, when set, judges the whole file once match has: a keystore
	// or bundle can hold certificates alone (a truststore) or nothing,
	// and then it holds no secret. It answers true when it cannot tell.
	holds func(data []byte) bool
}

// FileHeadLen is how much of a file the file rules need.
const FileHeadLen = 64

// Match reports whether the file at p (slash-separated) whose content
// starts with head is a credential file of this rule's format. With p
// unknown ("": a history blob read before the walk placed it) a rule that
// needs the name matches on content alone, and NameOK judges the name
// once it is known.
func (r *FileRule) Match(p string, head []byte) bool {
	base := ""
	if p != "" {
		base = strings.ToLower(path.Base(p))
	}
	return r.match(base, head)
}

// Holds reports whether data, the whole file of a match, holds a secret:
// a truststore of certificates alone, or an empty keystore, does not.
// Only a file the format's structure shows to be keyless is turned down.
func (r *FileRule) Holds(data []byte) bool {
	return r.holds == nil || r.holds(data)
}

// NameOK reports whether p is a name this rule's format may have: any name,
// unless the format is told apart from others by its name (an SQLite file
// is a gcloud credential database only as credentials.db).
func (r *FileRule) NameOK(p string) bool {
	return !r.needsName || r.Named(p)
}

// Named reports whether p's name is one the format is usually stored under.
func (r *FileRule) Named(p string) bool {
	base := strings.ToLower(path.Base(p))
	for _, n := range r.Names {
		if base == n || (strings.HasPrefix(n, ".") && strings.HasSuffix(base, n)) {
			return true
		}
	}
	return false
}

// FileRules returns the built-in credential-file rules.
func FileRules() []*FileRule {
	return []*FileRule{
		{
			ID:          "pkcs12-file",
			Description: "PKCS#12 / PFX bundle (a private key with its certificate chain)",
			Severity:    SeverityHigh,
			Remediation: "Treat the key inside as compromised (its passphrase can be attacked offline): revoke the certificate, issue a new key, and remove the file from git history.",
			Names:       []string{".p12", ".pfx"},
			match:       func(_ string, h []byte) bool { return isPFX(h) },
			holds:       pfxHoldsKey,
		},
		{
			ID:          "java-keystore-file",
			Description: "Java keystore (JKS or JCEKS) holding private keys or secret keys",
			Severity:    SeverityHigh,
			Remediation: "Treat the keys inside as compromised (a keystore password is a weak lock): rotate them, and remove the file from git history. Keep keystores in a secret store.",
			Names:       []string{".jks", ".jceks", ".keystore"},
			match: func(_ string, h []byte) bool {
				// Magic 0xFEEDFEED (JKS) or 0xCECECECE (JCEKS), then a
				// big-endian version of 1 or 2.
				if len(h) < 8 || !(bytes.HasPrefix(h, []byte{0xfe, 0xed, 0xfe, 0xed}) || bytes.HasPrefix(h, []byte{0xce, 0xce, 0xce, 0xce})) {
					return false
				}
				return h[4] == 0 && h[5] == 0 && h[6] == 0 && (h[7] == 1 || h[7] == 2)
			},
			holds: keystoreHoldsKey,
		},
		{
			ID:          "der-private-key-file",
			Description: "Private key in binary DER form (PKCS#8, encrypted PKCS#8, PKCS#1 RSA or DSA, SEC1 EC)",
			Severity:    SeverityHigh,
			Remediation: "Treat the key as compromised: revoke what it signs or authenticates (its certificate, deploy key or service account), issue a new key kept in a secret store, and remove the file from git history.",
			Names:       []string{".der", ".key", ".pk8", ".p8", ".pkcs8"},
			match:       func(_ string, h []byte) bool { return isDERPrivateKey(h) },
		},
		{
			ID:          "keepass-database-file",
			Description: "KeePass password database (.kdbx / .kdb)",
			Severity:    SeverityHigh,
			Remediation: "Every password in the database can be attacked offline through its master password: change them, and remove the file from git history.",
			Names:       []string{".kdbx", ".kdb"},
			match: func(_ string, h []byte) bool {
				// Signature 1 0x9AA2D903, signature 2 0xB54BFB65 (KeePass 1)
				// or 0xB54BFB66/67 (KeePass 2), both little-endian.
				if len(h) < 8 || !bytes.HasPrefix(h, []byte{0x03, 0xd9, 0xa2, 0x9a}) {
					return false
				}
				return h[5] == 0xfb && h[6] == 0x4b && h[7] == 0xb5 && h[4] >= 0x65 && h[4] <= 0x67
			},
		},
		{
			ID:          "gcloud-credentials-db",
			Description: "Google Cloud SDK credential database (credentials.db / access_tokens.db: refresh and access tokens)",
			Severity:    SeverityCritical,
			Remediation: "Revoke the accounts' tokens (`gcloud auth revoke`, or the Google account's security page), then remove the file from git history.",
			Names:       []string{"credentials.db", "access_tokens.db"},
			needsName:   true,
			match: func(base string, h []byte) bool {
				return (base == "" || base == "credentials.db" || base == "access_tokens.db") && bytes.HasPrefix(h, []byte("SQLite format 3\x00"))
			},
		},
		{
			ID:          "rails-master-key",
			Description: "Rails master key (config/master.key or config/credentials/*.key: decrypts the application's encrypted credentials)",
			Severity:    SeverityCritical,
			Remediation: "Anyone with the key and the repository reads every credential in credentials.yml.enc: rotate each of them, generate a new key (`bin/rails credentials:edit` after removing the old one), keep the key out of git (Rails' own .gitignore lists it), and remove it from git history.",
			Names:       []string{"master.key", ".key"},
			needsName:   true,
			match: func(base string, h []byte) bool {
				return (base == "" || strings.HasSuffix(base, ".key")) && isRailsKey(h)
			},
		},
	}
}

// isRailsKey reports whether h is a whole file holding one key as Rails
// writes it: 32 lower-case hex digits (SecureRandom.hex(16)) and at most a
// line ending. The file is text, so unlike the formats above it is judged
// by its name as well: 32 hex digits alone are as often a checksum.
// A placeholder (00…0, 0123…, a repeated pattern) is not a key.
func isRailsKey(h []byte) bool {
	h = bytes.TrimSuffix(bytes.TrimSuffix(h, []byte("\n")), []byte("\r"))
	if len(h) != 32 {
		return false
	}
	var seen [16]bool
	distinct := 0
	for _, c := range h {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		default:
			return false
		}
		if !seen[v] {
			seen[v] = true
			distinct++
		}
	}
	// 32 random hex digits show 14 or more of the 16 almost always
	// (fewer than 10 has a probability below 1e-6).
	return distinct >= 10 && Placeholder(h) == ""
}

// isPFX reports whether h starts a DER PFX (RFC 7292): a SEQUENCE holding
// INTEGER 3 (the version) and then a ContentInfo SEQUENCE whose type is
// pkcs7-data (1.2.840.113549.1.7.1) or pkcs7-signedData (…7.2). Checking
// the structure, not only the .p12 name, keeps a random binary called
// x.p12 out and finds a bundle under any name.
func isPFX(h []byte) bool {
	rest, _, ok := derHeader(h, 0x30)
	if !ok {
		return false
	}
	if !bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x03}) {
		return false
	}
	rest, _, ok = derHeader(rest[3:], 0x30)
	if !ok {
		return false
	}
	oid := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07}
	return len(rest) > len(oid) && bytes.HasPrefix(rest, oid) && (rest[len(oid)] == 1 || rest[len(oid)] == 2)
}

// Object identifiers (their DER content bytes) that name a private key's
// algorithm in a PKCS#8 PrivateKeyInfo, or its encryption in an
// EncryptedPrivateKeyInfo.
var (
	keyAlgorithms = [][]byte{
		{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01}, // rsaEncryption
		{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}, // RSASSA-PSS
		{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01},             // id-ecPublicKey
		{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01},             // id-dsa
		{0x2b, 0x65, 0x6e}, {0x2b, 0x65, 0x6f}, // X25519, X448
		{0x2b, 0x65, 0x70}, {0x2b, 0x65, 0x71}, // Ed25519, Ed448
	}
	keyEncryptions = [][]byte{
		{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d}, // PBES2
		{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01}, // PKCS#12 PBE schemes (…12.1.n)
	}
)

// isDERPrivateKey reports whether h starts a private key in DER:
//   - PKCS#8: SEQUENCE { INTEGER 0 or 1, SEQUENCE { OID of a key
//     algorithm … }, OCTET STRING … };
//   - encrypted PKCS#8: SEQUENCE { SEQUENCE { OID of PBES2 or a PKCS#12
//     PBE scheme … }, OCTET STRING };
//   - PKCS#1 RSA (and OpenSSL's DSA): SEQUENCE { INTEGER 0, INTEGER of
//     128 bytes or more (the modulus or prime) … };
//   - SEC1 EC: SEQUENCE { INTEGER 1, OCTET STRING of 20 to 66 bytes (the
//     private scalar) … }.
//
// A certificate and a public key start SEQUENCE { SEQUENCE …, and an RSA
// public key SEQUENCE { INTEGER modulus …: none is one of these.
func isDERPrivateKey(h []byte) bool {
	rest, open, ok := derHeader(h, 0x30)
	if !ok || len(rest) < 5 {
		return false
	}
	// inside reports whether an element of the key's SEQUENCE whose
	// content runs on past rest (past) ends inside the SEQUENCE: it may
	// only where the SEQUENCE runs on past the head too.
	inside := func(past bool) bool { return !past || open }
	oidIn := func(b []byte, oids [][]byte) bool {
		if len(b) < 2 || b[0] != 0x06 || int(b[1]) > len(b)-2 {
			return false
		}
		oid := b[2 : 2+int(b[1])]
		for _, o := range oids {
			if bytes.HasPrefix(oid, o) {
				return true
			}
		}
		return false
	}
	switch {
	case bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x00}) || bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x01}) && rest[3] == 0x30:
		after := rest[3:]
		if alg, past, ok := derHeader(after, 0x30); ok {
			return inside(past) && oidIn(alg, keyAlgorithms)
		}
		// PKCS#1: the next INTEGER is the modulus (or DSA's p), 128 bytes
		// or more: a long-form length of 0x81 0x80 and up, or 0x82 ….
		_, past, ok := derHeader(after, 0x02)
		return rest[2] == 0x00 && len(after) >= 3 && after[0] == 0x02 && (after[1] == 0x81 && after[2] >= 0x80 || after[1] == 0x82 || after[1] == 0x83) &&
			ok && inside(past)
	case bytes.HasPrefix(rest, []byte{0x02, 0x01, 0x01, 0x04}):
		// SEC1: the private scalar of a curve from 160 to 521 bits.
		return rest[4] >= 20 && rest[4] <= 66 && inside(len(rest) < 5+int(rest[4]))
	case rest[0] == 0x30:
		alg, past, ok := derHeader(rest, 0x30)
		if !ok || !inside(past) || !oidIn(alg, keyEncryptions) {
			return false
		}
		if past {
			return true
		}
		// The encrypted key, an OCTET STRING, where the head holds it.
		hdr := 2 + max(0, int(rest[1])-0x80)
		next := rest[hdr+len(alg):]
		if len(next) == 0 {
			return open
		}
		_, past, ok = derHeader(next, 0x04)
		return ok && inside(past)
	}
	return false
}

// derHeader skips a DER tag and length (definite or BER indefinite) at
// h's start and returns the content, as far as h holds it; open reports
// that it runs on past h's end (a definite length longer than h holds, as
// a file's head holds a key's first bytes, an indefinite one, or a length
// cut short by h's end); ok is false for another tag or no length.
func derHeader(h []byte, tag byte) (content []byte, open, ok bool) {
	if len(h) == 0 || h[0] != tag {
		return nil, false, false
	}
	if len(h) == 1 {
		return nil, true, true
	}
	size, rest := uint64(h[1]), h[2:]
	switch l := h[1]; {
	case l == 0x80:
		return rest, true, true
	case l >= 0x81 && l <= 0x84:
		n := int(l - 0x80)
		if len(rest) < n {
			return nil, true, true
		}
		size = 0
		for _, c := range rest[:n] {
			size = size<<8 | uint64(c)
		}
		rest = rest[n:]
	case l > 0x84:
		return nil, false, false
	}
	if size > uint64(len(rest)) {
		return rest, true, true
	}
	return rest[:size], false, true
}

// keystoreHoldsKey reports whether a JKS or JCEKS keystore holds a private
// or secret key entry. Entries follow the 12-byte header (magic, version,
// count), each a tag (1 private key, 2 trusted certificate, 3 JCEKS secret
// key), an alias and a timestamp; only certificate entries are walked past
// (a secret key entry is a serialized Java object with no length to skip).
// A truststore (certificates only) or an empty keystore holds nothing; a
// structure that does not parse is taken to hold a key.
func keystoreHoldsKey(data []byte) bool {
	if len(data) < 12 {
		return true
	}
	v2 := data[7] == 2
	n := be32(data[8:])
	p := 12
	// utf skips a modified-UTF-8 string (2-byte length); blob a 4-byte one.
	utf := func() bool {
		if p+2 > len(data) {
			return false
		}
		p += 2 + (int(data[p])<<8 | int(data[p+1]))
		return p <= len(data)
	}
	blob := func() bool {
		if p+4 > len(data) {
			return false
		}
		l := be32(data[p:])
		if l > uint32(len(data)) {
			return false
		}
		p += 4 + int(l)
		return p <= len(data)
	}
	for i := uint32(0); i < n; i++ {
		if p+4 > len(data) || be32(data[p:]) != 2 {
			return true // a key entry, or a structure not understood
		}
		p += 4
		if !utf() {
			return true
		}
		p += 8 // timestamp
		if v2 && !utf() {
			return true // certificate type ("X.509")
		}
		if !blob() {
			return true
		}
	}
	return false
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// pfxKeyBags are the DER object identifiers of the PKCS#12 bags that hold
// a secret (RFC 7292 §4.2): keyBag, pkcs8ShroudedKeyBag and secretBag
// (1.2.840.113549.1.12.10.1.1, .2 and .5).
var pfxKeyBags = [][]byte{
	{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x01},
	{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02},
	{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x05},
}

// pfxHoldsKey reports whether a PKCS#12 bundle holds a key. OpenSSL,
// keytool, Windows and Go's pkcs12 all write a key (shrouded by its own
// password-based encryption) or a secret key in a SafeContents that is
// not itself encrypted, so the bag's type is in plain sight; certificates
// go in an encrypted SafeContents, where nothing is. A bundle with no key
// bag type anywhere in it is a truststore or empty.
func pfxHoldsKey(data []byte) bool {
	for _, oid := range pfxKeyBags {
		if bytes.Contains(data, oid) {
			return true
		}
	}
	return false
}
