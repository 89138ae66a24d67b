package scanner

import "testing"

// TestJWTHeadersFitJWTHeaderPiece: jwtHeaderPiece passes over secrets
// longer than 40 characters, which holds only while no header's encoding
// is longer.
func TestJWTHeadersFitJWTHeaderPiece(t *testing.T) {
	for _, h := range jwtHeaders() {
		if len(h) > 40 {
			t.Errorf("a JWT header's encoding of %d characters: jwtHeaderPiece's bound is 40: %s", len(h), h)
		}
		if !jwtHeaderPiece([]byte(h)) {
			t.Errorf("jwtHeaderPiece(%q) = false", h)
		}
	}
}

// TestTrivialDigestAllowed: the MD5, SHA-1 or SHA-256 of the empty string or of digits
// (a fixture's token md5("1"), echo -n | sha1sum) is on the built-in allow
// list in either case; a digest of anything else, a near miss of one, or
// hex of another length is not.
func TestTrivialDigestAllowed(t *testing.T) {
	for _, tc := range []struct {
		secret string
		want   bool
	}{
		{"c4ca4238a0b923820dcc509a6f75849b", true},                                   // md5("1")
		{"C4CA4238A0B923820DCC509A6F75849B", true},                                   // upper case
		{"5f4dcc3b5aa765d61d8327deb882cf99", false},                                  // md5("password"): a peer's example key
		{"e10adc3949ba59abbe56e057f20f883e", true},                                   // md5("123456")
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", true},                           // sha1("")
		{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d08c1d8f6b0a6", false},  // sha256("test") one digit changed
		{"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d08c1d8f6b0a08", false}, // 65 digits
		{"a4ca4238a0b923820dcc509a6f75849f", false},                                  // Matomo's other token: no digest of these
		{"b026324c6904b2a9cb4b88d6d61c81d1", true},                                   // md5("1\n")
		{"3f786850e387550fdab836ed7e6dc881de23001b", false},                          // sha1("a\n"): a test's key
		{"c4ca4238a0b923820dcc509a6f75849B", false},                                  // mixed case: not a digest printed
		{"7c4f29407893c334a6cb7a87bf045c0d5e7e1d4a9f03be21c7d58e6a40f92b3d", false},  // random
	} {
		got := builtinAllow([]byte(tc.secret)) != ""
		if got != tc.want {
			t.Errorf("builtinAllow(%q) allowed: %v, want %v (%q)", tc.secret, got, tc.want, builtinAllow([]byte(tc.secret)))
		}
	}
}
