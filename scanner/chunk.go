// Package scanner is the detection engine: it turns chunks of content into
// findings. It owns the Detector (keyword prefilter → regex → validators),
// the filters (allow lists, inline markers, baseline, dedup), the worker pool,
// and the directory and stdin sources. Git sources live in scanner/gitsource.
package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
	"unicode/utf8"

	"github.com/rampart-sec/rampart/patterns"
)

// Kind says what a chunk's content is.
type Kind string

// Chunk kinds.
const (
	KindFile          Kind = "file"
	KindDiff          Kind = "diff"
	KindBlob          Kind = "blob"
	KindCommitMessage Kind = "commit-message"
	KindStdin         Kind = "stdin"
)

// Commit is the git provenance of a chunk.
type Commit struct {
	Hash   string
	Author string
	Email  string
	Date   time.Time
}

// A Chunk is content to scan plus where it came from.
type Chunk struct {
	Data []byte
	Kind Kind
	// Path is the file's path (slash-separated, relative to the scan root) or a
	// label such as "commit message" or "stdin".
	Path   string
	Commit *Commit
	BlobID string
	// StartLine is the line number of Data's first line (1 when zero).
	StartLine int
	// Lines, when set, gives the line number in the new file of each line of
	// Data: a diff chunk holds only added lines, which are not consecutive.
	Lines []int
	// Hits, when HitsKnown is set, are every keyword hit of the detector's
	// automaton in Data, in order of end offset, found by the source more
	// cheaply than a pass over Data (history derives a delta's hits from its
	// base's); the detector then skips its own pass.
	Hits      []patterns.Hit
	HitsKnown bool
	// Binary marks the content of a binary file: no text rule reads it; the
	// detector only asks the credential-file rules (patterns.FileRule)
	// whether the file is a keystore, a PKCS#12 bundle, a password database.
	Binary bool
	// Encoding, when not UTF8, is the encoding the file was in before its
	// source decoded it to the UTF-8 in Data (TextOf); findings name it in
	// attributes.encoding. Lines and Hits refer to Data.
	Encoding Encoding
	// PathLater marks content whose path is not known yet and is decided
	// after detection, by a Resolver (a history blob read while the commit
	// walk places it; it may hold several paths). Detection then does not
	// depend on the path: Path is ignored, and each finding records the
	// kinds of path where detecting at such a path gives it (test file,
	// documentation, matching each rule's path pattern), for the paths
	// Resolve gives it to choose from.
	PathLater bool
	// LaterPaths, with PathLater, are every path the chunk will be given,
	// when its source knows them for good already (a blob whose commit the
	// walk has passed): detection then runs at those paths' views only.
	LaterPaths []string
	// view is what detection reads of Path (set by Detect).
	view pathView
	// Release, when set, is called once Data is no longer needed, so a
	// source can reuse the buffer. Findings never refer to Data. A consumer
	// must call it: the windows of a large file wait for their buffers.
	Release func()

	// order, when set, is the chunk's place in its source's order, for a
	// ParallelSource whose findings must come out in that order whichever
	// goroutine read the chunk (a folder, in walk order).
	order int

	// A file too large to read whole comes in overlapping windows
	// (streamWindows). part numbers the windows of one file, in order;
	// startCol is the column, in runes, at which Data's first line starts
	// (a window cut in the middle of a line); counted is how many bytes at
	// Data's start the previous window already held. A window reports only
	// the findings whose secret starts in [ownFrom, ownTo) (ownTo 0: to the
	// end): each half of an overlap belongs to the window that sees the
	// other half as context.
	part, startCol, counted int
	ownFrom, ownTo          int
}

// A Source yields chunks of content to scan. Implementations: DirSource,
// ReaderSource, and the git sources in scanner/gitsource.
type Source interface {
	Chunks(ctx context.Context, yield func(Chunk) error) error
}

// Finding is one detected credential.
type Finding struct {
	RuleID      string
	Description string
	Severity    patterns.Severity
	Remediation string
	Kind        Kind
	Path        string
	Line        int
	Column      int
	Commit      *Commit
	BlobID      string
	// Secret is the plaintext credential. Writers redact it unless the user
	// asked for --show-secrets; it is never logged.
	Secret      string
	Fingerprint string
	Attributes  map[string]string
	// Verification is what live verification (package verify) learned about
	// the secret; nil when the scan did not verify.
	Verification *Verification

	// offset is the byte offset of the secret within its chunk; seq orders
	// findings by the chunk they came from.
	offset int
	seq    int
	// part is the window of its file the finding came from (Chunk.part).
	part int
	// later marks a finding of a PathLater chunk: it holds at the paths
	// whose view v has v&viewMask == viewBits (Detector.detectPathLater).
	later              bool
	viewMask, viewBits pathView
	// laterPath, when set, is the one path a finding of a PathLater chunk
	// holds at (a detector with more path patterns than a view records).
	laterPath string
}

// Fingerprint returns the stable identity of a secret found by a rule: hex
// SHA-256 of rule ID, NUL, secret. Baselines store this, never the secret.
func Fingerprint(ruleID, secret string) string {
	h := sha256.New()
	h.Write([]byte(ruleID))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// Redact shows the start of a secret and hides the rest: the first four
// characters for a long secret, fewer for a short one, then "…".
func Redact(secret string) string {
	n := 4
	if l := utf8.RuneCountInString(secret); l < 16 {
		n = l / 4
	}
	i := 0
	for k := 0; k < n && i < len(secret); k++ {
		_, size := utf8.DecodeRuneInString(secret[i:])
		i += size
	}
	return secret[:i] + "…"
}

// Display returns the secret as writers should show it: redacted unless show is set.
func (f *Finding) Display(show bool) string {
	if show {
		return f.Secret
	}
	return Redact(f.Secret)
}
