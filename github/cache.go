package github

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// DiskCache is a Cache of one JSON file per entry under a directory, written
// atomically (temporary file, then rename) so concurrent workers and
// concurrent runs never see half an entry.
type DiskCache struct {
	dir string
}

var _ Cache = (*DiskCache)(nil)

// NewDiskCache returns a cache under dir, creating it (mode 0700: entries
// hold API responses) if needed.
func NewDiskCache(dir string) (*DiskCache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("github: create cache directory: %w", err)
	}
	return &DiskCache{dir: dir}, nil
}

// DefaultCacheDir is rampart's ETag cache under os.UserCacheDir().
func DefaultCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("github: no user cache directory: %w", err)
	}
	return filepath.Join(base, "rampart", "github-etags"), nil
}

func (c *DiskCache) path(key string) string {
	if len(key) < 3 {
		return filepath.Join(c.dir, "_", key+".json")
	}
	return filepath.Join(c.dir, key[:2], key+".json")
}

// Get implements Cache. An unreadable or corrupt entry is a miss.
func (c *DiskCache) Get(key string) (*CacheEntry, bool) {
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return nil, false
	}
	var e CacheEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, false
	}
	return &e, true
}

// Put implements Cache.
func (c *DiskCache) Put(key string, e *CacheEntry) error {
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("github: cache: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("github: cache: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("github: cache: %w", err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("github: cache write %s: %v %v", p, werr, cerr)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("github: cache: %w", err)
	}
	return nil
}

// MemoryCache is an in-memory Cache, for one process's lifetime.
type MemoryCache struct {
	mu sync.Mutex
	m  map[string]*CacheEntry
}

var _ Cache = (*MemoryCache)(nil)

// NewMemoryCache returns an empty MemoryCache.
func NewMemoryCache() *MemoryCache { return &MemoryCache{m: map[string]*CacheEntry{}} }

// Get implements Cache.
func (c *MemoryCache) Get(key string) (*CacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e, ok
}

// Put implements Cache.
func (c *MemoryCache) Put(key string, e *CacheEntry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = e
	return nil
}

// Len returns the number of entries.
func (c *MemoryCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
