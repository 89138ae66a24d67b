package report

import (
	"strings"
	"testing"
)

func TestMergeScansCountsEachFindingOnce(t *testing.T) {
	t.Parallel()
	f := func(fp, path string, line int) JSONFinding {
		return JSONFinding{Rule: "r", Fingerprint: fp, Path: path, Line: line}
	}
	// Two runs over one repository (the second found one more secret) and
	// a run over another repository holding the same file.
	run1 := &JSONScan{Root: "/src/a", Findings: []JSONFinding{f("1", "x", 1)}}
	run2 := &JSONScan{Root: "/src/a", Findings: []JSONFinding{f("1", "x", 1), f("2", "y", 3)}}
	other := &JSONScan{Root: "/src/b", Findings: []JSONFinding{f("1", "x", 1)}}
	docs, warnings := DuplicateScans([]*JSONScan{run1, run2, run1, other}, []string{"1.json", "2.json", "1b.json", "b.json"})
	if len(docs) != 3 || len(warnings) != 2 || !strings.Contains(warnings[0], "two scans of /src/a") || !strings.Contains(warnings[1], "1b.json is the same scan as 1.json") {
		t.Fatalf("DuplicateScans kept %d, warned %q", len(docs), warnings)
	}
	m := MergeScans(docs)
	var got []string
	for _, f := range m.Findings {
		got = append(got, f.Root+":"+f.Path)
	}
	if strings.Join(got, " ") != "/src/a:x /src/a:y /src/b:x" || strings.Join(m.Roots, " ") != "/src/a /src/b" {
		t.Errorf("merged %q from roots %q", got, m.Roots)
	}
}

func TestDuplicateAuditsKeepsTheFirstOfEachRepository(t *testing.T) {
	t.Parallel()
	a := &AuditJSON{Targets: []AuditJSONTarget{{Org: "acme"}, {Repo: "acme/api"}}}
	b := &AuditJSON{Targets: []AuditJSONTarget{{Org: "acme"}, {Repo: "Acme/API"}, {Repo: "acme/web"}}}
	docs, warnings := DuplicateAudits([]*AuditJSON{a, b}, []string{"a.json", "b.json"})
	if len(docs[1].Targets) != 2 || docs[1].Targets[1].Repo != "acme/web" || len(warnings) != 1 || len(b.Targets) != 3 {
		t.Errorf("targets %+v, warnings %q (and the input must not change)", docs[1].Targets, warnings)
	}
}
