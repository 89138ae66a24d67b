package patterns

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// keyValidators recognise private keys by their structure rather than by a
// PEM header: DER as hex, OpenPGP secret-key packets, a PEM body's first line.
func keyValidators() []Validator {
	return []Validator{
		{"der-private-key", checkDERPrivateKey},
		{"der-sequence", checkDERSequence},
		{"pgp-secret-packet", checkPGPSecretPacket},
	}
}

// derLength parses the length octets of a DER element whose tag is at b[0]
// and returns the element's total length, or -1.
func derLength(b []byte) int {
	if len(b) < 2 {
		return -1
	}
	l := int(b[1])
	if l < 0x80 {
		return 2 + l
	}
	n := l & 0x7f
	if n == 0 || n > 3 || len(b) < 2+n {
		return -1
	}
	v := 0
	for _, c := range b[2 : 2+n] {
		v = v<<8 | int(c)
	}
	if v < 0x80 {
		return -1 // not minimal: DER would use the short form
	}
	return 2 + n + v
}

// checkDERPrivateKey accepts hex of a DER private key: a SEQUENCE whose
// length is exactly the value's, opening with INTEGER version 0 or 1 (PKCS#1
// RSA and PKCS#8 use 0, SEC 1 EC keys 1), long enough to hold a key.
func checkDERPrivateKey(c *Candidate) (bool, string) {
	b, err := hex.DecodeString(string(c.Secret))
	if err != nil {
		return false, "der-private-key: not hex"
	}
	if len(b) < 34 || b[0] != 0x30 {
		return false, "der-private-key: not a DER SEQUENCE"
	}
	n := derLength(b)
	if n != len(b) {
		return false, "der-private-key: DER length does not match the value"
	}
	// The first element: INTEGER, length 1, 0 or 1.
	i := 2
	if b[1] >= 0x80 {
		i += int(b[1] & 0x7f)
	}
	if i+3 > len(b) || b[i] != 0x02 || b[i+1] != 0x01 || b[i+2] > 1 {
		return false, "der-private-key: no version 0 or 1 after the SEQUENCE"
	}
	return true, ""
}

// checkDERSequence accepts a PEM body line whose base64 decodes to the
// start of a DER SEQUENCE (every RSA, EC, DSA and PKCS#8 private key is one)
// with a length that can hold a key: structure, where an entropy floor would
// drop keys whose first line is mostly ASN.1 header.
func checkDERSequence(c *Candidate) (bool, string) {
	s := c.Secret
	b, err := base64.StdEncoding.DecodeString(string(s[:len(s)-len(s)%4]))
	if err == nil && bytes.HasPrefix(b, []byte("openssh-key-v1\x00")) {
		// An OpenSSH key pasted under a PEM header (BEGIN RSA PRIVATE
		// KEY): mislabelled, and a key all the same.
		return true, ""
	}
	if err != nil || len(b) < 4 || b[0] != 0x30 {
		return false, "der-sequence: the body does not start a DER SEQUENCE"
	}
	if n := derLength(b); n < 34 {
		return false, "der-sequence: too short for a key"
	}
	return true, ""
}

// checkPGPSecretPacket accepts base64 of an OpenPGP secret-key packet (tag 5,
// old or new format) holding a version 3 to 6 key.
func checkPGPSecretPacket(c *Candidate) (bool, string) {
	s := strings.TrimRight(string(c.Secret), "=")
	b, err := base64.RawStdEncoding.DecodeString(s[:len(s)-len(s)%4])
	if err != nil || len(b) < 8 {
		return false, "pgp-secret-packet: not base64"
	}
	var at int
	switch {
	case b[0]&0xfc == 0x94: // old format, tag 5; the low bits give the length's size
		at = 1 + [4]int{1, 2, 4, 0}[b[0]&3]
		if b[0]&3 == 3 {
			return false, "pgp-secret-packet: indeterminate length"
		}
	case b[0] == 0xc5: // new format, tag 5
		switch l := b[1]; {
		case l < 192:
			at = 2
		case l < 224:
			at = 3
		case l == 255:
			at = 6
		default:
			return false, "pgp-secret-packet: partial length"
		}
	default:
		return false, "pgp-secret-packet: not a secret-key packet"
	}
	if at >= len(b) || b[at] < 3 || b[at] > 6 {
		return false, "pgp-secret-packet: no key version"
	}
	return true, ""
}
