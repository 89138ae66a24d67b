package scanner

import (
	"reflect"
	"testing"
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
	if prepared.det == nil {
		t.Fatal("DefaultConfig did not take the prepared catalogue")
	}
	other := append(cfg.Rules[:0:0], cfg.Rules...)
	if d := NewDetector(other, cfg.Allow); d == prepared.det {
		t.Fatal("a copy of the rules got the prepared detector")
	}
	pd := prepared.det
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
