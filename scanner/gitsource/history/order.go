package history

import (
	"bytes"
	"container/heap"
	"encoding/hex"
	"slices"
	"strconv"

	"github.com/rampart-sec/rampart/scanner/gitsource/pack"
)

// The commits of every ref in the order `git rev-list --topo-order --all`
// prints them, computed from the packs (refs.go says why). rev-list's
// order decides which of two unrelated commits introducing one blob is
// its oldest, so it is reproduced exactly, as git's revision.c computes
// it without a commit-graph (with one, its incremental walk prints the
// same list; TestRevListOrderMatchesGit compares both):
//
//   - The tips, in the order --all names them (refs by name, then HEAD;
//     tags peeled to the commit they name, other objects left out, each
//     commit once), sorted by committer date, newest first, stably.
//   - limit_list: the newest commit of a queue ordered by date (a new
//     entry after every entry not older than it) is taken, its parents
//     not seen before are queued, and it is appended to a list.
//   - sort_in_topological_order: the list's commits that no other commit
//     in it names as a parent go on a stack, first on top; a commit taken
//     from the stack is printed, and each of its parents whose last child
//     that was has been printed is pushed, in the parents' order.

// orderNode is one commit of the walk's order.
type orderNode struct {
	id      [20]byte
	date    uint64
	parents []int32 // set once every commit is read
	seq     int     // its place in the date queue's ties
}

// revListOrder returns the commits reachable from tips (objects named by
// refs, in the order git takes them) as `git rev-list --topo-order` lists
// them. errRefsToGit says git must list them: an object the store cannot
// read, a commit it does not parse exactly as git does.
func revListOrder(st *store, tips [][20]byte) ([][20]byte, error) {
	index := map[[20]byte]int32{}
	var nodes []orderNode
	var parentIDs [][][20]byte
	load := func(id [20]byte) (int32, error) {
		o, err := st.getOnce(id)
		if err != nil {
			return 0, errRefsToGit
		}
		defer st.done(o)
		if o.typ != pack.Commit {
			return 0, errRefsToGit
		}
		parents, date, ok := commitOrderFields(o.Data())
		if !ok {
			return 0, errRefsToGit
		}
		i := int32(len(nodes))
		index[id] = i
		nodes = append(nodes, orderNode{id: id, date: date})
		parentIDs = append(parentIDs, parents)
		return i, nil
	}
	var start []int32
	for _, id := range tips {
		id, isCommit, err := peelToCommit(st, id)
		if err != nil {
			return nil, err
		}
		if !isCommit {
			continue
		}
		if _, seen := index[id]; seen {
			continue
		}
		i, err := load(id)
		if err != nil {
			return nil, err
		}
		start = append(start, i)
	}
	slices.SortStableFunc(start, func(a, b int32) int { return -cmpUint(nodes[a].date, nodes[b].date) })
	q := &dateQueue{nodes: &nodes}
	seq := 0
	for _, i := range start {
		nodes[i].seq = seq
		seq++
		q.items = append(q.items, i)
	}
	heap.Init(q)
	list := make([]int32, 0, len(nodes))
	for q.Len() > 0 {
		c := heap.Pop(q).(int32)
		for _, p := range parentIDs[c] {
			if _, seen := index[p]; seen {
				continue
			}
			i, err := load(p)
			if err != nil {
				return nil, err
			}
			nodes[i].seq = seq
			seq++
			heap.Push(q, i)
		}
		list = append(list, c)
	}
	for i := range nodes {
		ps := make([]int32, len(parentIDs[i]))
		for k, p := range parentIDs[i] {
			ps[k] = index[p]
		}
		nodes[i].parents = ps
	}
	parentIDs = nil

	indegree := make([]int32, len(nodes))
	for _, c := range list {
		indegree[c] = 1
	}
	for _, c := range list {
		for _, p := range nodes[c].parents {
			if indegree[p] != 0 {
				indegree[p]++
			}
		}
	}
	var stack []int32
	for _, c := range list {
		if indegree[c] == 1 {
			stack = append(stack, c)
		}
	}
	slices.Reverse(stack)
	out := make([][20]byte, 0, len(list))
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, p := range nodes[c].parents {
			if indegree[p] == 0 {
				continue
			}
			if indegree[p]--; indegree[p] == 1 {
				stack = append(stack, p)
			}
		}
		indegree[c] = 0
		out = append(out, nodes[c].id)
	}
	return out, nil
}

