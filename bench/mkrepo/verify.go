package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// reportFinding is the part of a `--format json` finding the check needs.
type reportFinding struct {
	Rule        string `json:"rule"`
	Path        string `json:"path"`
	Line        int    `json:"line"`
	Commit      string `json:"commit"`
	Fingerprint string `json:"fingerprint"`
}

// runVerify checks the report at findingsPath against the planted
// credentials listed in expectedPath and prints one line per credential. It
// reports false when a credential is missing or attributed elsewhere.
func runVerify(w io.Writer, expectedPath, findingsPath string) (bool, error) {
	var exp expectedFile
	if err := readJSON(expectedPath, &exp); err != nil {
		return false, err
	}
	var rep struct {
		Findings []reportFinding `json:"findings"`
	}
	if err := readJSON(findingsPath, &rep); err != nil {
		return false, err
	}
	byFP := map[string][]reportFinding{}
	for _, f := range rep.Findings {
		byFP[f.Fingerprint] = append(byFP[f.Fingerprint], f)
	}
	ok := true
	planted := map[string]bool{}
	for _, p := range exp.Planted {
		for _, fp := range p.Fingerprints {
			planted[fp] = true
		}
		key := match(byFP[p.Fingerprints["aws-access-key-id"]], p)
		sec := match(append(byFP[p.Fingerprints["aws-secret-access-key"]], byFP[p.Fingerprints["aws-secret-access-key-paired"]]...), p)
		status := "ok"
		if key != "ok" || sec != "ok" {
			status, ok = "FAIL", false
		}
		fmt.Fprintf(w, "%-4s %-24s %s@%.12s  key id: %s  secret: %s\n", status, p.Kind, p.Path, p.Commit, key, sec)
	}
	other := 0
	for _, f := range rep.Findings {
		if !planted[f.Fingerprint] {
			other++
		}
	}
	fmt.Fprintf(w, "%d planted credentials, %d findings in the report, %d not planted\n", len(exp.Planted), len(rep.Findings), other)
	return ok, nil
}

// match says whether one of fs is the planted credential at its commit and path.
func match(fs []reportFinding, p planted) string {
	if len(fs) == 0 {
		return "missing"
	}
	for _, f := range fs {
		if f.Path == p.Path && f.Commit != "" && strings.HasPrefix(p.Commit, f.Commit) {
			return "ok"
		}
	}
	return fmt.Sprintf("misattributed (%s@%.12s)", fs[0].Path, fs[0].Commit)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
