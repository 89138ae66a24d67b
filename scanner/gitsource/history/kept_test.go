package history

import (
	"os"
	"strings"
	"testing"
)

// TestKeptStoreAnswersAsGit: Resolve's questions ("<commit>:<path>" and
// "<commit>^:<path>") answered from the packs give git cat-file's answers,
// for loose and packed objects: files, directories, nested paths, a path
// through a file, a root commit's missing parent, a symbolic link, a
// submodule, a rename.
func TestKeptStoreAnswersAsGit(t *testing.T) {
	t.Parallel()
	for _, packed := range []bool{false, true} {
		r := newRepo(t)
		r.write("a.txt", "one\n")
		r.write("dir/sub/b.txt", "two\n")
		root := r.commit("root")
		r.git("mv", "a.txt", "dir/a.txt")
		if err := os.Symlink("dir/a.txt", r.dir+"/link"); err != nil {
			t.Fatal(err)
		}
		r.git("update-index", "--add", "--cacheinfo", "160000,"+root+",mod")
		second := r.commit("rename, link, submodule")
		r.write("dir/sub/b.txt", "three\n")
		third := r.commit("edit")
		if packed {
			r.git("gc", "-q")
		}
		var ask []string
		for _, c := range []string{root, second, third} {
			for _, p := range []string{"a.txt", "dir", "dir/a.txt", "dir/sub", "dir/sub/b.txt", "dir/sub/none", "a.txt/x", "link", "link/x", "mod", "mod/a.txt", "none"} {
				ask = append(ask, c+":"+p, c+"^:"+p)
			}
		}
		h := &History{Repo: r.open()}
		packs, _, objects, err := h.openPacks()
		if err != nil {
			t.Fatal(err)
		}
		k := &keptStore{packs: packs, objects: objects}
		got, ok := k.answer(h, ask)
		if !ok {
			t.Fatalf("packed=%v: the kept store answered nothing", packed)
		}
		// A path git reads its own way is left to git.
		for _, q := range []string{root + ":dir/", root + ":./a.txt", root + ":dir//sub", root + ":dir/../a.txt"} {
			if _, ok := k.answer(h, []string{q}); ok {
				t.Errorf("packed=%v: %s answered in process", packed, q)
			}
		}
		k.close()
		out, err := h.Repo.Input(t.Context(), strings.NewReader(strings.Join(ask, "\n")+"\n"), "cat-file", "--batch-check=%(objecttype)")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if len(lines) != len(ask) {
			t.Fatalf("git answered %d of %d", len(lines), len(ask))
		}
		for i, q := range ask {
			want := !strings.HasSuffix(lines[i], " missing") && !strings.HasSuffix(lines[i], " ambiguous")
			if got[q] != want {
				t.Errorf("packed=%v: %s: kept store says %v, git %q", packed, q, got[q], lines[i])
			}
		}
	}
}
