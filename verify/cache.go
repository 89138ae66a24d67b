package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rampart-sec/rampart/scanner"
)

// CacheFileName is the file a cache keeps in its directory.
const CacheFileName = "verify-cache.json"

// DefaultCacheTTL is how long a cached answer is trusted.
const DefaultCacheTTL = 24 * time.Hour

// Cache remembers verification answers between runs, keyed by the
// credential's fingerprints (SHA-256, never the secret), holding status,
// identity and detail only. Only definite answers (valid, invalid) are kept;
// each is trusted for the TTL.
type Cache struct {
	path    string
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]cacheEntry
	dirty   bool
}

type cacheEntry struct {
	Status   scanner.VerifyStatus `json:"status"`
	Identity string               `json:"identity,omitempty"`
	Detail   string               `json:"detail,omitempty"`
	Checked  time.Time            `json:"checked"`
}

type cacheFile struct {
	Version int                   `json:"version"`
	Entries map[string]cacheEntry `json:"entries"`
}

// OpenCache opens (creating if needed) the cache in dir. Entries older than
// ttl are ignored and dropped at Save.
func OpenCache(dir string, ttl time.Duration) (*Cache, error) {
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("verify cache: %w", err)
	}
	c := &Cache{path: filepath.Join(dir, CacheFileName), ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
	data, err := os.ReadFile(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("verify cache: %w", err)
	}
	var f cacheFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 {
		return nil, fmt.Errorf("verify cache: %s is not a rampart verification cache (remove it to start afresh)", c.path)
	}
	for k, e := range f.Entries {
		c.entries[k] = e
	}
	return c, nil
}

func (c *Cache) get(key string) (scanner.Verification, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().Sub(e.Checked) > c.ttl || e.Checked.After(c.now().Add(time.Minute)) {
		return scanner.Verification{}, false
	}
	return scanner.Verification{Status: e.Status, Identity: e.Identity, Detail: e.Detail}, true
}

func (c *Cache) put(key string, v scanner.Verification) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = cacheEntry{Status: v.Status, Identity: v.Identity, Detail: v.Detail, Checked: c.now().UTC()}
	c.dirty = true
}

// Save writes the cache (owner-only permissions), dropping expired entries.
// The file is replaced atomically, so a concurrent run reads either the old
// cache or the new one.
func (c *Cache) Save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil
	}
	f := cacheFile{Version: 1, Entries: map[string]cacheEntry{}}
	for k, e := range c.entries {
		if c.now().Sub(e.Checked) <= c.ttl {
			f.Entries[k] = e
		}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".verify-cache-*")
	if err != nil {
		return fmt.Errorf("verify cache: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o600)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), c.path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("verify cache: %w", werr)
	}
	c.dirty = false
	return nil
}
