// Package orgfake is a fake GitHub for organisation-wide scans: the REST
// endpoints that list an organisation's repositories and read one
// repository (JSON shaped like GitHub's documentation, paged with Link
// headers), and a real git smart-HTTP server (`git http-backend` behind
// net/http/cgi) serving each repository's clone_url, so cloning,
// fetching, refs/pull/N/head and the token header are all real. It checks
// what it receives: private repositories answer 401 without the token in
// an Authorization header. Tests, the CLI's tests and the measurements in
// the README use it.
package orgfake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Repo is one repository of the fake.
type Repo struct {
	Owner, Name string
	Archived    bool
	Fork        bool
	// Private repositories need the token to clone.
	Private bool
	// FailGit makes every git request answer 500 (a broken repository).
	FailGit bool
	// SizeKB, if set, is the size the API reports (GitHub's "size", in KB);
	// otherwise the bare repository's size on disk.
	SizeKB int64
	// Hang makes every git request wait this long (or until the client
	// gives up) before it is served: a stuck server.
	Hang time.Duration
}

// FullName is "owner/name".
func (r *Repo) FullName() string { return r.Owner + "/" + r.Name }

// Counts are what the fake served one repository over git.
type Counts struct {
	// Requests counts git HTTP requests; Bytes the response bytes sent.
	Requests int64
	Bytes    int64
	// Unauthorized counts requests refused for a missing or wrong token.
	Unauthorized int64
}

// Server is the fake. Create it with New; it is an http.Handler.
type Server struct {
	// Token is the only token accepted (API: Bearer; git: Basic with it as
	// the password).
	Token string
	// URL is where the server is reachable (set it once listening: clone
	// URLs are built from it).
	URL string
	// PerPage bounds list pages (default 30, GitHub's default).
	PerPage int

	root     string
	backend  string
	mu       sync.Mutex
	repos    map[string]*Repo // full name → repo
	counts   map[string]*Counts
	clock    int64
	api      atomic.Int64
	gitBytes atomic.Int64
}

// New returns a fake keeping its repositories under root.
func New(root, token string) (*Server, error) {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		return nil, fmt.Errorf("orgfake: git --exec-path: %w", err)
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		return nil, fmt.Errorf("orgfake: no git-http-backend: %w", err)
	}
	return &Server{Token: token, root: root, backend: backend, repos: map[string]*Repo{}, counts: map[string]*Counts{},
		clock: 1700000000, PerPage: 30}, nil
}

// APIRequests is how many REST requests the fake answered.
func (s *Server) APIRequests() int64 { return s.api.Load() }

// Counts returns what the fake served a repository over git.
func (s *Server) Counts(fullName string) Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.counts[fullName]; c != nil {
		return *c
	}
	return Counts{}
}

// GitBytes is every byte the git endpoint sent.
func (s *Server) GitBytes() int64 { return s.gitBytes.Load() }

func (s *Server) gitDir(full string) string {
	return filepath.Join(s.root, filepath.FromSlash(full)+".git")
}

// AddRepo creates an empty bare repository.
func (s *Server) AddRepo(r *Repo) error {
	dir := s.gitDir(r.FullName())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := s.git(dir, nil, "init", "--bare", "--quiet", "--initial-branch=main"); err != nil {
		return err
	}
	// Let git http-backend serve refs it would otherwise hide.
	if err := s.git(dir, nil, "config", "http.receivepack", "false"); err != nil {
		return err
	}
	s.mu.Lock()
	s.repos[r.FullName()] = r
	s.counts[r.FullName()] = &Counts{}
	s.mu.Unlock()
	return nil
}

// Repo returns a repository by full name.
func (s *Server) Repo(full string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.repos[full]
}

// Commit adds a commit with files (path → content; "" deletes) on top of
// ref (created if absent; refs/heads/main by default), and returns its ID.
// Dates are a fake clock, one minute per commit, so runs are repeatable.
func (s *Server) Commit(full, ref string, files map[string]string, msg string) (string, error) {
	return s.Commits(full, ref, []map[string]string{files}, msg)
}

// Commits adds one commit per element of changes on top of ref, in one
// git fast-import, and returns the last commit's ID.
func (s *Server) Commits(full, ref string, changes []map[string]string, msg string) (string, error) {
	if ref == "" {
		ref = "refs/heads/main"
	}
	dir := s.gitDir(full)
	var b bytes.Buffer
	for i, files := range changes {
		s.mu.Lock()
		s.clock += 60
		when := s.clock
		s.mu.Unlock()
		m := msg
		if len(changes) > 1 {
			m = fmt.Sprintf("%s (%d)", msg, i+1)
		}
		fmt.Fprintf(&b, "commit %s\ncommitter Dev <dev@example.com> %d +0000\ndata %d\n%s\n", ref, when, len(m), m)
		if i == 0 {
			if parent, err := s.output(dir, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err == nil && parent != "" {
				fmt.Fprintf(&b, "from %s\n", parent)
			}
		}
		paths := make([]string, 0, len(files))
		for p := range files {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			if files[p] == "" {
				fmt.Fprintf(&b, "D %s\n", p)
				continue
			}
			fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", p, len(files[p]), files[p])
		}
		b.WriteString("\n")
	}
	if err := s.git(dir, &b, "fast-import", "--quiet", "--force"); err != nil {
		return "", err
	}
	return s.output(dir, "rev-parse", ref)
}

// SetRef points ref at commit (a pull request head, a force-push), or
// deletes it when commit is "".
func (s *Server) SetRef(full, ref, commit string) error {
	if commit == "" {
		return s.git(s.gitDir(full), nil, "update-ref", "-d", ref)
	}
	return s.git(s.gitDir(full), nil, "update-ref", ref, commit)
}

// Rev resolves a revision in a repository.
func (s *Server) Rev(full, rev string) (string, error) {
	return s.output(s.gitDir(full), "rev-parse", rev)
}

func (s *Server) git(dir string, stdin *bytes.Buffer, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = stdin
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("orgfake: git %s: %v: %s", args[0], err, out)
	}
	return nil
}

