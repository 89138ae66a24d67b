// Command mkrepo synthesises a large, realistic git repository for
// benchmarking `rampart scan --history` without network access.
//
//	go run ./bench/mkrepo -commits 100000 -out /tmp/big
//
// The tree is a few thousand text files drawn from the Go distribution's own
// sources ($(go env GOROOT)/src), chosen and edited deterministically from
// -seed. Over -commits commits most change one to five files by a few lines;
// some add, delete or rename files; topic branches fork, collect commits and
// merge back; release tags are cut along main. A handful of format-valid fake
// AWS credentials are committed on topic branches, removed again before the
// branch is merged, and the branch is deleted: the secrets survive only in
// history, which is exactly what a history scan must find. What was planted,
// where and in which commit is written to OUT.expected.json.
//
// The stream goes through one `git fast-import`, then the object store is
// repacked with deltas (`git repack -adf --depth=50 --window=10`) so that it
// reads like a real one.
//
// With -verify EXPECTED -findings FILE, mkrepo instead checks a
// `rampart scan --history --format json` report against EXPECTED: every
// planted key ID and secret must be found and attributed to the commit and
// path that introduced it. It exits 1 when one is missing.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	var (
		o       options
		verify  string
		results string
	)
	flag.IntVar(&o.commits, "commits", 10000, "number of commits to create (merges included)")
	flag.StringVar(&o.out, "out", "", "directory of the repository to create (must not exist)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of every random choice: the same seed gives the same repository")
	flag.IntVar(&o.files, "files", 3000, "files in the initial tree")
	flag.IntVar(&o.maxFile, "max-file-size", 64<<10, "largest source file to draw, in bytes")
	flag.IntVar(&o.leaks, "leaks", 6, "fake AWS credentials to plant on deleted topic branches")
	flag.StringVar(&o.src, "src", filepath.Join(goroot(), "src"), "directory of text files to draw content from")
	flag.BoolVar(&o.noRepack, "no-repack", false, "leave fast-import's pack as it is (no delta repack)")
	flag.StringVar(&verify, "verify", "", "check a findings report against this EXPECTED.json instead of generating")
	flag.StringVar(&results, "findings", "", "with -verify: the `rampart scan --history --format json` report")
	flag.Parse()

	if verify != "" {
		ok, err := runVerify(os.Stdout, verify, results)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mkrepo:", err)
			os.Exit(2)
		}
		if !ok {
			os.Exit(1)
		}
		return
	}
	if o.out == "" || o.commits < 1 {
		fmt.Fprintln(os.Stderr, "usage: mkrepo -commits N -out DIR [-seed S] [-files F]")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "mkrepo:", err)
		os.Exit(1)
	}
}

type options struct {
	commits, files, maxFile, leaks int
	seed                           uint64
	out, src                       string
	noRepack                       bool
}

func run(o options) error {
	start := time.Now()
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: choose a new directory", out)
	}
	pool, err := loadPool(o.src, o.maxFile)
	if err != nil {
		return err
	}
	if len(pool) < o.files+o.files/5 {
		return fmt.Errorf("only %d usable files under %s, need %d", len(pool), o.src, o.files+o.files/5)
	}
	logf("read %d source files from %s in %s", len(pool), o.src, since(start))
	if err := git("", "init", "-q", "-b", "main", out); err != nil {
		return err
	}
	marks := filepath.Join(out, ".git", "mkrepo-marks")
	fi := exec.Command("git", "-C", out, "-c", "core.bigFileThreshold=512m", "fast-import",
		"--quiet", "--active-branches=16", "--depth=50", "--export-marks="+marks)
	fi.Stdout, fi.Stderr = os.Stderr, os.Stderr
	stdin, err := fi.StdinPipe()
	if err != nil {
		return err
	}
	if err := fi.Start(); err != nil {
		return fmt.Errorf("start git fast-import: %w", err)
	}
	bw := bufio.NewWriterSize(stdin, 1<<20)
	g := newGenerator(o, pool, bw)
	genErr := g.run()
	if genErr == nil {
		genErr = bw.Flush()
	}
	stdin.Close()
	if err := fi.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	if genErr != nil {
		return genErr
	}
	logf("fast-import: %d commits (%d merges), %d blobs written, %.0f MB of blob data, %d tags in %s",
		g.commits, g.merges, g.blobs, float64(g.blobBytes)/1e6, g.tags, since(start))

	shas, err := readMarks(marks)
	if err != nil {
		return err
	}
	os.Remove(marks)
	var del strings.Builder
	for _, ref := range g.deleted {
		fmt.Fprintf(&del, "delete %s\n", ref)
	}
	if del.Len() > 0 {
		cmd := exec.Command("git", "-C", out, "update-ref", "--stdin")
		cmd.Stdin = strings.NewReader(del.String())
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("delete merged branches: %w", err)
		}
	}
	if !o.noRepack {
		t := time.Now()
		if err := git(out, "repack", "-adf", "-q", "--depth=50", "--window=10"); err != nil {
			return err
		}
		logf("repack -adf --depth=50 --window=10 in %s", since(t))
	}
	if err := git(out, "checkout", "-q", "-f", "main"); err != nil {
		return err
	}
	exp := g.expected(shas)
	exp.Repo = out
	data, err := json.MarshalIndent(exp, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(out+".expected.json", append(data, '\n'), 0o644); err != nil {
		return err
	}
	logf("done in %s: %s, expected findings in %s.expected.json", since(start), out, out)
	return nil
}

// readMarks parses fast-import's exported marks (":N SHA" per line).
func readMarks(path string) (map[int]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := make(map[int]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var n int
		var sha string
		if _, err := fmt.Sscanf(sc.Text(), ":%d %s", &n, &sha); err == nil {
			m[n] = sha
		}
	}
	return m, sc.Err()
}

func git(dir string, args ...string) error {
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	cmd := exec.Command("git", args...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "mkrepo: "+format+"\n", args...)
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }

// goroot asks the go command where the standard library's sources are.
func goroot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