// peelToCommit follows tags from id to the object they name, as rev-list
// does with a ref's object: isCommit is false for a tree or a blob.
func peelToCommit(st *store, id [20]byte) (_ [20]byte, isCommit bool, _ error) {
	for range 16 {
		o, err := st.getOnce(id)
		if err != nil {
			return id, false, errRefsToGit
		}
		typ := o.typ
		var next [20]byte
		var ok bool
		if typ == pack.Tag {
			next, _, ok = tagTarget(o.Data())
		}
		st.done(o)
		switch typ {
		case pack.Commit:
			return id, true, nil
		case pack.Tag:
			if !ok {
				return id, false, errRefsToGit
			}
			id = next
		default:
			return id, false, nil
		}
	}
	return id, false, errRefsToGit
}

// tagTarget reads a tag object's first two headers: the object it names
// and that object's type.
func tagTarget(data []byte) (id [20]byte, typ string, ok bool) {
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	name, found := bytes.CutPrefix(line, []byte("object "))
	if !found || len(name) != 40 || !isHex(name) {
		return id, "", false
	}
	hex.Decode(id[:], name)
	line, _, _ = bytes.Cut(rest, []byte("\n"))
	t, found := bytes.CutPrefix(line, []byte("type "))
	if !found {
		return id, "", false
	}
	return id, string(t), true
}

// commitOrderFields reads a commit's parents and committer date as git's
// parse_commit_buffer does, for commits written the way git writes them:
// the tree, the parents, the author and the committer lines in that
// order, and the committer line's one '>' followed by " <seconds>
// <zone>". Any other shape (git reads some of them differently from one
// version to the next) is not ok.
func commitOrderFields(data []byte) (parents [][20]byte, date uint64, ok bool) {
	line, rest, found := bytes.Cut(data, []byte("\n"))
	if !found || len(line) != 45 || !bytes.HasPrefix(line, []byte("tree ")) || !isHex(line[5:]) {
		return nil, 0, false
	}
	for {
		line, rest, found = bytes.Cut(rest, []byte("\n"))
		if !found {
			return nil, 0, false
		}
		p, isParent := bytes.CutPrefix(line, []byte("parent "))
		if !isParent {
			break
		}
		if len(p) != 40 || !isHex(p) {
			return nil, 0, false
		}
		var id [20]byte
		hex.Decode(id[:], p)
		parents = append(parents, id)
	}
	if !bytes.HasPrefix(line, []byte("author ")) {
		return nil, 0, false
	}
	line, _, found = bytes.Cut(rest, []byte("\n"))
	if !found || !bytes.HasPrefix(line, []byte("committer ")) || bytes.Count(line, []byte(">")) != 1 {
		return nil, 0, false
	}
	_, when, _ := bytes.Cut(line, []byte(">"))
	secs, zone, found := bytes.Cut(bytes.TrimPrefix(when, []byte(" ")), []byte(" "))
	if !found || len(when) == 0 || when[0] != ' ' || len(secs) == 0 || len(secs) > 18 || len(zone) != 5 || zone[0] != '+' && zone[0] != '-' {
		return nil, 0, false
	}
	for _, c := range secs {
		if c < '0' || c > '9' {
			return nil, 0, false
		}
	}
	date, err := strconv.ParseUint(string(secs), 10, 64)
	if err != nil {
		return nil, 0, false
	}
	return parents, date, true
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dateQueue is limit_list's queue: newest committer date first, and among
// equal dates the one queued first.
type dateQueue struct {
	nodes *[]orderNode
	items []int32
}

func (q *dateQueue) Len() int { return len(q.items) }
func (q *dateQueue) Less(i, j int) bool {
	a, b := &(*q.nodes)[q.items[i]], &(*q.nodes)[q.items[j]]
	if a.date != b.date {
		return a.date > b.date
	}
	return a.seq < b.seq
}
func (q *dateQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }
func (q *dateQueue) Push(x any)    { q.items = append(q.items, x.(int32)) }
func (q *dateQueue) Pop() any {
	x := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x
}
