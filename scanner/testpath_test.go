package scanner

import "testing"

// TestTestPath: the paths test suites live under, in the languages whose
// conventions differ (Go, Python, Perl and git, RSpec, Jasmine), and paths
// that only look like them.
func TestTestPath(t *testing.T) {
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"pkg/crypto/hash_test.go", true},
		{"tests/test_auth.py", true},
		{"t/t1300-config.sh", true},
		{"src/testdata/keys.pem", true},
		{"spec/models/user_spec.rb", true},
		{"engine/spec/support/auth.rb", true},
		{"src/app/login.component.spec.ts", true},
		{"lib/auth_spec.js", true},
		{"app/models/user.rb", false},
		{"src/app/login.component.ts", false},
		{"docs/specification.md", false},
		{"api/openapi-spec.yaml", false},
		{"lib/inspector.rb", false},
	} {
		if got := testPath(tc.path); got != tc.want {
			t.Errorf("testPath(%q) = %v, want %v", tc.path, got, tc.want)
		}
	}
}
