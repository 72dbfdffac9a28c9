package gitobj

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/gitx/gittest"
)

// gitOut runs git in dir with stdin and returns its raw standard output.
func gitOut(t testing.TB, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), gittest.Env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

type object struct {
	t    string
	data []byte
}

// allObjects returns every object git sees in dir, alternates included.
func allObjects(t testing.TB, dir string) map[OID]object {
	t.Helper()
	out := gitOut(t, dir, nil, "cat-file", "--batch-all-objects", "--batch")
	objs := map[OID]object{}
	for len(out) > 0 {
		line, rest, ok := bytes.Cut(out, []byte("\n"))
		f := strings.Fields(string(line))
		if !ok || len(f) != 3 {
			t.Fatalf("cat-file: bad header %q", line)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || size+1 > len(rest) {
			t.Fatalf("cat-file: bad size in %q", line)
		}
		id, err := ParseOID(f[0])
		if err != nil {
			t.Fatal(err)
		}
		objs[id] = object{f[1], rest[:size]}
		out = rest[size+1:]
	}
	return objs
}

// checkAll compares every object Read and Header return for gitDir with
// git's own output and returns how many objects it compared.
func checkAll(t *testing.T, gitDir string) int {
	t.Helper()
	want := allObjects(t, gitDir)
	r, err := Open(gitDir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for id, w := range want {
		typ, data, err := r.Read(id)
		if err != nil {
			t.Fatalf("Read(%s): %v", id, err)
		}
		if got := typ.String(); got != w.t {
			t.Errorf("Read(%s) type = %s, want %s", id, got, w.t)
		}
		if !bytes.Equal(data, w.data) {
			t.Errorf("Read(%s) content differs from git's (%d bytes, want %d)", id, len(data), len(w.data))
		}
		ht, size, err := r.Header(id)
		if err != nil {
			t.Fatalf("Header(%s): %v", id, err)
		}
		if ht.String() != w.t || size != int64(len(w.data)) {
			t.Errorf("Header(%s) = %s %d, want %s %d", id, ht, size, w.t, len(w.data))
		}
	}
	if len(want) == 0 {
		t.Fatal("git lists no objects")
	}
	return len(want)
}

// text returns n bytes of pseudo-random lines, the same for the same seed.
func text(seed uint64, n int) string {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"func", "return", "package", "import", "err", "nil", "struct", "interface", "go", "range", "for", "if"}
	var b strings.Builder
	for b.Len() < n {
		for range 8 {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d\n", rng.IntN(100000))
	}
	return b.String()[:n]
}

// history returns a repository with many commits editing the same files.
func history(t *testing.T, commits int) string {
	t.Helper()
	files := map[string]string{}
	for i := range 3 {
		files[fmt.Sprintf("src/file%d.go", i)] = text(uint64(i), 30_000)
	}
	dir := gittest.Repo(t, files)
	for c := 1; c < commits; c++ {
		for name, content := range files {
			at := (c * 997) % (len(content) - 100)
			content = content[:at] + fmt.Sprintf("edit %d\n", c) + content[at:]
			files[name] = content
		}
		gittest.Commit(t, dir, files)
	}
	return dir
}

// packStats returns the longest delta chain and the number of entries of
// each type in the packs of gitDir, and how many copy instructions of size
// 0x10000 (written as size 0) the deltas hold.
func packStats(t *testing.T, gitDir string) (longest int, types map[byte]int, bigCopies int) {
	t.Helper()
	r, err := Open(gitDir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.list(); err != nil {
		t.Fatal(err)
	}
	types = map[byte]int{}
	for _, p := range r.odbs[0].packs {
		for i := range p.n {
			off, err := p.offset(i)
			if err != nil {
				t.Fatal(err)
			}
			e, err := p.entryAt(off)
			if err != nil {
				t.Fatal(err)
			}
			types[e.typ]++
			if e.typ < objOfsDelta {
				continue
			}
			delta, err := p.inflate(e, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, d, _ := deltaSize(delta)
			_, d, _ = deltaSize(d)
			for j := 0; j < len(d); {
				op := d[j]
				j++
				if op&0x80 == 0 {
					j += int(op)
					continue
				}
				_, size, n, _ := copyOp(op, d[j:])
				if op&0x70 == 0 && size == 0x10000 {
					bigCopies++
				}
				j += n
			}
			depth := 1
			for x := e; x.typ == objOfsDelta; depth++ {
				if x, err = p.entryAt(x.baseOff); err != nil {
					t.Fatal(err)
				}
			}
			longest = max(longest, depth)
		}
	}
	return longest, types, bigCopies
}

func TestRead(t *testing.T) {
	t.Run("reads every loose object as git does", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"a.txt": "a\n", "dir/b.txt": text(1, 5000)})
		gittest.Commit(t, dir, map[string]string{"a.txt": "changed\n"})
		checkAll(t, filepath.Join(dir, ".git"))
		if _, types, _ := packStats(t, filepath.Join(dir, ".git")); len(types) != 0 {
			t.Errorf("repository has packed objects %v, want only loose ones", types)
		}
	})
	t.Run("reads every object after gc with deltas", func(t *testing.T) {
		dir := history(t, 10)
		gittest.Run(t, dir, "gc", "--quiet")
		checkAll(t, filepath.Join(dir, ".git"))
		if _, types, _ := packStats(t, filepath.Join(dir, ".git")); types[objOfsDelta] == 0 {
			t.Errorf("pack entry types %v, want offset deltas", types)
		}
	})
	t.Run("resolves long delta chains", func(t *testing.T) {
		dir := history(t, 60)
		gittest.Run(t, dir, "repack", "-adf", "--depth=50", "--window=50")
		checkAll(t, filepath.Join(dir, ".git"))
		if longest, _, _ := packStats(t, filepath.Join(dir, ".git")); longest < 20 {
			t.Errorf("longest delta chain = %d, want at least 20", longest)
		}
	})
	t.Run("resolves deltas whose base is named by id", func(t *testing.T) {
		dir := history(t, 10)
		gittest.Run(t, dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adf")
		checkAll(t, filepath.Join(dir, ".git"))
		if _, types, _ := packStats(t, filepath.Join(dir, ".git")); types[objRefDelta] == 0 || types[objOfsDelta] != 0 {
			t.Errorf("pack entry types %v, want only ref deltas", types)
		}
	})
	t.Run("reads a bare clone", func(t *testing.T) {
		src := history(t, 5)
		bare := filepath.Join(t.TempDir(), "bare.git")
		gittest.Run(t, "", "clone", "--quiet", "--bare", "--no-local", src, bare)
		checkAll(t, bare)
	})
	t.Run("reads objects from alternates", func(t *testing.T) {
		src := history(t, 5)
		gittest.Run(t, src, "gc", "--quiet")
		shared := filepath.Join(t.TempDir(), "shared")
		gittest.Run(t, "", "clone", "--quiet", "--shared", src, shared)
		gittest.Commit(t, shared, map[string]string{"own.txt": "only in the clone\n"})
		if n := checkAll(t, filepath.Join(shared, ".git")); n < 10 {
			t.Errorf("compared %d objects, want those of the alternate too", n)
		}
	})
	t.Run("copies 64 KiB runs of a large file", func(t *testing.T) {
		big := text(7, 300_000)
		dir := gittest.Repo(t, map[string]string{"big.txt": big})
		gittest.Commit(t, dir, map[string]string{"big.txt": big[:1000] + "one edit\n" + big[1000:]})
		gittest.Commit(t, dir, map[string]string{"big.txt": big[:200_000] + "another edit\n" + big[200_000:]})
		gittest.Run(t, dir, "gc", "--quiet")
		checkAll(t, filepath.Join(dir, ".git"))
		if _, _, n := packStats(t, filepath.Join(dir, ".git")); n == 0 {
			t.Error("deltas hold no copy of size 0x10000")
		}
	})
	t.Run("finds objects in packs written after Open", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"a.txt": "a\n"})
		gittest.Run(t, dir, "gc", "--quiet")
		r, err := Open(filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := r.ResolveRef("HEAD"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.Read(OID{1}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Read(absent) error = %v, want ErrNotFound", err)
		}
		gittest.Commit(t, dir, map[string]string{"b.txt": "new\n"})
		gittest.Run(t, dir, "repack", "--quiet", "-d")
		head, err := ParseOID(gittest.Run(t, dir, "rev-parse", "HEAD"))
		if err != nil {
			t.Fatal(err)
		}
		if typ, _, err := r.Read(head); err != nil || typ != Commit {
			t.Errorf("Read(new commit) = %v, %v, want a commit", typ, err)
		}
	})
	t.Run("refuses SHA-256 repositories", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sha256")
		gittest.Run(t, "", "init", "--quiet", "--object-format=sha256", dir)
		_, err := Open(filepath.Join(dir, ".git"))
		if !errors.Is(err, ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Open error = %v, want ErrUnsupported", err)
		}
	})
}