func (s *Server) output(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// ServeHTTP implements http.Handler: /api/v3/… is the REST API, /git/…
// the smart-HTTP git server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/git/"):
		s.serveGit(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/v3/"):
		s.api.Add(1)
		// Stricter than GitHub: the headers its REST documentation asks
		// of every call.
		if a, v := r.Header.Get("Accept"), r.Header.Get("X-GitHub-Api-Version"); a != "application/vnd.github+json" || v != "2022-11-28" {
			http.Error(w, `{"message":"fake: want Accept: application/vnd.github+json and X-GitHub-Api-Version: 2022-11-28"}`, http.StatusBadRequest)
			return
		}
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, "/api/v3"))
	default:
		http.NotFound(w, r)
	}
}

type repoJSON struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	Private       bool   `json:"private"`
	HTMLURL       string `json:"html_url"`
	CloneURL      string `json:"clone_url"`
	DefaultBranch string `json:"default_branch"`
	Archived      bool   `json:"archived"`
	Fork          bool   `json:"fork"`
	Size          int64  `json:"size"`
	Owner         struct {
		Login string `json:"login"`
		Type  string `json:"type"`
	} `json:"owner"`
}

func (s *Server) toJSON(r *Repo, id int) repoJSON {
	j := repoJSON{ID: int64(id), Name: r.Name, FullName: r.FullName(), Private: r.Private,
		HTMLURL: s.URL + "/" + r.FullName(), CloneURL: s.URL + "/git/" + r.FullName() + ".git",
		DefaultBranch: "main", Archived: r.Archived, Fork: r.Fork, Size: r.SizeKB}
	if j.Size == 0 {
		filepath.Walk(s.gitDir(r.FullName()), func(_ string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				j.Size += info.Size()
			}
			return nil
		})
		j.Size = (j.Size + 1023) / 1024
	}
	j.Owner.Login, j.Owner.Type = r.Owner, "Organization"
	return j
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	parts := strings.Split(strings.Trim(path, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(parts) == 3 && parts[0] == "orgs" && parts[2] == "repos":
		var names []string
		for full, rp := range s.repos {
			if strings.EqualFold(rp.Owner, parts[1]) {
				names = append(names, full)
			}
		}
		if len(names) == 0 {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		sort.Strings(names)
		per := s.PerPage
		if p, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && p > 0 && p <= 100 {
			per = p
		}
		page := 1
		if p, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && p > 0 {
			page = p
		}
		var items []repoJSON
		for i := (page - 1) * per; i < min(page*per, len(names)); i++ {
			items = append(items, s.toJSON(s.repos[names[i]], i+1))
		}
		if page*per < len(names) {
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(page+1))
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.URL, r.URL.Path, q.Encode()))
		}
		if items == nil {
			items = []repoJSON{}
		}
		writeJSON(w, http.StatusOK, items)
	case len(parts) == 3 && parts[0] == "repos":
		rp := s.repos[parts[1]+"/"+parts[2]]
		if rp == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		writeJSON(w, http.StatusOK, s.toJSON(rp, 1))
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// countingWriter counts the bytes of a response.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

func (s *Server) serveGit(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/git/")
	i := strings.Index(rest, ".git/")
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	full := rest[:i]
	s.mu.Lock()
	rp, c := s.repos[full], s.counts[full]
	s.mu.Unlock()
	if rp == nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	c.Requests++
	s.mu.Unlock()
	if rp.FailGit {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if rp.Hang > 0 {
		select {
		case <-time.After(rp.Hang):
		case <-r.Context().Done():
			return
		}
	}
	if rp.Private && !s.authorized(r) {
		s.mu.Lock()
		c.Unauthorized++
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	h := &cgi.Handler{
		Path: s.backend,
		Root: "/git",
		Env:  []string{"GIT_PROJECT_ROOT=" + s.root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	cw := &countingWriter{ResponseWriter: w}
	h.ServeHTTP(cw, r)
	s.gitBytes.Add(cw.n)
	s.mu.Lock()
	c.Bytes += cw.n
	s.mu.Unlock()
}

// authorized accepts Basic authentication whose password is the token.
func (s *Server) authorized(r *http.Request) bool {
	a := r.Header.Get("Authorization")
	if !strings.HasPrefix(a, "Basic ") {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "Basic "))
	if err != nil {
		return false
	}
	_, pass, ok := strings.Cut(string(b), ":")
	return ok && pass == s.Token
}
