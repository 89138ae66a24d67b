package hardening

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard selects one of N disjoint slices of an organisation's repositories,
// so independent jobs (a GitHub Actions matrix, a Kubernetes Indexed Job)
// can split an audit. Index is zero-based, as JOB_COMPLETION_INDEX is.
type Shard struct {
	Index, Count int
}

// ParseShard parses "I/N" with 0 ≤ I < N.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("hardening: shard %q: want I/N, e.g. 0/4", s)
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("hardening: shard %q: want I/N with 0 <= I < N", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// String renders the shard as "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Contains reports whether the repository fullName ("owner/name") belongs to
// the shard. The hash is FNV-1a 64 of the lower-cased full name: stable
// across runs, machines and versions, and independent of listing order.
// The zero Shard contains everything.
func (s Shard) Contains(fullName string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(fullName)))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}