// corruptCopy returns a copy of the packed repository's git directory and
// the paths of its pack and index.
func corruptCopy(t *testing.T) (gitDir, packPath, idxPath string) {
	t.Helper()
	dir := history(t, 5)
	gittest.Run(t, dir, "gc", "--quiet")
	gitDir = filepath.Join(t.TempDir(), "copy.git")
	if err := os.CopyFS(gitDir, os.DirFS(filepath.Join(dir, ".git"))); err != nil {
		t.Fatal(err)
	}
	idxs, _ := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("found %d pack indexes, want 1", len(idxs))
	}
	return gitDir, strings.TrimSuffix(idxs[0], ".idx") + ".pack", idxs[0]
}

func TestCorrupt(t *testing.T) {
	t.Run("a truncated pack gives errors, not a panic", func(t *testing.T) {
		gitDir, packPath, _ := corruptCopy(t)
		ids := slices.Collect(func(yield func(OID) bool) {
			for id := range allObjects(t, gitDir) {
				if !yield(id) {
					return
				}
			}
		})
		fi, err := os.Stat(packPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(packPath, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
		r, err := Open(gitDir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		failed := 0
		for _, id := range ids {
			if _, _, err := r.Read(id); err != nil {
				failed++
			}
		}
		if failed == 0 {
			t.Error("every Read succeeded on a truncated pack")
		}
	})
	t.Run("an index offset past the pack end gives an error", func(t *testing.T) {
		gitDir, _, idxPath := corruptCopy(t)
		idx, err := os.ReadFile(idxPath)
		if err != nil {
			t.Fatal(err)
		}
		n := int(binary.BigEndian.Uint32(idx[idxHeader+fanoutLen-4:]))
		var first OID
		copy(first[:], idx[idxHeader+fanoutLen:])
		offs := idxHeader + fanoutLen + n*24
		copy(idx[offs:], []byte{0x7f, 0xff, 0xff, 0x00})   // past the end
		copy(idx[offs+4:], []byte{0x80, 0x00, 0x10, 0x00}) // past the large offsets
		if err := os.WriteFile(idxPath, idx, 0o644); err != nil {
			t.Fatal(err)
		}
		var second OID
		copy(second[:], idx[idxHeader+fanoutLen+20:])
		r, err := Open(gitDir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for _, id := range []OID{first, second} {
			if _, _, err := r.Read(id); err == nil || !strings.Contains(err.Error(), id.String()) {
				t.Errorf("Read(%s) error = %v, want one naming the object", id, err)
			}
			if _, _, err := r.Header(id); err == nil {
				t.Errorf("Header(%s) succeeded past the pack end", id)
			}
		}
	})
	t.Run("a version 1 index is unsupported", func(t *testing.T) {
		gitDir, _, idxPath := corruptCopy(t)
		if err := os.WriteFile(idxPath, make([]byte, 2048), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(gitDir)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, _, err := r.Read(OID{1}); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Read error = %v, want ErrUnsupported", err)
		}
	})
	t.Run("corrupt deltas give errors", func(t *testing.T) {
		base := []byte("hello world")
		for _, delta := range [][]byte{
			{},
			{11},
			{11, 5, 0x91, 200, 5},        // copy past the base
			{11, 5, 10},                  // insert past the end
			{11, 5, 0},                   // reserved instruction
			{11, 6, 0x90, 5},             // result shorter than declared
			{12, 5, 0x90, 5},             // wrong base size
			{11, 0xff, 0xff, 0xff, 0xff}, // endless size
		} {
			if _, err := applyDelta(base, delta); err == nil {
				t.Errorf("applyDelta(%v) succeeded", delta)
			}
		}
		if got, err := applyDelta(base, []byte{11, 8, 0x91, 6, 5, 3, '!', '!', '!'}); err != nil || string(got) != "world!!!" {
			t.Errorf("applyDelta = %q, %v, want %q", got, err, "world!!!")
		}
	})
}

func mustOID(t testing.TB, s string) OID {
	t.Helper()
	id, err := ParseOID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestResolveRef(t *testing.T) {
	t.Run("reads loose refs and a symbolic HEAD", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"a.txt": "a\n"})
		r, err := Open(filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		want := mustOID(t, gittest.Run(t, dir, "rev-parse", "HEAD"))
		for _, name := range []string{"HEAD", "refs/heads/main"} {
			if got, err := r.ResolveRef(name); err != nil || got != want {
				t.Errorf("ResolveRef(%s) = %s, %v, want %s", name, got, err, want)
			}
		}
		if got, err := r.HeadBranch(); err != nil || got != "main" {
			t.Errorf("HeadBranch() = %q, %v, want main", got, err)
		}
	})
	t.Run("reads packed refs, and a loose ref wins over them", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"a.txt": "a\n"})
		gittest.Run(t, dir, "tag", "-a", "-m", "v1", "v1")
		gittest.Run(t, dir, "pack-refs", "--all")
		r, err := Open(filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "heads", "main")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("loose ref still there after pack-refs: %v", err)
		}
		for _, name := range []string{"HEAD", "refs/heads/main", "refs/tags/v1"} {
			want := mustOID(t, gittest.Run(t, dir, "rev-parse", name))
			if got, err := r.ResolveRef(name); err != nil || got != want {
				t.Errorf("ResolveRef(%s) = %s, %v, want %s", name, got, err, want)
			}
		}
		gittest.Commit(t, dir, map[string]string{"a.txt": "b\n"})
		want := mustOID(t, gittest.Run(t, dir, "rev-parse", "HEAD"))
		if got, err := r.ResolveRef("HEAD"); err != nil || got != want {
			t.Errorf("ResolveRef(HEAD) after a commit = %s, %v, want %s", got, err, want)
		}
	})
	t.Run("an unborn branch is not found", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "empty")
		gittest.Run(t, "", "init", "--quiet", "--initial-branch=trunk", dir)
		r, err := Open(filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ResolveRef("HEAD"); !errors.Is(err, ErrNotFound) {
			t.Errorf("ResolveRef(HEAD) error = %v, want ErrNotFound", err)
		}
		if got, err := r.HeadBranch(); err != nil || got != "trunk" {
			t.Errorf("HeadBranch() = %q, %v, want trunk", got, err)
		}
	})
	t.Run("a detached HEAD holds an id", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"a.txt": "a\n"})
		first := gittest.Run(t, dir, "rev-parse", "HEAD")
		gittest.Commit(t, dir, map[string]string{"a.txt": "b\n"})
		gittest.Run(t, dir, "update-ref", "--no-deref", "HEAD", first)
		r, err := Open(filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.ResolveRef("HEAD"); err != nil || got.String() != first {
			t.Errorf("ResolveRef(HEAD) = %s, %v, want %s", got, err, first)
		}
		if _, err := r.HeadBranch(); !errors.Is(err, ErrNotFound) {
			t.Errorf("HeadBranch() error = %v, want ErrNotFound", err)
		}
	})
	t.Run("names leading outside the git directory are refused", func(t *testing.T) {
		dir := gittest.Repo(t, map[string]string{"a.txt": "a\n"})
		r, err := Open(filepath.Join(dir, ".git"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"../config", "refs/../../x", "/etc/passwd", "refs/heads/", "config"} {
			if _, err := r.ResolveRef(name); err == nil {
				t.Errorf("ResolveRef(%q) succeeded", name)
			}
		}
	})
}

