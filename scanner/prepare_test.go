package scanner

import (
	"reflect"
	"testing"
	"time"

	"github.com/rampart-sec/rampart/patterns"
)

// TestPrepareDefault: the detector built in the background finds what one
// built in place finds, and only the rules DefaultConfig handed out get
// it (any other rules, even the same ones in another slice, get their
// own); ParseConfig takes the prepared catalogue too.
func TestPrepareDefault(t *testing.T) {
	chunk := Chunk{Path: "config/app.env", Data: []byte("GITHUB_TOKEN=ghp_" + "R2d7kQ9xVbN4mT6pLs8wYc3HjF5zA1eUo0Gi\nAPITEMPLATE_API_KEY=qvkBx9uSJaT3RyNT1VnnyWnjSwyAlscSSZADlKv\n")}
	fresh, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := NewDetector(fresh.Rules, fresh.Allow).Detect(chunk)
	if len(want) == 0 {
		t.Fatal("the test's chunk has no findings: it proves nothing")
	}

	PrepareDefault()
	cfg, err := DefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	det := prepared.det
	if det == nil {
		t.Fatal("DefaultConfig did not take the prepared catalogue")
	}
	other := append(cfg.Rules[:0:0], cfg.Rules...)
	if NewDetector(other, cfg.Allow); prepared.det == nil {
		t.Fatal("a copy of the rules got the prepared detector")
	}
	pd := <-det
	det <- pd
	d := NewDetector(cfg.Rules, cfg.Allow)
	if d != pd {
		t.Fatal("DefaultConfig's rules did not get the prepared detector")
	}
	if d.allow != cfg.Allow {
		t.Fatal("the prepared detector does not hold the configuration's allow list")
	}
	if prepared.det != nil || NewDetector(cfg.Rules, cfg.Allow) == d {
		t.Fatal("the prepared detector was handed out twice")
	}
	if got := d.Detect(chunk); !reflect.DeepEqual(got, want) {
		t.Errorf("prepared detector found\n%v\nwant\n%v", got, want)
	}

	PrepareDefault()
	if _, err := ParseConfig("x.toml", []byte("disable = [\"github-pat\"]\n")); err != nil {
		t.Fatal(err)
	}
	if prepared.ch != nil || prepared.det != nil {
		t.Fatal("ParseConfig did not take the prepared catalogue, or kept its detector")
	}
}

// TestPrepareDefaultRulesFirst: DefaultConfig has the catalogue while its
// detector is still being built (a history scan plans its reading
// meanwhile), and NewDetector waits for that detector.
func TestPrepareDefaultRulesFirst(t *testing.T) {
	hold := make(chan struct{})
	build := buildPrepared
	buildPrepared = func(rules []*patterns.Rule) *Detector {
		<-hold
		return build(rules)
	}
	defer func() { buildPrepared = build }()

	PrepareDefault()
	type result struct {
		cfg *Config
		err error
	}
	config := make(chan result, 1)
	go func() {
		cfg, err := DefaultConfig()
		config <- result{cfg, err}
	}()
	var cfg *Config
	select {
	case r := <-config:
		if r.err != nil {
			close(hold)
			t.Fatal(r.err)
		}
		cfg = r.cfg
	case <-time.After(10 * time.Second):
		close(hold)
		t.Fatal("DefaultConfig waited for the detector to be built")
	}
	got := make(chan *Detector, 1)
	go func() { got <- NewDetector(cfg.Rules, cfg.Allow) }()
	select {
	case <-got:
		t.Fatal("NewDetector returned before the prepared detector was built")
	case <-time.After(20 * time.Millisecond):
	}
	close(hold)
	if d := <-got; d == nil || len(d.Rules()) != len(cfg.Rules) {
		t.Fatalf("NewDetector gave %v", d)
	}
}
