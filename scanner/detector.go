package scanner

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
)

// Detector is compiled once from rules and is safe for concurrent use.
type Detector struct {
	rules    []*patterns.Rule
	auto     *patterns.Automaton
	kwRules  [][]int32 // keyword index → rules that own it
	always   []int     // rules without keywords: run over every chunk
	byID     map[string]int
	allow    *Allowlist
	decoders []decoder
	anchored []*anchoredRegex // per rule; nil when the rule cannot be anchored
	// requires is, per rule, the index of the rule it requires (-1: none,
	// or the required rule is not in this detector).
	requires []int
	// partner marks the rules another requires nearby (Requires).
	partner []bool
	// required is, per rule, a string every match contains (nil: none).
	required [][]byte
	// folds is, per rule without one, a string every match contains in
	// some ASCII case, lower case (nil: none).
	folds [][]byte
	// uniform marks keywords of one repeated byte (twenty-one A's open a
	// Twitter bearer token): in a run of that byte every position is a hit,
	// and only the run's first says anything a rule can use.
	uniform   []bool
	scratchMu sync.Pool
	files     []*patterns.FileRule
	// pathGroups are the rules' distinct path patterns; ruleGroup is, per
	// rule, the index of its pattern there (-1: none). A path's view
	// records which match (pathView).
	pathGroups []*patterns.PathPattern
	ruleGroup  []int
	views      memoTable[knownView] // viewUnder's
	// allGroups has the bit of every path pattern; kwGroups, per keyword,
	// those of the patterns of the rules it names (allGroups for a
	// decoder's trigger: decoded text may hold any rule's keyword);
	// bareGroups those of rules without keywords, which run over every
	// chunk (touchedGroups).
	allGroups, bareGroups pathView
	kwGroups              []pathView
}

// Drop records a candidate that matched a rule's regex but was not reported,
// and why (for `scan --explain`). Its provenance is a finding's: Kind, Path,
// Commit and BlobID are those of the chunk, or, for a history blob read
// before the walk placed it, of the commit and path that introduced the blob
// (see DropResolver).
type Drop struct {
	RuleID string
	Kind   Kind
	Path   string
	Commit *Commit
	BlobID string
	Line   int
	// Secret is redacted.
	Secret string
	Reason string
}

// drop is the Drop of rule id's candidate secret at line of c.
func (c *Chunk) drop(id string, line int, secret []byte, reason string) Drop {
	return Drop{RuleID: id, Kind: c.Kind, Path: c.Path, Commit: c.Commit, BlobID: c.BlobID, Line: line,
		Secret: Redact(string(secret)), Reason: reason}
}

// NewDetector compiles rules into a detector. allow may be nil.
func NewDetector(rules []*patterns.Rule, allow *Allowlist) *Detector {
	if d := preparedDetector(rules); d != nil {
		d.allow = allow
		return d
	}
	return newDetector(rules, allow)
}

func newDetector(rules []*patterns.Rule, allow *Allowlist) *Detector {
	d := &Detector{rules: rules, byID: make(map[string]int, len(rules)), allow: allow, files: patterns.FileRules()}
	// Sized up front: growing these one append at a time was a third of
	// the detector's allocation, and every fresh page is a fault at start.
	nkw := 0
	for _, r := range rules {
		nkw += len(r.Keywords)
	}
	kwIndex := make(map[string]int, nkw)
	keywords := make([]string, 0, nkw)
	// Each keyword's rules are a piece of one array, counted first: a
	// slice grown per keyword was an allocation for each of thousands.
	d.decoders = append(builtinDecoders(), base64Anywhere())
	count := make([]int, 0, nkw)
	index := func(k string) int {
		ki, ok := kwIndex[k]
		if !ok {
			ki = len(keywords)
			kwIndex[k] = ki
			keywords = append(keywords, k)
			count = append(count, 0)
		}
		count[ki]++
		return ki
	}
	for i, r := range rules {
		d.byID[r.ID] = i
		if len(r.Keywords) == 0 {
			d.always = append(d.always, i)
			continue
		}
		for _, k := range r.Keywords {
			index(k)
		}
	}
	// Decoder triggers share the automaton; their entries in kwRules are
	// numbered after the rules.
	for _, dec := range d.decoders {
		for _, k := range dec.keywords {
			index(k)
		}
	}
	total := 0
	for _, n := range count {
		total += n
	}
	flat := make([]int32, total)
	d.kwRules = make([][]int32, len(keywords))
	for ki, n := range count {
		d.kwRules[ki], flat = flat[:0:n], flat[n:]
	}
	for i, r := range rules {
		for _, k := range r.Keywords {
			ki := kwIndex[k]
			d.kwRules[ki] = append(d.kwRules[ki], int32(i))
		}
	}
	for di, dec := range d.decoders {
		for _, k := range dec.keywords {
			ki := kwIndex[k]
			d.kwRules[ki] = append(d.kwRules[ki], int32(len(rules)+di))
		}
	}
	d.auto = patterns.AutomatonFor(keywords)
	d.uniform = make([]bool, len(keywords))
	for ki, k := range keywords {
		d.uniform[ki] = len(k) > 1 && strings.Count(strings.ToLower(k), strings.ToLower(k[:1])) == len(k)
	}
	// Each per-rule table in one allocation rather than one per rule
	// (3,800 of the detector's 7,900 allocations were these): every
	// allocation at start-up is fresh memory, and on a VM each fresh page
	// is a fault.
	anchors := make([]anchoredRegex, len(rules))
	d.anchored = make([]*anchoredRegex, len(rules))
	d.requires = make([]int, len(rules))
	d.partner = make([]bool, len(rules))
	d.required = make([][]byte, len(rules))
	d.folds = make([][]byte, len(rules))
	for i, r := range rules {
		if req := r.Required(); req != "" {
			d.required[i] = []byte(req)
		} else {
			// (A case-sensitive literal is the stronger filter, and
			// bytes.Contains the faster search.)
			d.folds[i] = r.RequiredFold()
		}
		anchors[i].rule = r
		d.anchored[i] = &anchors[i]
		d.requires[i] = -1
		if r.Requires != "" {
			if j, ok := d.byID[r.Requires]; ok {
				d.requires[i] = j
				d.partner[j] = true
			}
		}
	}
	d.ruleGroup = make([]int, len(rules))
	groupOf := map[string]int{}
	for i, r := range rules {
		d.ruleGroup[i] = -1
		if r.Path == nil {
			continue
		}
		g, ok := groupOf[r.Path.String()]
		if !ok {
			g = len(d.pathGroups)
			groupOf[r.Path.String()] = g
			d.pathGroups = append(d.pathGroups, r.Path)
		}
		d.ruleGroup[i] = g
	}
	for g := range min(len(d.pathGroups), maxPathGroups) {
		d.allGroups |= groupBit(g)
	}
	if d.allGroups != 0 {
		d.kwGroups = make([]pathView, len(keywords))
		for ki, rs := range d.kwRules {
			for _, r := range rs {
				if int(r) >= len(rules) {
					d.kwGroups[ki] = d.allGroups
				} else if g := d.ruleGroup[r]; g >= 0 {
					d.kwGroups[ki] |= groupBit(g)
				}
			}
		}
		for i, r := range rules {
			if g := d.ruleGroup[i]; g >= 0 && len(r.Keywords) == 0 {
				d.bareGroups |= groupBit(g)
			}
		}
	}
	memo, judged := &memoTable[[][]int]{}, &memoTable[judgement]{}
	d.scratchMu.New = func() any {
		return &scratch{hits: make([][]int32, len(rules)), memo: memo, judged: judged}
	}
	return d
}

// Rules returns the rules the detector runs.
func (d *Detector) Rules() []*patterns.Rule { return d.rules }

// Automaton returns the keyword automaton the detector prefilters with. A
// source that supplies Chunk.Hits must find them with this automaton.
func (d *Detector) Automaton() *patterns.Automaton { return d.auto }

type scratch struct {
	hits       [][]int32 // per rule: keyword-hit start offsets
	touched    []int
	decodeHits []decodeHit
	// memo and judged are the detector's (shared by every scratch);
	// remember turns them on: only history blobs, where every version of a
	// file repeats most of the last one's windows, are worth it.
	memo     *memoTable[[][]int]
	judged   *memoTable[judgement]
	remember bool
	// shifted holds a match of a window's piece moved to the window's
	// offsets (windowMatches).
	shifted []int
	// starts holds the places startMatches tries.
	starts []int
}

// memoTable remembers results by a 64-bit key for every goroutine of a
// detector. It was per scratch: a scratch is whichever one sync.Pool hands
// the goroutine (a reader moves between Ps, and a collection empties the
// pool), so 40% of the regex runs on gitleaks' history (36,900 of 90,000)
// were for windows another scratch had already run. Shards keep the
// readers off each other's lock.
type memoTable[V any] struct {
	shards [memoShards]memoShard[V]
}