// BenchmarkReadAllBlobs reads every blob of a generated repository of 300
// files (about 5 MB), in process and through git cat-file --batch.
func BenchmarkReadAllBlobs(b *testing.B) {
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("pkg%d/file%d.go", i%20, i)] = text(uint64(i), 12_000+i*70)
	}
	dir := filepath.Join(b.TempDir(), "repo")
	gittest.Init(b, dir, files)
	for c := range 3 {
		for name, content := range files {
			if len(name)%3 == c {
				files[name] = content[:500] + fmt.Sprintf("edit %d\n", c) + content[500:]
			}
		}
		gittest.Commit(b, dir, files)
	}
	gittest.Run(b, dir, "gc", "--quiet")
	var ids []OID
	var input bytes.Buffer
	var total int64
	for line := range strings.SplitSeq(gittest.Run(b, dir, "ls-tree", "-r", "-l", "HEAD"), "\n") {
		f := strings.Fields(line)
		ids = append(ids, mustOID(b, f[2]))
		input.WriteString(f[2] + "\n")
		size, _ := strconv.ParseInt(f[3], 10, 64)
		total += size
	}
	gitDir := filepath.Join(dir, ".git")
	b.Run("gitobj", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			r, err := Open(gitDir)
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range ids {
				if _, _, err := r.Read(id); err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
	})
	b.Run("cat-file", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			out := gitOut(b, gitDir, input.Bytes(), "cat-file", "--batch")
			if int64(len(out)) < total {
				b.Fatalf("cat-file wrote %d bytes, want at least %d", len(out), total)
			}
		}
	})
}

