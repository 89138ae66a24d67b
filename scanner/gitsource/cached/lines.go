package cached

import "bytes"

// hunk is a run of new-file lines not in the old file, and the old lines
// it replaces: new lines [newAt, newAt+newN) (0-based), old lines [oldAt,
// oldAt+oldN).
type hunk struct {
	oldAt, oldN, newAt, newN int
}

// maxEdits bounds the Myers search: a change of more lines than this is
// git's to diff (its heuristics then decide which lines are new).
// The search keeps every frontier (O(D²) memory): 1,000 edits is at most
// 8 MB.
const maxEdits = 1000

// splitLines cuts b into lines, each with its '\n' (the last may lack it:
// git's "\ No newline at end of file", a different line from one with it).
func splitLines(b []byte) [][]byte {
	n := bytes.Count(b, []byte{'\n'})
	out := make([][]byte, 0, n+1)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// diffLines finds the new lines of b that a shortest edit script from a
// keeps out of their longest common subsequence (Myers' O(ND) algorithm,
// after the common head and tail are set aside, as git's xdiff does). ok
// is false when the edit is longer than maxEdits.
func diffLines(a, b [][]byte) (hunks []hunk, ok bool) {
	head := 0
	for head < len(a) && head < len(b) && bytes.Equal(a[head], b[head]) {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && bytes.Equal(a[len(a)-1-tail], b[len(b)-1-tail]) {
		tail++
	}
	a, b = a[head:len(a)-tail], b[head:len(b)-tail]
	switch {
	case len(a) == 0 && len(b) == 0:
		return nil, true
	case len(a) == 0 || len(b) == 0:
		// Lines only added (a new file) or only removed: no search.
		return []hunk{{oldAt: head, oldN: len(a), newAt: head, newN: len(b)}}, true
	}
	// Lines become small integers: equal lines, equal numbers.
	ids := map[string]int32{}
	num := func(ls [][]byte) []int32 {
		out := make([]int32, len(ls))
		for i, l := range ls {
			id, seen := ids[string(l)]
			if !seen {
				id = int32(len(ids))
				ids[string(l)] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := num(a), num(b)
	keepA, keepB, ok := myers(x, y)
	if !ok {
		return nil, false
	}
	// Hunks: maximal runs of unkept lines on either side, between kept
	// pairs.
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		if i < len(x) && j < len(y) && keepA[i] && keepB[j] {
			i++
			j++
			continue
		}
		h := hunk{oldAt: head + i, newAt: head + j}
		for i < len(x) && !keepA[i] {
			i++
			h.oldN++
		}
		for j < len(y) && !keepB[j] {
			j++
			h.newN++
		}
		hunks = append(hunks, h)
	}
	return hunks, true
}

// myers marks the lines of x and y on one longest common subsequence.
func myers(x, y []int32) (keepX, keepY []bool, ok bool) {
	n, m := len(x), len(y)
	keepX, keepY = make([]bool, n), make([]bool, m)
	maxD := min(n+m, maxEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			var xi int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				xi = v[off+k+1]
			} else {
				xi = v[off+k-1] + 1
			}
			yi := xi - k
			for xi < n && yi < m && x[xi] == y[yi] {
				xi++
				yi++
			}
			v[off+k] = xi
			if xi >= n && yi >= m {
				trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
				backtrack(trace, n, m, keepX, keepY)
				return keepX, keepY, true
			}
		}
		// Round d's frontier, for k in [-d-1, d+1]: trace[d][k+d+1].
		trace = append(trace, append([]int(nil), v[off-d-1:off+d+2]...))
	}
	return nil, nil, false
}

// backtrack walks the saved frontiers from the end to the start, marking
// the diagonal (kept) moves.
func backtrack(trace [][]int, n, m int, keepX, keepY []bool) {
	xi, yi := n, m
	for d := len(trace) - 1; d > 0; d-- {
		// The previous round's frontier: v(k) is trace[d-1][k+d].
		prev := trace[d-1]
		v := func(k int) int { return prev[k+d] }
		k := xi - yi
		var pk int
		if k == -d || (k != d && v(k-1) < v(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := v(pk)
		py := px - pk
		for xi > px && yi > py && xi > 0 && yi > 0 {
			xi--
			yi--
			keepX[xi], keepY[yi] = true, true
		}
		xi, yi = px, py
	}
	for xi > 0 && yi > 0 {
		xi--
		yi--
		keepX[xi], keepY[yi] = true, true
	}
}
