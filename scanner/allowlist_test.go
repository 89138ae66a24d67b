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