func TestReadMax(t *testing.T) {
	dir := gittest.Repo(t, map[string]string{"big.txt": text(1, 50_000), "small.txt": "small\n"})
	gittest.Commit(t, dir, map[string]string{"big.txt": text(1, 50_000) + "one more line\n"})
	for _, state := range []string{"loose", "packed with deltas"} {
		t.Run(state, func(t *testing.T) {
			if state != "loose" {
				gittest.Run(t, dir, "repack", "-adfq")
			}
			r, err := Open(filepath.Join(dir, ".git"))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			for _, tt := range []struct {
				rev      string
				max      int64
				tooLarge bool
			}{
				{"HEAD:big.txt", 1000, true},
				{"HEAD~1:big.txt", 1000, true},
				{"HEAD:big.txt", 1 << 20, false},
				{"HEAD:small.txt", 6, false},
				{"HEAD:small.txt", 5, true},
			} {
				id := mustOID(t, gittest.Run(t, dir, "rev-parse", tt.rev))
				_, data, err := r.ReadMax(id, tt.max)
				if got := errors.Is(err, ErrTooLarge); got != tt.tooLarge {
					t.Errorf("ReadMax(%s, %d): err = %v, want too large %v", tt.rev, tt.max, err, tt.tooLarge)
				}
				if !tt.tooLarge && string(data) != gittest.Run(t, dir, "cat-file", "blob", tt.rev)+"\n" {
					t.Errorf("ReadMax(%s) content differs from git cat-file", tt.rev)
				}
			}
		})
	}
}
