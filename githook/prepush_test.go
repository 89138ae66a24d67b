package githook

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const (
	sha1A   = "1111111111111111111111111111111111111111"
	sha1B   = "2222222222222222222222222222222222222222"
	zero1   = "0000000000000000000000000000000000000000"
	sha256A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	zero256 = "0000000000000000000000000000000000000000000000000000000000000000"
)

func TestParsePrePush(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Update
	}{
		{"empty input: nothing pushed", "", nil},
		{"fast-forward", "refs/heads/main " + sha1A + " refs/heads/main " + sha1B + "\n",
			[]Update{{"refs/heads/main", sha1A, "refs/heads/main", sha1B}}},
		{"new branch has a zero remote ID", "refs/heads/x " + sha1A + " refs/heads/x " + zero1 + "\n",
			[]Update{{"refs/heads/x", sha1A, "refs/heads/x", zero1}}},
		{"deletion has a zero local ID", "(delete) " + zero1 + " refs/heads/x " + sha1B + "\n",
			[]Update{{"(delete)", zero1, "refs/heads/x", sha1B}}},
		{"SHA-256 repository", "refs/tags/v1 " + sha256A + " refs/tags/v1 " + zero256 + "\n",
			[]Update{{"refs/tags/v1", sha256A, "refs/tags/v1", zero256}}},
		{"local ref expression with spaces", "HEAD@{1 day ago} " + sha1A + " refs/heads/old " + zero1 + "\n",
			[]Update{{"HEAD@{1 day ago}", sha1A, "refs/heads/old", zero1}}},
		{"no final newline, CRLF and blank lines", "\nrefs/heads/a " + sha1A + " refs/heads/a " + zero1 + "\r\n\nrefs/heads/b " + sha1B + " refs/heads/b " + zero1,
			[]Update{{"refs/heads/a", sha1A, "refs/heads/a", zero1}, {"refs/heads/b", sha1B, "refs/heads/b", zero1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePrePush(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ParsePrePush: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParsePrePushMalformed(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"three fields", "refs/heads/main " + sha1A + " refs/heads/main\n", "line 1: want 4"},
		{"one field", "garbage\n", "line 1"},
		{"short ID", "refs/heads/main abc refs/heads/main " + sha1B + "\n", "local object name"},
		{"upper-case hex", "refs/heads/main " + strings.ToUpper("abcdefabcdefabcdefabcdefabcdefabcdefabcd") + " refs/heads/main " + sha1B + "\n", "local object name"},
		{"bad remote ID", "refs/heads/main " + sha1A + " refs/heads/main xyz\n", "remote object name"},
		{"remote ref not a full ref", "refs/heads/main " + sha1A + " main " + sha1B + "\n", "remote ref"},
		{"mixed hash lengths", "refs/heads/main " + sha1A + " refs/heads/main " + zero256 + "\n", "different lengths"},
		{"mixed across lines", "refs/heads/a " + sha1A + " refs/heads/a " + zero1 + "\nrefs/heads/b " + sha256A + " refs/heads/b " + zero256 + "\n", "line 2"},
		{"empty local ref", " " + sha1A + " refs/heads/main " + sha1B + "\n", "empty local ref"},
		{"control character", "refs/heads/\x1b[31m " + sha1A + " refs/heads/main " + sha1B + "\n", "control character"},
		{"line too long", strings.Repeat("x", maxPrePushLine+1) + "\n", "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePrePush(strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestUpdateKinds(t *testing.T) {
	del := Update{"(delete)", zero1, "refs/heads/x", sha1A}
	create := Update{"refs/tags/v1", sha1A, "refs/tags/v1", zero1}
	if !del.IsDelete() || del.IsCreate() || del.IsTag() {
		t.Errorf("deletion misclassified: %+v", del)
	}
	if create.IsDelete() || !create.IsCreate() || !create.IsTag() {
		t.Errorf("tag creation misclassified: %+v", create)
	}
	if IsZeroOID("000") || !IsZeroOID(zero256) {
		t.Error("IsZeroOID")
	}
}

// FuzzParsePrePush checks that the parser never panics, and that whatever it
// accepts is well-formed and survives a round trip through the protocol.
func FuzzParsePrePush(f *testing.F) {
	f.Add("refs/heads/main " + sha1A + " refs/heads/main " + sha1B + "\n")
	f.Add("(delete) " + zero1 + " refs/heads/x " + sha1B + "\n")
	f.Add("HEAD@{1 day ago} " + sha256A + " refs/heads/x " + zero256)
	f.Add("\r\n \n" + "a b c d")
	f.Add("refs/heads/a " + sha1A + " refs/heads/a " + zero256 + "\n")
	f.Fuzz(func(t *testing.T, in string) {
		ups, err := ParsePrePush(strings.NewReader(in))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		var b strings.Builder
		for _, u := range ups {
			if u.LocalRef == "" || !validOID(u.LocalOID) || !validOID(u.RemoteOID) || !validRemoteRef(u.RemoteRef) {
				t.Fatalf("accepted a malformed update %+v", u)
			}
			if len(u.LocalOID) != len(ups[0].LocalOID) || len(u.RemoteOID) != len(u.LocalOID) {
				t.Fatalf("accepted mixed hash lengths %+v", ups)
			}
			fmt.Fprintf(&b, "%s %s %s %s\n", u.LocalRef, u.LocalOID, u.RemoteRef, u.RemoteOID)
		}
		again, err := ParsePrePush(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("round trip of %q: %v", b.String(), err)
		}
		if !reflect.DeepEqual(again, ups) {
			t.Fatalf("round trip changed %+v into %+v", ups, again)
		}
	})
}