// memoShard is one shard: an open-addressed table (linear probing) of
// keys, with the values beside them. It was a Go map, whose look-up reads
// the map's header, its directory, a table and a group, four places in
// memory the regexes run between look-ups have evicted: on Kingfisher's
// history, where nearly every window is new, the look-ups that miss were
// 4% of the scan. Here a miss reads one line of keys.
type memoShard[V any] struct {
	mu   sync.Mutex
	keys []uint64 // 0 is an empty slot (a key of 0 is stored as 1)
	vals []V
	n    int      // keys held
	_    [64]byte // 128 bytes a shard: no two shards' locks and headers share a cache line
}

// memoShards is the number of shards: a power of two, picked by the top
// bits of the (random) key.
const memoShards = 16

// memoFirstSlots is a shard's first slots: it doubles when three quarters
// full, and is cleared when it holds memoMax/memoShards keys, by then in
// 2*memoMax/memoShards slots (half full: short probes).
const memoFirstSlots = 256

func (t *memoTable[V]) shard(k uint64) *memoShard[V] { return &t.shards[k>>60] }

func (t *memoTable[V]) get(k uint64) (V, bool) {
	k = max(k, 1)
	sh := t.shard(k)
	sh.mu.Lock()
	v, ok := sh.lookup(k)
	sh.mu.Unlock()
	return v, ok
}

// lookup is get, under the shard's lock.
func (sh *memoShard[V]) lookup(k uint64) (V, bool) {
	if len(sh.keys) > 0 {
		mask := uint64(len(sh.keys) - 1)
		for i := k & mask; ; i = (i + 1) & mask {
			switch sh.keys[i] {
			case k:
				return sh.vals[i], true
			case 0:
				var none V
				return none, false
			}
		}
	}
	var none V
	return none, false
}

// put remembers v; a full shard is cleared first.
func (t *memoTable[V]) put(k uint64, v V) {
	k = max(k, 1)
	sh := t.shard(k)
	sh.mu.Lock()
	sh.store(k, v)
	sh.mu.Unlock()
}

// store is put, under the shard's lock.
func (sh *memoShard[V]) store(k uint64, v V) {
	switch {
	case len(sh.keys) == 0:
		sh.keys, sh.vals = make([]uint64, memoFirstSlots), make([]V, memoFirstSlots)
	case sh.n >= memoMax/memoShards:
		clear(sh.keys)
		clear(sh.vals)
		sh.n = 0
	case 4*(sh.n+1) > 3*len(sh.keys):
		sh.grow()
	}
	mask := uint64(len(sh.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch sh.keys[i] {
		case 0:
			sh.keys[i], sh.vals[i] = k, v
			sh.n++
			return
		case k:
			sh.vals[i] = v
			return
		}
	}
}

// grow doubles the shard's slots, keeping what it holds.
func (sh *memoShard[V]) grow() {
	keys, vals := sh.keys, sh.vals
	sh.keys, sh.vals = make([]uint64, 2*len(keys)), make([]V, 2*len(keys))
	mask := uint64(len(sh.keys) - 1)
	for j, k := range keys {
		if k == 0 {
			continue
		}
		i := k & mask
		for sh.keys[i] != 0 {
			i = (i + 1) & mask
		}
		sh.keys[i], sh.vals[i] = k, vals[j]
	}
}

// memoKey names a regex run by one 64-bit hash of the rule, whether it was
// the anchored form, and the window's bytes: a uint64 key takes the map's
// fast path (a struct key cost 200 ns a look-up, a third of a history
// scan's regex time on gitleaks' repository). The window's bytes were
// never compared, only hashed, so one hash of everything is no weaker.
func memoKey(rule int, anchored bool, w []byte) uint64 {
	tag := uint64(rule)<<1 | 1
	if anchored {
		tag++
	}
	// The window's random 64-bit hash, moved by a multiple of the tag:
	// two keys meet only by a 2^-64 chance.
	return maphash.Bytes(memoSeed, w) ^ tag*0x9E3779B97F4A7C15
}

// judgement is a remembered verdict on a candidate: why it was dropped
// ("" if not) and the attributes its validators set.
type judgement struct {
	reason string
	attrs  map[string]string
}

// judge is Detector.judge, remembered for history blobs like regex runs:
// the same line in the next version of a file gives the same candidate,
// and validators are a tenth of a history scan's time. The key hashes
// everything judge reads: the rule, the secret, the match, the name and its
// offset, and the line.
func (sc *scratch) judge(d *Detector, ri int, r *patterns.Rule, cand *patterns.Candidate, path string) string {
	if !sc.remember {
		return d.judge(r, cand, path)
	}
	var h maphash.Hash
	h.SetSeed(memoSeed)
	for _, part := range [][]byte{cand.Secret, cand.Match, cand.Name, cand.Line} {
		var n [4]byte
		binary.LittleEndian.PutUint32(n[:], uint32(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(ri))
	binary.LittleEndian.PutUint32(tail[4:], uint32(cand.NameAt))
	h.Write(tail[:])
	k := h.Sum64()
	if j, ok := sc.judged.get(k); ok {
		cand.Attributes = maps.Clone(j.attrs)
		return j.reason
	}
	reason := d.judge(r, cand, path)
	sc.judged.put(k, judgement{reason, maps.Clone(cand.Attributes)})
	return reason
}

// memoMax bounds the entries each of the detector's memos holds (a shard
// is cleared when full), in at most 2*memoMax slots of a key and a value:
// about 8 MB for the regex runs'. Per scratch it was 1<<16, with a scratch
// per reader and more after collections.
const memoMax = 1 << 17

var memoSeed = maphash.MakeSeed()

// find runs re over the window w, remembering the result by w's bytes: a
// history scan meets the same windows in every version of a file, and
// hashing a window costs a small fraction of running a regex over it.
// Anchored, re is tried once at w's start (a rule's anchored matcher or
// line regex); else it is the rule's regexp, run over the whole window.
// Callers must not modify the returned matches.
func (sc *scratch) find(re patterns.Matcher, rule int, anchored bool, w []byte) [][]int {
	if !sc.remember {
		return findIn(re, anchored, w)
	}
	k := memoKey(rule, anchored, w)
	if m, ok := sc.memo.get(k); ok {
		return m
	}
	m := findIn(re, anchored, w)
	sc.memo.put(k, m)
	return m
}

// allFinder is what a rule run over a window is: a *patterns.Finder, or a
// *regexp.Regexp.
type allFinder interface {
	FindAllSubmatchIndex(b []byte, n int) [][]int
}

func findIn(re patterns.Matcher, anchored bool, w []byte) [][]int {
	if !anchored {
		return re.(allFinder).FindAllSubmatchIndex(w, -1)
	}
	if x := re.FindSubmatchIndex(w); x != nil {
		return [][]int{x}
	}
	return nil
}

const (
	// backReach bounds how far before a keyword hit a regex looks on one
	// line: rules put their keyword (a prefix or a context name) at or near
	// the start of the match.
	backReach = 256
	// maxWindow caps a run of merged windows, so dense keyword hits in a
	// minified file give many small regex runs (Go's backtracker) rather
	// than one huge one (its slower NFA: Go's regexp backtracks only while
	// input × program stays under 256 Kbit, about 2 KB for a rule of a
	// hundred instructions). Matches found twice where windows overlap are
	// removed by dedupSpans. 4096 → 2048 took minified detection from 168
	// to 240 MB/s.
	maxWindow = 2048
	// windowReach bounds how far either side of a keyword hit a regex looks on
	// one line, so a minified megabyte-long line costs a window, not the line.
	windowReach = 1024
	// pairLines is how close a key ID and its secret must be to be linked.
	pairLines = 5
	// maxLongMatch bounds a match that outgrows its window on a long line.
	maxLongMatch = 16 << 10
	// longTokenCut is the length from which a token cut by a window's clamp
	// is kept rather than cut off (prevSeparator).
	longTokenCut = 128
)

// Detect returns the findings in c, after validators, the built-in and
// configured allow lists and inline markers. It does not apply baselines or
// dedup across chunks.
func (d *Detector) Detect(c Chunk) []Finding {
	return d.detect(c, nil)
}

// SetFileRules replaces the credential-file rules (all built-in ones by
// default; a configuration may disable some).
func (d *Detector) SetFileRules(rs []*patterns.FileRule) { d.files = rs }

// railsKeyMax is the largest text file a file rule judges: a Rails key
// with a CRLF line ending.
const railsKeyMax = 34

// detectFile judges a binary chunk as a file: the first file rule whose
// format it has gives one finding for the whole file. Its secret is the
// SHA-256 of the content (the file is the secret; its bytes are never
// printed), so the same file anywhere is one fingerprint.
func (d *Detector) detectFile(c Chunk) []Finding {
	head := c.Data[:min(len(c.Data), patterns.FileHeadLen)]
	for _, r := range d.files {
		if !r.Match(c.Path, head) {
			continue
		}
		if !r.Holds(c.Data) {
			return nil // a truststore or an empty keystore: no secret in it
		}
		// The allow list is asked only of a match: every small text file
		// comes here, and almost none is a credential file.
		if d.allow.AllowsPath(c.Path) {
			return nil
		}
		sum := sha256.Sum256(c.Data)
		f := newFinding(r.ID, r.Description, r.Severity, r.Remediation, c, 1, 1, hex.EncodeToString(sum[:]))
		f.Attributes = map[string]string{"file": "the whole file is the credential; the secret shown is its SHA-256"}
		f.Fingerprint = Fingerprint(f.RuleID, f.Secret)
		return []Finding{f}
	}
	return nil
}

// newFinding is a finding of rule id in chunk c at line and column.
func newFinding(id, desc string, sev patterns.Severity, remediation string, c Chunk, line, col int, secret string) Finding {
	return Finding{RuleID: id, Description: desc, Severity: sev, Remediation: remediation, Kind: c.Kind, Path: c.Path,
		Line: line, Column: col, Commit: c.Commit, BlobID: c.BlobID, Secret: secret}
}

// DetectExplain is Detect, also reporting every dropped candidate to drop.
func (d *Detector) DetectExplain(c Chunk, drop func(Drop)) []Finding {
	return d.detect(c, drop)
}

type candidate struct {
	rule       int
	start, end int // secret span in the chunk's own bytes
	secret     []byte
	decoding   string
	attrs      map[string]string
	line, col  int
	// identity joins the fingerprint when the secret alone does not tell
	// keys apart (Rule.IdentityGroup).
	identity []byte
}

func (d *Detector) detect(c Chunk, dropFn func(Drop)) []Finding {
	fs := d.detectChunk(c, dropFn)
	if c.Encoding != UTF8 {
		// Said, because the file's bytes do not hold the secret as
		// written: grep finds it only in the decoded text.
		for i := range fs {
			setAttr(&fs[i], "encoding", c.Encoding.String())
		}
	}
	return fs
}

func (d *Detector) detectChunk(c Chunk, dropFn func(Drop)) []Finding {
	if len(c.Data) == 0 {
		return nil
	}
	if c.Binary {
		c.PathLater = false // judged by name afterwards (judgePaths)
		return d.detectFile(c)
	}
	if len(c.Data) <= railsKeyMax || c.Kind == KindStdin && c.Encoding == UTF8 && IsBinary(c.Data) {
		// A text file can be a credential file too (a Rails master key:
		// 32 hex digits and nothing else, which no keyword finds); only a
		// file this small can be one. Standard input is read as it is,
		// binary or not (it is all there is to read), and binary it may
		// be a keystore or a PKCS#12 bundle piped in: the file rules judge
		// it as they judge a folder's binary files.
		fc := c
		fc.PathLater = false
		if fs := d.detectFile(fc); fs != nil {
			return fs
		}
	}
	if c.PathLater {
		return d.detectPathLater(c, dropFn)
	}
	c.view = viewByPath
	return d.detectAt(c, dropFn)
}

// pathView is what detection reads of a text file's path: whether it is a
// test file or documentation (skip_test_files rules do not run there),
// whether it is a test file (its test vectors are dropped), and which of the
// rules' path patterns it matches (a rule with a path pattern runs only
// where it matches).
type pathView uint64

const (
	viewDocOrTest pathView = 1 << iota // test file or documentation
	viewTest                           // test file
	viewGroup0                         // the first path pattern matches; the next bits, the next patterns

	// viewByPath marks a view without pattern bits: a rule's pattern is
	// matched against the chunk's Path when the rule is about to run (a
	// folder's files are each met once, and most never touch such a rule).
	viewByPath pathView = 1 << 63
)

// maxPathGroups bounds the distinct path patterns a view records; a
// configuration with more cannot leave paths for later (PathsLater).
const maxPathGroups = 61

// groupBit is the view bit of path pattern g.
func groupBit(g int) pathView {
	if g >= maxPathGroups {
		return 0
	}
	return viewGroup0 << g
}

// kindBits returns the test and documentation bits of c's view, read from
// its path when the view is viewByPath (only a chunk that touches a
// skip_test_files rule or holds candidates asks).
func (c *Chunk) kindBits() pathView {
	if c.view&viewByPath != 0 {
		return kindView(c.Path)
	}
	return c.view
}

// kindView returns the test and documentation bits of path's view.
func kindView(path string) pathView {
	switch {
	case testPath(path):
		return viewDocOrTest | viewTest
	case docPath(path):
		return viewDocOrTest
	}
	return 0
}

// knownView is what viewUnder knows of a path's view: bits, for the bits
// of known (the test and documentation bits, and the path patterns
// matched so far).
type knownView struct{ known, bits pathView }

// viewUnder returns path's view with the bits of the path patterns in
// mask (those outside it are 0), remembered by path: a history scan asks
// it of every version of a file (a path regex run per version and rule
// was 3% of gitleaks' history scan), and a pattern is matched against a
// path only when first asked (matching both patterns against each of
// Kingfisher's 818 paths was 2% of its history scan, for the few blobs
// where a rule with a path pattern had anything to say).
func (d *Detector) viewUnder(path string, mask pathView) pathView {
	if d.allGroups == 0 {
		return kindView(path)
	}
	mask &= d.allGroups
	// The test and documentation bits are remembered too: working them
	// out lower-cases the path twice.
	k := maphash.String(memoSeed, path)
	kv, ok := d.views.get(k)
	if !ok {
		kv = knownView{known: viewDocOrTest | viewTest, bits: kindView(path)}
	}
	missing := mask &^ kv.known
	for g, re := range d.pathGroups[:min(len(d.pathGroups), maxPathGroups)] {
		if b := groupBit(g); missing&b != 0 {
			kv.known |= b
			if re.MatchString(path) {
				kv.bits |= b
			}
		}
	}
	if !ok || missing != 0 {
		// A concurrent put may have learnt other patterns: whichever
		// entry stays is right for what it knows.
		d.views.put(k, kv)
	}
	return kv.bits & (mask | viewDocOrTest | viewTest)
}

// touchedGroups returns the view bits of the path patterns whose rules
// can find something in c: those of the rules its keyword hits name and
// of rules without keywords; every pattern's when its hits are not known
// or one triggers a decoder. Detection at a view that differs from
// another only in the others' bits finds the same (their rules have no
// keyword hit to start from).
func (d *Detector) touchedGroups(c Chunk) pathView {
	if d.allGroups == 0 {
		return 0
	}
	if !c.HitsKnown {
		return d.allGroups
	}
	touched := d.bareGroups
	for _, h := range c.Hits {
		if touched |= d.kwGroups[h.Keyword]; touched == d.allGroups {
			break
		}
	}
	return touched
}

// pathOK reports whether rule ri's path pattern, if it has one, matches
// c's path.
func (d *Detector) pathOK(ri int, c *Chunk) bool {
	g := d.ruleGroup[ri]
	switch {
	case g < 0:
		return true
	case g >= maxPathGroups || c.view&viewByPath != 0:
		return d.rules[ri].Path.MatchString(c.Path)
	}
	return c.view&groupBit(g) != 0
}

// viewDims returns the view bits that decide whether the rules of cands
// run: a skip_test_files rule's viewDocOrTest, a path pattern's bit.
func (d *Detector) viewDims(cands []candidate) pathView {
	var dims pathView
	for i := range cands {
		ri := cands[i].rule
		if d.rules[ri].SkipTestFiles && len(d.rules[ri].Keywords) > 0 {
			dims |= viewDocOrTest
		}
		if g := d.ruleGroup[ri]; g >= 0 {
			dims |= groupBit(g)
		}
	}
	return dims
}

// PathsLater reports whether rules can be detected with PathLater: every
// decision they make from a path is recorded in the findings' views (at
// most maxPathGroups distinct path patterns).
func PathsLater(rules []*patterns.Rule) bool {
	seen := map[string]bool{}
	for _, r := range rules {
		if r.Path != nil {
			seen[r.Path.String()] = true
		}
	}
	return len(seen) <= maxPathGroups
}

// detectPathLater detects in a text chunk whose path is decided later (a
// history blob read while the commit walk places it, possibly at several
// paths of different kinds). Candidates are gathered once, as if every
// path pattern matched and the path were neither a test file nor
// documentation: at any other view, the rules that run find a subset of
// these. The view bits whose rules found nothing change nothing; for every
// setting of the others, and as a test file where a generic rule reported
// a hex value (test vectors), the candidates of the rules that run there
// are settled into findings, each marked with the setting that gave it
// (viewMask, viewBits). judgePaths keeps at each path the findings of its
// own view, which are exactly what detection at that path gives, whichever
// of the walk and the reader came first. Settling is cheap next to
// gathering; only where a rule that a view turns off found candidates in
// decoded text (whose nested decodings settle among themselves) is that
// view gathered again.
func (d *Detector) detectPathLater(c Chunk, dropFn func(Drop)) []Finding {
	c.PathLater, c.Path = false, ""
	var all pathView
	for g := range min(len(d.pathGroups), maxPathGroups) {
		all |= groupBit(g)
	}
	if len(c.LaterPaths) > 0 {
		return d.detectLaterPaths(c, all, dropFn)
	}
	c.view = all
	g := d.gather(c, dropFn)
	dims := g.dims
	// Test vectors are dropped only where a generic rule saw
	// testVectorMin hex values; fewer candidates can hold no more.
	vectors := d.vectorLikeCands(g.cands)+d.vectorLikeCands(g.dec) >= testVectorMin
	if dims == 0 && !vectors {
		// The same findings at every path.
		fs := d.settle(c, g.cands, g.dec, dropFn, false)
		for i := range fs {
			fs[i].later = true
		}
		return fs
	}
	// Later settlings report only what the first did not: test vectors.
	again := dropFn
	if dropFn != nil {
		again = func(dr Drop) {
			if strings.HasPrefix(dr.Reason, "test vectors") {
				dropFn(dr)
			}
		}
	}
	first := true
	at := func(v pathView) []Finding {
		c := withView(c, v)
		drop := again
		if first {
			drop, first = dropFn, false
		}
		// Bits that turn off rules the gathering ran: path patterns
		// cleared, documentation or test set.
		off := (all&^v | v&viewDocOrTest) & dims
		if off&g.decDims != 0 {
			h := d.gather(c, nil)
			return d.settle(c, h.cands, h.dec, drop, false)
		}
		return d.settle(c, d.runningAt(g.cands, v), d.runningAt(g.dec, v), drop, true)
	}
	var out []Finding
	emit := func(fs []Finding, mask, bits pathView) {
		for _, f := range fs {
			f.later, f.viewMask, f.viewBits = true, mask, bits
			out = append(out, f)
		}
	}
	// Every subset of dims, as the values of those bits.
	for sub := dims; ; sub = (sub - 1) & dims {
		v := all&^dims | sub
		fs := at(v)
		// A test file has viewDocOrTest; test vectors tell it apart from
		// documentation.
		if vectors && (dims&viewDocOrTest == 0 || v&viewDocOrTest != 0) && d.anyVectorLike(fs) {
			emit(fs, dims|viewTest, sub)
			emit(at(v|viewDocOrTest|viewTest), dims|viewTest, sub|viewTest|dims&viewDocOrTest)
		} else {
			emit(fs, dims, sub)
		}
		if sub == 0 {
			break
		}
	}
	return out
}

// detectLaterPaths detects in a PathLater chunk whose paths are known
// already (LaterPaths) at each of their views, as a scan of the file at
// those paths would; the findings are marked for their view alone (all:
// every path pattern's bit), or, past maxPathGroups, for their path. An
// allow-listed path is not detected at: a folder's scan does not read
// such a file, and the join drops what is found there (a repository's
// generated catalogue, allow-listed, was three quarters of its history's
// scan).
func (d *Detector) detectLaterPaths(c Chunk, all pathView, dropFn func(Drop)) []Finding {
	exact := len(d.pathGroups) > maxPathGroups
	var out []Finding
	var done []pathView
	seen := map[string]bool{}
	// Only the path patterns whose rules have keyword hits here decide
	// anything; the findings record which (viewMask).
	dims := all
	if !exact {
		dims = d.touchedGroups(c)
	}
	for _, p := range c.LaterPaths {
		if d.allow.AllowsPath(p) {
			continue
		}
		v := d.viewUnder(p, dims)
		if exact {
			if seen[p] {
				continue
			}
			seen[p] = true
		} else {
			if slices.Contains(done, v) {
				continue
			}
			done = append(done, v)
		}
		at := withView(c, v)
		if exact {
			at.Path = p
		}
		fs := d.detectAt(at, dropFn)
		for _, f := range fs {
			f.later, f.Path = true, ""
			f.viewMask, f.viewBits = dims|viewDocOrTest|viewTest, v
			if exact {
				f.laterPath = p
			}
			out = append(out, f)
		}
	}
	return out
}

// runningAt returns a copy of the candidates of cands whose rules run at
// view v.
func (d *Detector) runningAt(cands []candidate, v pathView) []candidate {
	out := make([]candidate, 0, len(cands))
	for _, cd := range cands {
		if d.runsAt(cd.rule, v) {
			out = append(out, cd)
		}
	}
	return out
}

// runsAt reports whether rule ri runs at view v (a rule without keywords
// runs over every chunk, skip_test_files or not: judgePaths drops its
// findings in tests and documentation).
func (d *Detector) runsAt(ri int, v pathView) bool {
	if g := d.ruleGroup[ri]; g >= 0 && v&groupBit(g) == 0 {
		return false
	}
	return !d.rules[ri].SkipTestFiles || v&viewDocOrTest == 0 || len(d.rules[ri].Keywords) == 0
}

// vectorLikeCands counts the values of cands that dropTestVectors counts.
func (d *Detector) vectorLikeCands(cands []candidate) int {
	n := 0
	for i := range cands {
		if d.vectorLike(cands[i].rule, cands[i].secret) {
			n++
		}
	}
	return n
}

// withView returns c with view v.
func withView(c Chunk, v pathView) Chunk {
	c.view = v
	return c
}

// anyVectorLike reports whether fs holds a value that dropTestVectors
// counts.
func (d *Detector) anyVectorLike(fs []Finding) bool {
	for i := range fs {
		if ri, ok := d.byID[fs[i].RuleID]; ok && d.vectorLike(ri, []byte(fs[i].Secret)) {
			return true
		}
	}
	return false
}

// gathered is what detection finds in a chunk before it settles them:
// the candidates of the rules that run at the chunk's view, in its text
// (cands) and in decoded text (dec).
type gathered struct {
	cands, dec []candidate
	// dims are the view bits that decide whether the rules of cands and
	// dec run (viewDims); decDims those of every candidate found in
	// decoded text, nested decodings included.
	dims, decDims pathView
}

// gather finds the candidates of every rule that runs at c's view.
func (d *Detector) gather(c Chunk, dropFn func(Drop)) gathered {
	var g gathered
	sc := d.getScratch()
	g.cands = d.candidates(c, c.Data, sc, dropFn)
	if len(sc.decodeHits) > 0 {
		g.dec = d.decodedCandidates(c, sc.decodeHits, g.cands, 1, &g.decDims)
	}
	d.putScratch(sc)
	g.dims = d.viewDims(g.cands) | g.decDims
	return g
}

// detectAt detects in a text chunk at its view.
func (d *Detector) detectAt(c Chunk, dropFn func(Drop)) []Finding {
	g := d.gather(c, dropFn)
	return d.settle(c, g.cands, g.dec, dropFn, false)
}

// settle turns a chunk's candidates into findings at its view: decoded
// candidates supersede the text they decode, requirements and overlaps are
// settled, test vectors dropped in test files, inline markers honoured.
// cands may be reordered and overwritten. With fresh, findings get
// attribute maps of their own (candidates settled more than once share
// theirs).
func (d *Detector) settle(c Chunk, cands, dec []candidate, dropFn func(Drop), fresh bool) []Finding {
	data := c.Data
	if len(dec) > 0 {
		cands = append(supersede(cands, dec), dec...)
	}
	if len(cands) == 0 {
		return nil
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if a.start != b.start {
			return cmp.Compare(a.start, b.start)
		}
		return cmp.Compare(a.rule, b.rule)
	})
	lc := lineCounter{c: c}
	for i := range cands {
		cands[i].line, cands[i].col = lc.position(cands[i].start)
	}
	// Requirements are settled before overlaps: a value that a rule with a
	// requirement (an AWS secret next to its key ID) would claim, but may
	// not, stays with the rule that saw it too.
	cands = d.resolveRequires(cands, func(cd candidate) {
		if dropFn != nil {
			r := d.rules[cd.rule]
			dropFn(c.drop(r.ID, cd.line, cd.secret, "requires "+r.Requires+" nearby"))
		}
	})
	cands = d.dedupSpans(cands)
	cands = d.dropTestVectors(cands, c.kindBits()&viewTest != 0, func(cd candidate) {
		if dropFn != nil {
			dropFn(c.drop(d.rules[cd.rule].ID, cd.line, cd.secret, "test vectors: one of many hex values a generic rule saw in a test file"))
		}
	})
	findings := make([]Finding, 0, len(cands))
	for _, cd := range cands {
		r := d.rules[cd.rule]
		line, col := cd.line, cd.col
		if marker := inlineAllow(lineBytes(data, cd.start)); marker != "" {
			if dropFn != nil {
				dropFn(c.drop(r.ID, line, cd.secret, "inline marker "+marker))
			}
			continue
		}
		f := newFinding(r.ID, r.Description, r.Severity, r.Remediation, c, line, col, string(cd.secret))
		f.Attributes, f.offset = cd.attrs, cd.start
		if fresh {
			f.Attributes = maps.Clone(cd.attrs)
		}
		if cd.decoding != "" {
			setAttr(&f, "decoding", cd.decoding)
		}
		f.Fingerprint = Fingerprint(f.RuleID, f.Secret)
		if len(cd.identity) > 0 {
			f.Fingerprint = Fingerprint(f.RuleID, f.Secret+"\n"+string(cd.identity))
		}
		findings = append(findings, f)
	}
	d.pair(findings)
	linkCompanions(c, findings)
	return findings
}

func (d *Detector) getScratch() *scratch { return d.scratchMu.Get().(*scratch) }

func (d *Detector) putScratch(sc *scratch) {
	for _, r := range sc.touched {
		sc.hits[r] = sc.hits[r][:0]
	}
	sc.touched = sc.touched[:0]
	sc.decodeHits = sc.decodeHits[:0]
	d.scratchMu.Put(sc)
}

// candidates runs the keyword automaton over data once, then each hit
// rule's regex in windows around its hits, then validators. Offsets are in
// data. Decoder trigger hits are left in sc.decodeHits.
func (d *Detector) candidates(c Chunk, data []byte, sc *scratch, dropFn func(Drop)) []candidate {
	nrules := int32(len(d.rules))
	sc.remember = c.Kind == KindBlob
	onHit := func(kw, end int) {
		start := end - len(d.auto.Keywords()[kw])
		if d.uniform[kw] && start > 0 && lower(data[start-1]) == lower(data[start]) {
			return // inside a run of the keyword's byte: the run's first hit stands for it
		}
		for _, r := range d.kwRules[kw] {
			if r >= nrules {
				sc.decodeHits = append(sc.decodeHits, decodeHit{decoder: int(r - nrules), at: end, kw: kw})
				continue
			}
			if len(sc.hits[r]) == 0 {
				sc.touched = append(sc.touched, int(r))
			}
			sc.hits[r] = append(sc.hits[r], int32(start))
		}
	}
	if c.HitsKnown {
		for _, h := range c.Hits {
			onHit(int(h.Keyword), int(h.End))
		}
	} else {
		d.auto.Scan(data, onHit)
	}
	var cands []candidate
	// A match is met once per keyword hit whose window holds it: the
	// candidates are merged later (settle), a drop is told once.
	type dropKey struct{ rule, start, end int }
	var told map[dropKey]bool
	runMatch := func(ri int, ws, we int, m []int) {
		r := d.rules[ri]
		g := 2 * r.SecretGroupIn(m)
		if m[g] < 0 {
			return
		}
		if ws+m[1] == we && we < len(data) && data[we] != '\n' {
			// The match runs into a window clamped inside a long line (a
			// 1,000-character session token): match again over the whole
			// line from the match's start, up to maxLongMatch.
			ms := ws + m[0]
			end := min(len(data), ms+maxLongMatch)
			if i := bytes.IndexByte(data[we:end], '\n'); i >= 0 {
				end = we + i
			}
			if x := r.Finder().FindSubmatchIndex(data[ms:end]); x != nil && 2*r.SecretGroupIn(x) == g && ms+x[g] == ws+m[g] {
				ws, m = ms, x
			}
		}
		s, e := ws+m[g], ws+m[g+1]
		if s == e {
			return
		}
		if dropFn == nil && r.Generic && !d.partner[ri] && d.runsEverywhere(ri) && len(sc.decodeHits) == 0 && !isHex(data[s:e]) && d.heldBetter(cands, ri, s, e) {
			// dedupSpans would drop it for the better candidate that
			// holds its span: its validators need not run (they were half
			// the CPU of the generic rules on a history full of provider
			// examples).
			return
		}
		cand := patterns.Candidate{Secret: data[s:e], Match: data[ws+m[0] : ws+m[1]], Line: lineBytes(data, s), Text: data, At: s}
		if ng := r.NameGroup(); ng > 0 && m[2*ng] >= 0 {
			cand.Name, cand.NameAt = data[ws+m[2*ng]:ws+m[2*ng+1]], m[2*ng]-m[0]
		}
		reason := sc.judge(d, ri, r, &cand, c.Path)
		if reason == "" && r.SkipTestFiles && commentLine(cand.Line) {
			reason = "an example in a comment (skip_test_files)"
		}
		if reason == "" && r.SkipTestFiles && inTestCode(data, s) {
			reason = "inside a test's code, kept as data (skip_test_files)"
		}
		if reason != "" {
			if k := (dropKey{ri, s, e}); dropFn != nil && !told[k] {
				if told == nil {
					told = map[dropKey]bool{}
				}
				told[k] = true
				dropFn(c.drop(r.ID, lineAt(Chunk{Data: data, Lines: c.Lines, StartLine: c.StartLine}, s), data[s:e], reason))
			}
			return
		}
		cd := candidate{rule: ri, start: s, end: e, secret: data[s:e], attrs: cand.Attributes}
		if ig := r.IdentityGroup(); ig > 0 && m[2*ig] >= 0 {
			cd.identity = data[ws+m[2*ig] : ws+m[2*ig+1]]
		}
		cands = append(cands, cd)
	}
	run := func(ri int, ws, we int) {
		d.windowMatches(sc, ri, data, ws, we, func(m []int) { runMatch(ri, ws, we, m) })
	}
	slices.Sort(sc.touched)
	// Rules that require another run second, and only at hits near one of
	// its candidates: a secret found there without one within its context
	// lines would be dropped by resolveRequires anyway, and their keywords
	// can be common (asia in every time-zone table).
	for pass := 0; pass < 2; pass++ {
		for _, ri := range sc.touched {
			if (d.rules[ri].Requires != "") != (pass == 1) {
				continue
			}
			d.runRule(c, data, ri, sc, &cands, run, runMatch)
		}
	}
	for _, ri := range d.always {
		if !d.pathOK(ri, &c) {
			continue
		}
		run(ri, 0, len(data))
	}
	return cands
}

// windowMatches calls match with each match of rule ri's regex in the
// window data[ws:we], in order, its indexes relative to ws; match must not
// keep m. A rule with break bytes (patterns.Breaks) runs over the
// window's pieces that may hold a match, each with the break either side
// as context, rather than over the whole window: the same matches, for a
// fraction of the bytes on minified code.
func (d *Detector) windowMatches(sc *scratch, ri int, data []byte, ws, we int, match func(m []int)) {
	if !d.mayMatch(ri, data[ws:we]) {
		return
	}
	r := d.rules[ri]
	re := r.Finder()
	br := r.Breaks()
	if br == nil || we-ws < minSplit {
		if ss := r.Starts(); ss != nil && we-ws >= minSplit && startMatches(sc, r, ss, data[ws:we], match) {
			return
		}
		for _, m := range sc.find(re, ri, false, data[ws:we]) {
			match(m)
		}
		return
	}
	d.pieces(ri, br, data, ws, we, func(s, e int) {
		for _, m := range sc.find(re, ri, false, data[s:e]) {
			sc.shifted = shiftMatch(sc.shifted[:0], m, s-ws)
			match(sc.shifted)
		}
	})
}

// maxStartDensity bounds the places a window is tried at (startMatches):
// past one in this many bytes, running the regex over the window is
// cheaper than the attempts.
const maxStartDensity = 32

// maxStartReads bounds the bytes startMatches' attempts may read, in
// windows: an attempt reads on to where the match must end or to the
// window's end, so a rule without a bound (new relic…[^\n]*\n… on a long
// line) that starts at many places in a window reads it once for each;
// the regex over the whole window reads it once, keeping its threads
// side by side.
const maxStartReads = 4

// startMatches calls match with each match of rule r's regex in the
// window w, as windowMatches does, by trying the regex only where one of
// the strings every match starts with stands (patterns.Rule.Starts), once
// at each, from the left, past the end of the last match: the matches
// the regex finds over the whole window, which tries every byte. An
// attempt reads no further than the longest match can reach (and the
// widest rune after it, for \b and $), which lets Go's backtracker take it. It
// reports false, having called nothing, when the window holds too many
// such places to be worth it, or the attempts would read more than
// maxStartReads windows.
func startMatches(sc *scratch, r *patterns.Rule, ss [][]byte, w []byte, match func(m []int)) bool {
	at := sc.starts[:0]
	for _, s := range ss {
		for i := 0; ; {
			j := bytes.Index(w[i:], s)
			if j < 0 {
				break
			}
			at = append(at, i+j)
			i += j + 1
		}
	}
	sc.starts = at
	if len(at) > len(w)/maxStartDensity {
		return false
	}
	slices.Sort(at)
	atStart, afterByte, most := r.StartFinders()
	// reach is how far past a place an attempt reads: the longest match,
	// the byte before it and the widest rune after it.
	reach := len(w)
	if most >= 0 {
		reach = most + 1 + utf8.UTFMax
	}
	reads, last := 0, -1
	for _, c := range at {
		if c != last {
			reads += min(reach, len(w)-c)
			last = c
		}
	}
	if reads > maxStartReads*len(w) {
		return false
	}
	pos := 0
	for _, c := range at {
		if c < pos {
			continue // inside the last match, or a place tried already
		}
		pos = c + 1
		if c == 0 {
			if m := atStart.FindSubmatchIndex(w[:min(reach, len(w))]); m != nil {
				match(m)
				pos = max(pos, m[1])
			}
			continue
		}
		// afterByte consumes the byte before c, so its match is the
		// regex's at c, read with that byte before it.
		m := afterByte.FindSubmatchIndex(w[c-1 : min(c-1+reach, len(w))])
		if m == nil {
			continue
		}
		sc.shifted = shiftMatch(sc.shifted[:0], m, c-1)
		sc.shifted[0] = c
		match(sc.shifted)
		pos = max(pos, sc.shifted[1])
	}
	return true
}

// minSplit is the shortest window split at its rule's breaks: in a
// shorter one the regex costs about what finding the pieces does.
const minSplit = 128

// joinGap is how far apart two pieces that may hold a match are run as
// one range rather than two: a regex run's fixed cost is a few hundred
// bytes' worth of matching.
const joinGap = 64

// pieces calls run with the ranges of data[ws:we] rule ri's regex must run
// over to find every match the whole window holds: the pieces between
// break bytes that are long enough and hold what every match holds, each
// with the break before and after it (the window's edge at its ends), in
// order. A range may span several pieces and the breaks between them.
func (d *Detector) pieces(ri int, br *patterns.Breaks, data []byte, ws, we int, run func(s, e int)) {
	rs, re := -1, -1
	for i := ws; i < we; {
		for i < we && br.Set[data[i]] {
			i++
		}
		a := i
		for i < we && !br.Set[data[i]] {
			i++
		}
		if i-a < br.MinLen || !d.mayMatch(ri, data[a:i]) {
			continue
		}
		s, e := max(a-1, ws), min(i+1, we)
		if rs >= 0 && s-re < joinGap {
			re = e
			continue
		}
		if rs >= 0 {
			run(rs, re)
		}
		rs, re = s, e
	}
	if rs >= 0 {
		run(rs, re)
	}
}

// shiftMatch appends to dst the submatch indexes of m moved by off
// (unmatched groups stay -1).
func shiftMatch(dst, m []int, off int) []int {
	for _, x := range m {
		if x >= 0 {
			x += off
		}
		dst = append(dst, x)
	}
	return dst
}

// runRule runs rule ri's regex at or around its keyword hits in data.
func (d *Detector) runRule(c Chunk, data []byte, ri int, sc *scratch, cands *[]candidate, run func(ri, ws, we int), runMatch func(ri, ws, we int, m []int)) {
	r := d.rules[ri]
	if !d.pathOK(ri, &c) {
		return
	}
	if r.SkipTestFiles && c.kindBits()&viewDocOrTest != 0 {
		return
	}
	hits := sc.hits[ri]
	// (sort.Slice's reflected swaps cost 5% of a secret-dense history's
	// rule runs.)
	slices.Sort(hits)
	if r.Requires != "" {
		hits = d.nearRequired(data, ri, hits, *cands)
	}
	if r.Anchored() {
		// One anchored attempt per hit: the regex starts at the keyword.
		// It is compiled at the first hit that may match.
		var re patterns.Matcher
		last := -1
		for _, h := range hits {
			if int(h) == last {
				continue
			}
			last = int(h)
			s, e := anchorSpan(data, int(h))
			if !d.mayMatch(ri, data[s:e]) {
				continue
			}
			if re == nil {
				re = d.anchored[ri].get()
			}
			for _, m := range sc.find(re, ri, true, data[s:e]) {
				runMatch(ri, s, e, m)
			}
		}
		return
	}
	if re := d.anchored[ri].lineRegex(); re != nil {
		// One anchored attempt per line holding hits.
		last := -1
		for _, h := range hits {
			s, e := window(data, int(h), 0)
			if s == last {
				continue
			}
			last = s
			if !d.mayMatch(ri, data[s:e]) {
				continue
			}
			for _, m := range sc.find(re, ri, true, data[s:e]) {
				runMatch(ri, s, e, m)
			}
		}
		return
	}
	ws, we := -1, -1
	for _, h := range hits {
		s, e := window(data, int(h), r.ContextLines)
		if ws >= 0 && s <= we && we-ws < maxWindow {
			if e > we {
				we = e
			}
			continue
		}
		if ws >= 0 {
			run(ri, ws, we)
		}
		ws, we = s, e
	}
	if ws >= 0 {
		run(ri, ws, we)
	}
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// mayMatch reports whether rule ri's regex can match in w: false when w
// lacks a string every match contains (checkout-com-secret-key's "sk_" on
// the thousands of lines of a shop that say checkout) or one in any case
// (generic-name-value-secret's "value"), or a run of bytes
// every match holds (the 32 hex digits of a provider's key, on a line
// that only names the provider).
func (d *Detector) mayMatch(ri int, w []byte) bool {
	if req := d.required[ri]; req != nil && !bytes.Contains(w, req) {
		return false
	}
	if f := d.folds[ri]; f != nil && !patterns.ContainsFold(w, f) {
		return false
	}
	return d.rules[ri].RequiredRun().In(w)
}

// nearRequired keeps the hits of rule ri within twice its context lines of
// a candidate of the rule it requires (a secret in a hit's window is within
// the context lines of the hit; a required candidate must be within the
// context lines of the secret).
func (d *Detector) nearRequired(data []byte, ri int, hits []int32, cands []candidate) []int32 {
	req := d.requires[ri]
	if req < 0 {
		return nil
	}
	var at []int
	for i := range cands {
		if cands[i].rule == req {
			at = append(at, cands[i].start)
		}
	}
	if len(at) == 0 {
		return nil
	}
	out := hits[:0:0]
	for _, h := range hits {
		s, e := window(data, int(h), 2*d.rules[ri].ContextLines)
		for _, a := range at {
			if a >= s && a < e {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// judge runs entropy, validators and allow lists over one candidate and
// returns why it is dropped, or "".
func (d *Detector) judge(r *patterns.Rule, cand *patterns.Candidate, path string) string {
	if r.MaxLength > 0 && len(cand.Secret) > r.MaxLength {
		return "longer than the rule's max_length"
	}
	if r.Entropy > 0 {
		if h := patterns.Entropy(cand.Secret); h < r.Entropy {
			return "entropy below floor"
		}
	}
	// The built-in allow list is asked before the validators, whose
	// verdict it does not read (only whether one of them settles what a
	// placeholder is, which is the validator's, not its verdict's): most
	// candidates pass the validators, and on a secret-dense history half
	// of them were then allowed as placeholders, after 7 µs of validators
	// each. (A candidate both would refuse is reported with the allow
	// list's reason.)
	notPlaceholder := false
	for _, v := range r.Validators {
		notPlaceholder = notPlaceholder || v.SettlesPlaceholder()
	}
	if reason := builtinAllowAfter(cand.Secret, notPlaceholder); reason != "" {
		return "built-in allow list: " + reason
	}
	for _, v := range r.Validators {
		if ok, reason := v.Check(cand); !ok {
			return reason
		}
	}
	if reason := decodedPlaceholder(cand, r); reason != "" {
		return "decoded: " + reason
	}
	if d.allow != nil {
		if reason := d.allow.allows(r.ID, cand.Secret, cand.Line); reason != "" {
			return "config allow list: " + reason
		}
	}
	return ""
}

// anchoredRegex is a rule's regex anchored at a keyword hit. Whether the
// rule can be anchored, and the anchored regex, are worked out on the
// rule's first keyword hit, so a hook run pays only for the rules its diff
// touches.
type anchoredRegex struct {
	rule *patterns.Rule
}

// get returns what runs the rule anchored at a keyword hit, or nil.
func (a *anchoredRegex) get() patterns.Matcher { return a.rule.AnchoredMatcher() }

// lineRegex returns the rule's one-line form (patterns.Rule.LineFinder),
// or nil.
func (a *anchoredRegex) lineRegex() *patterns.Finder { return a.rule.LineFinder() }

// anchorSpan is the input of an anchored attempt at keyword hit h: from the
// byte before it to the end of its line, bounded by windowReach.
func anchorSpan(data []byte, h int) (int, int) {
	s := h - 1
	if s < 0 {
		s = 0
	}
	hi := h + windowReach
	if hi > len(data) {
		hi = len(data)
	}
	if i := bytes.IndexByte(data[h:hi], '\n'); i >= 0 {
		return s, h + i
	}
	if hi < len(data) {
		return s, prevSeparator(data, h, hi)
	}
	return s, hi
}

// supersede drops plain candidates whose span holds the encoded text of a
// decoded one: `KEY: <base64>` is one credential, reported decoded by its
// specific rule, not also as an opaque generic secret.
func supersede(plain, decoded []candidate) []candidate {
	out := plain[:0]
	for _, p := range plain {
		covered := false
		for _, dc := range decoded {
			if dc.start >= p.start && dc.start < p.end {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// dedupSpans keeps one candidate per secret. When several rules match the
// same bytes, the most specific wins: the rule whose secret starts with the
// longer literal prefix (a recaptcha key's "6L" beats a bare 40-character
// AWS secret), then the earlier rule in the catalogue. Where matches merely
// overlap, rules of different standing settle it: a built-in provider rule
// beats a custom (configured or imported) rule, which beats a generic one,
// so a value a specific rule claims is reported by it whichever generic rule
// saw it, and a token is not reported twice because a custom and a generic
// rule both cover it. Overlapping matches of equal standing are both kept.
func (d *Detector) dedupSpans(cands []candidate) []candidate {
	// lookBack bounds how many earlier candidates one is compared with:
	// overlapping matches start close together.
	const lookBack = 64
	out := make([]candidate, 0, len(cands))
	dead := make([]bool, 0, len(cands))
	for _, c := range cands {
		drop := false
		for j := len(out) - 1; j >= 0 && j >= len(out)-lookBack; j-- {
			o := out[j]
			if dead[j] || o.end <= c.start || o.start >= c.end {
				continue
			}
			same := o.start == c.start && o.end == c.end
			if !same && d.standing(o.rule) == d.standing(c.rule) {
				continue
			}
			if d.better(c, o) {
				dead[j] = true
			} else {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, c)
			dead = append(dead, false)
		}
	}
	kept := out[:0]
	for i, c := range out {
		if !dead[i] {
			kept = append(kept, c)
		}
	}
	return kept
}

// heldBetter reports whether cands holds a candidate that settle would keep
// over generic rule ri's candidate data[s:e]: one of a built-in provider
// rule that overlaps it, or one of another generic rule on the very same
// span that wins the tie (dedupSpans keeps, of overlapping candidates,
// the higher standing, and of two of the same standing only on the same
// span, the better). Neither can be dropped before dedupSpans: the
// holder's rule has no requirement (resolveRequires drops only those) and
// runs at every path (a chunk whose path comes later is settled once per
// kind of path, with only the rules that run there), and the caller rules
// out a chunk that decodes (supersede), a hex value (a generic rule's hex
// values are counted, before dedupSpans, to tell test vectors), a rule
// another requires nearby, and one that runs at some paths only (its
// candidates decide which kinds of path a later path's chunk is settled
// for).
func (d *Detector) heldBetter(cands []candidate, ri, s, e int) bool {
	// (The latest candidates only, so that a chunk of thousands costs no
	// more than a judgement: missing one there only judges in vain.)
	for i := len(cands) - 1; i >= max(0, len(cands)-256); i-- {
		o := &cands[i]
		if o.start >= e || s >= o.end || d.rules[o.rule].Requires != "" || !d.runsEverywhere(o.rule) {
			continue
		}
		switch d.standing(o.rule) {
		case 2:
			return true
		case 0:
			if o.start == s && o.end == e && d.better(*o, candidate{rule: ri, start: s, end: e}) {
				return true
			}
		}
	}
	return false
}

// runsEverywhere reports whether rule ri runs at every path: no path
// pattern, and not left out of tests and documentation (runsAt).
func (d *Detector) runsEverywhere(ri int) bool {
	r := d.rules[ri]
	return d.ruleGroup[ri] < 0 && !(r.SkipTestFiles && len(r.Keywords) > 0)
}

// standing ranks rules for overlapping matches: built-in provider rules 2,
// custom rules 1, generic rules 0.
func (d *Detector) standing(rule int) int {
	r := d.rules[rule]
	switch {
	case r.Generic:
		return 0
	case r.Custom:
		return 1
	}
	return 2
}

// better reports whether candidate c should be reported instead of o.
func (d *Detector) better(c, o candidate) bool {
	if sc, so := d.standing(c.rule), d.standing(o.rule); sc != so {
		return sc > so
	}
	if sc, so := d.rules[c.rule].SecretPrefixLen(), d.rules[o.rule].SecretPrefixLen(); sc != so {
		return sc > so
	}
	return c.rule < o.rule
}

// resolveRequires drops candidates whose rule requires another rule's
// candidate within its context lines, when there is none.
func (d *Detector) resolveRequires(cs []candidate, dropped func(candidate)) []candidate {
	need := false
	for i := range cs {
		if d.rules[cs[i].rule].Requires != "" {
			need = true
			break
		}
	}
	if !need {
		return cs
	}
	out := make([]candidate, 0, len(cs))
	for i := range cs {
		r := d.rules[cs[i].rule]
		if r.Requires == "" {
			out = append(out, cs[i])
			continue
		}
		ok := false
		for j := range cs {
			if d.rules[cs[j].rule].ID == r.Requires && abs(cs[j].line-cs[i].line) <= r.ContextLines {
				ok = true
				break
			}
		}
		if ok {
			out = append(out, cs[i])
		} else {
			dropped(cs[i])
		}
	}
	return out
}

// pair links AWS key IDs with secret keys close to them: both are raised to
// the higher severity and each names the other's fingerprint in
// attributes.pair, so writers can show them as one credential.
func (d *Detector) pair(fs []Finding) {
	for i := range fs {
		if fs[i].RuleID != "aws-access-key-id" {
			continue
		}
		best := -1
		for j := range fs {
			if fs[j].RuleID != "aws-secret-access-key" && fs[j].RuleID != "aws-secret-access-key-paired" {
				continue
			}
			if _, taken := fs[j].Attributes["pair"]; taken {
				continue
			}
			if dist := abs(fs[j].Line - fs[i].Line); dist <= pairLines && (best < 0 || dist < abs(fs[best].Line-fs[i].Line)) {
				best = j
			}
		}
		if best < 0 {
			continue
		}
		sev := fs[i].Severity
		if fs[best].Severity > sev {
			sev = fs[best].Severity
		}
		fs[i].Severity, fs[best].Severity = sev, sev
		setAttr(&fs[i], "pair", fs[best].Fingerprint)
		setAttr(&fs[best], "pair", fs[i].Fingerprint)
	}
	d.linkSessions(fs)
}

// linkSessions links a temporary key ID (ASIA…) with the session token
// nearest to it, within pairLines: the key ID and its paired secret name
// the token's fingerprint in attributes.session_token, the token names
// theirs in attributes.session_key_id and attributes.session_secret, and the
// token is raised to the pair's severity. The three are one credential:
// verification needs all of them.
func (d *Detector) linkSessions(fs []Finding) {
	for i := range fs {
		if fs[i].RuleID != "aws-access-key-id" || !strings.HasPrefix(fs[i].Secret, "ASIA") {
			continue
		}
		best := -1
		for j := range fs {
			if fs[j].RuleID != "aws-session-token" {
				continue
			}
			if _, taken := fs[j].Attributes["session_key_id"]; taken {
				continue
			}
			if dist := abs(fs[j].Line - fs[i].Line); dist <= pairLines && (best < 0 || dist < abs(fs[best].Line-fs[i].Line)) {
				best = j
			}
		}
		if best < 0 {
			continue
		}
		tok := fs[best].Fingerprint
		setAttr(&fs[i], "session_token", tok)
		setAttr(&fs[best], "session_key_id", fs[i].Fingerprint)
		sev := fs[i].Severity
		if pair := fs[i].Attributes["pair"]; pair != "" {
			for j := range fs {
				if fs[j].Fingerprint == pair && fs[j].Attributes["pair"] == fs[i].Fingerprint {
					setAttr(&fs[j], "session_token", tok)
					setAttr(&fs[best], "session_secret", fs[j].Fingerprint)
					break
				}
			}
		}
		if sev > fs[best].Severity {
			fs[best].Severity = sev
		}
	}
}

func setAttr(f *Finding, k, v string) {
	m := make(map[string]string, len(f.Attributes)+1)
	for a, b := range f.Attributes {
		m[a] = b
	}
	m[k] = v
	f.Attributes = m
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// window returns the byte range a rule's regex examines around a keyword hit
// at offset h: the hit's line (plus context lines either side), bounded by
// windowReach per line so minified files stay cheap. A clamped edge is moved
// to a separator so the regex never starts or ends inside a token.
func window(data []byte, h, contextLines int) (int, int) {
	reach := windowReach * (1 + contextLines)
	lo := h - backReach*(1+4*contextLines)
	if lo < 0 {
		lo = 0
	}
	if contextLines > 0 && bytes.IndexByte(data[lo:min(h+reach, len(data))], '\n') < 0 {
		// No other line within reach (a minified file): the context lines'
		// extra reach would only widen a window on the hit's own line,
		// past what Go's backtracker takes, for every hit.
		return window(data, h, 0)
	}
	s := h
	for n := 0; ; n++ {
		i := bytes.LastIndexByte(data[lo:s], '\n')
		if i < 0 {
			s = lo
			if lo > 0 {
				s = nextSeparator(data, lo, h)
			}
			break
		}
		s = lo + i
		if n == contextLines {
			s++
			break
		}
	}
	hi := h + reach
	if hi > len(data) {
		hi = len(data)
	}
	e := h
	for n := 0; ; n++ {
		i := bytes.IndexByte(data[e:hi], '\n')
		if i < 0 {
			e = hi
			if hi < len(data) {
				e = prevSeparator(data, h, hi)
			}
			break
		}
		e += i
		if n == contextLines {
			break
		}
		e++
	}
	return s, e
}

func isSeparator(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', '"', '\'', '`', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>':
		return true
	}
	return false
}

func nextSeparator(data []byte, from, limit int) int {
	for i := from; i < limit; i++ {
		if isSeparator(data[i]) {
			return i
		}
	}
	return limit
}

// prevSeparator returns where a window clamped at from inside a long line
// should end: after the last separator past limit, so that the regex does
// not see the first part of a token as a whole one. A token of longTokenCut
// bytes or more that runs past from is kept, clamped: cutting it would hide
// it entirely (a 2,400-character hex private key after its name), and a
// match that reaches the clamp is matched again over the whole line
// (maxLongMatch).
func prevSeparator(data []byte, limit, from int) int {
	for i := from - 1; i > limit; i-- {
		if isSeparator(data[i]) {
			if from-(i+1) >= longTokenCut {
				return from
			}
			return i + 1
		}
	}
	return from
}

// lineBytes returns the line holding offset off, bounded to windowReach either side.
func lineBytes(data []byte, off int) []byte {
	lo := off - windowReach
	if lo < 0 {
		lo = 0
	}
	s := lo
	if i := bytes.LastIndexByte(data[lo:off], '\n'); i >= 0 {
		s = lo + i + 1
	}
	hi := off + windowReach
	if hi > len(data) {
		hi = len(data)
	}
	e := hi
	if i := bytes.IndexByte(data[off:hi], '\n'); i >= 0 {
		e = off + i
	}
	return data[s:e]
}

// lineCounter turns increasing byte offsets into line and column numbers
// without rescanning the chunk from the start each time.
type lineCounter struct {
	c         Chunk
	off       int // offset scanned up to
	idx       int // 0-based line index at off
	lineStart int
}

func (lc *lineCounter) position(off int) (line, col int) {
	data := lc.c.Data
	if off < lc.off {
		lc.off, lc.idx, lc.lineStart = 0, 0, 0
	}
	for {
		i := bytes.IndexByte(data[lc.off:off], '\n')
		if i < 0 {
			break
		}
		lc.idx++
		lc.off += i + 1
		lc.lineStart = lc.off
	}
	lc.off = off
	col = runeCount(data[lc.lineStart:off]) + 1
	if lc.idx == 0 {
		col += lc.c.startCol
	}
	return lineNumber(lc.c, lc.idx), col
}

func lineAt(c Chunk, off int) int {
	return lineNumber(c, bytes.Count(c.Data[:off], []byte{'\n'}))
}

func lineNumber(c Chunk, idx int) int {
	if idx < len(c.Lines) {
		return c.Lines[idx]
	}
	start := c.StartLine
	if start == 0 {
		start = 1
	}
	return start + idx
}

func runeCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// testVectorMin is how many hex values generic rules must see in one test
// file before they are read as test vectors.
const testVectorMin = 8

// judgePaths applies to findings the decisions detection makes from a
// chunk's path, for findings whose path was set after detection (history
// blobs, placed by the commit walk). A finding of a PathLater chunk is kept
// at its path only if detection at that path's view gives it
// (detectPathLater). For a finding detected at another path: skip_test_files
// rules in test files and documentation, a test file's known-answer
// vectors (testVectorMin or more hex values reported by generic rules), and
// file formats known only by their name (an SQLite file is a gcloud
// credential database only as credentials.db). A finding whose path was
// known at detection passed these already and passes again.
func (d *Detector) judgePaths(fs []Finding) []Finding {
	type group struct{ blob, path string }
	vectors := map[group]int{}
	generic := func(f *Finding) bool {
		i, ok := d.byID[f.RuleID]
		return ok && d.vectorLike(i, []byte(f.Secret))
	}
	for i := range fs {
		if !fs[i].later && generic(&fs[i]) && testPath(fs[i].Path) {
			vectors[group{fs[i].BlobID, fs[i].Path}]++
		}
	}
	fileRule := map[string]*patterns.FileRule{}
	for _, r := range d.files {
		fileRule[r.ID] = r
	}
	out := fs[:0]
	for _, f := range fs {
		if f.later && f.laterPath != "" {
			if f.Path == f.laterPath {
				out = append(out, f)
			}
			continue
		}
		if f.later {
			if d.viewUnder(f.Path, f.viewMask)&f.viewMask == f.viewBits {
				out = append(out, f)
			}
			continue
		}
		if i, ok := d.byID[f.RuleID]; ok && d.rules[i].SkipTestFiles && (testPath(f.Path) || docPath(f.Path)) {
			continue
		}
		if r := fileRule[f.RuleID]; r != nil && !r.NameOK(f.Path) {
			continue
		}
		if generic(&f) && vectors[group{f.BlobID, f.Path}] >= testVectorMin {
			continue
		}
		out = append(out, f)
	}
	return out
}

// dropTestVectors drops generic rules' hex values in a test file that holds
// many of them: a known-answer test file (HPKE's shared_secret and
// exporter_secret, ECDH's PrivateKey and SharedSecret) lists dozens, a
// configuration a handful. Provider rules, non-hex values and files outside
// tests are untouched.
func (d *Detector) dropTestVectors(cands []candidate, test bool, dropped func(candidate)) []candidate {
	if !test {
		return cands
	}
	n := 0
	for _, cd := range cands {
		if d.vectorLike(cd.rule, cd.secret) {
			n++
		}
	}
	if n < testVectorMin {
		return cands
	}
	out := cands[:0]
	for _, cd := range cands {
		if d.vectorLike(cd.rule, cd.secret) {
			dropped(cd)
			continue
		}
		out = append(out, cd)
	}
	return out
}

// vectorLike reports whether rule ri's secret could be a test vector: a
// hex value found by a generic rule (dropTestVectors, judgePaths).
func (d *Detector) vectorLike(ri int, secret []byte) bool {
	return d.rules[ri].Generic && isHex(secret)
}

// testPath reports whether path names a test file or test data
// (testdata/, tests/, *_test.go, test_*.py, vectors, KATs, and RSpec's and
// Jasmine's spec/, *_spec.rb, *.spec.ts).
func testPath(path string) bool {
	p := strings.ToLower(path)
	for _, w := range []string{"test", "vector", "/kat", "fixture", "_spec.", ".spec.", "/spec/"} {
		if strings.Contains(p, w) {
			return true
		}
	}
	// git's and Perl's test directory, and RSpec's.
	return strings.HasPrefix(p, "t/") || strings.Contains(p, "/t/") || strings.HasPrefix(p, "spec/")
}

// commentLine reports whether line is a comment: //, #, --, /* or a
// Javadoc/KDoc continuation (*) first.
func commentLine(line []byte) bool {
	l := bytes.TrimLeft(line, " \t")
	for _, p := range []string{"//", "#", "--", "/*", "*", "<!--", ";"} {
		if bytes.HasPrefix(l, []byte(p)) {
			return true
		}
	}
	return false
}

// testCodeReach bounds how far before a match inTestCode looks for a test.
const testCodeReach = 1024

// testCodeMarkers open or assert in a test in the common frameworks: JUnit's
// annotation and assertions, Rust's attribute and macro, Go's and Python's
// test functions.
var testCodeMarkers = [][]byte{
	[]byte("@Test"), []byte("assertEquals("), []byte("assertEqual("), []byte("#[test]"), []byte("assert_eq!("),
	[]byte("func Test"), []byte("def test_"),
}

// inTestCode reports a match in a test's code outside a test file: test
// code kept as data (a code-search dataset's JSON chunks of a password
// library's tests, a notebook cell), where the rules that leave test files
// alone should leave it too. The test is found by its markers in the
// testCodeReach bytes before the match.
func inTestCode(data []byte, at int) bool {
	before := data[max(0, at-testCodeReach):at]
	for _, m := range testCodeMarkers {
		if bytes.Contains(before, m) {
			return true
		}
	}
	return false
}

// docPath reports whether path is documentation (Markdown, AsciiDoc,
// reStructuredText, man pages): where a format's examples live.
func docPath(path string) bool {
	p := strings.ToLower(path)
	for _, ext := range []string{".md", ".markdown", ".adoc", ".asciidoc", ".rst", ".1", ".5", ".8"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return strings.Contains(p, "docs/") || strings.HasPrefix(p, "doc/") || strings.Contains(p, "/doc/") || strings.HasPrefix(p, "documentation/") || strings.Contains(p, "/documentation/")
}

func isHex(b []byte) bool {
	if len(b) < 16 {
		return false
	}
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
