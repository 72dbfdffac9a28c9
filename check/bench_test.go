package check_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/check"
)

// goLikeFiles returns n files of about size bytes of Go-like source that
// mention neither logrus nor WithFields.
func goLikeFiles(n, size int) [][]byte {
	files := make([][]byte, n)
	for i := range files {
		var b strings.Builder
		fmt.Fprintf(&b, "package p%d\n\nimport (\n\t\"context\"\n\t\"log/slog\"\n)\n\n", i)
		for j := 0; b.Len() < size; j++ {
			fmt.Fprintf(&b, "// F%d handles request %d and returns its result.\nfunc F%d(ctx context.Context, x int) (int, error) {\n\tslog.Info(\"handling\", \"x\", x)\n\tif x > %d {\n\t\treturn 0, fmt.Errorf(\"too big: %%d\", x)\n\t}\n\treturn x * %d, nil\n}\n\n", j, j, j, j, j)
		}
		files[i] = []byte(b.String())
	}
	return files
}

func benchmarkLeaf(b *testing.B, c tandem.Check) {
	l := leaf(b, c)
	for _, shape := range []struct {
		name    string
		n, size int
	}{
		{"one 16 MB file", 1, 16 << 20},
		{"2048 files of 8 KB", 2048, 8 << 10},
	} {
		b.Run(shape.name, func(b *testing.B) {
			files := goLikeFiles(shape.n, shape.size)
			total := 0
			for _, f := range files {
				total += len(f)
			}
			if shape.size > int(check.MaxFileSize) {
				defer func(n int64) { check.MaxFileSize = n }(check.MaxFileSize)
				check.MaxFileSize = int64(shape.size) * 2
			}
			b.SetBytes(int64(total))
			b.ResetTimer()
			for b.Loop() {
				for _, f := range files {
					if _, ok, _ := l.MatchContent(f); ok {
						b.Fatal("unexpected match")
					}
				}
			}
		})
	}
}

func BenchmarkContains(b *testing.B) {
	benchmarkLeaf(b, tandem.Check{Path: "**/*.go", Contains: "github.com/sirupsen/logrus"})
}

func BenchmarkMatchesPrefiltered(b *testing.B) {
	benchmarkLeaf(b, tandem.Check{Path: "**/*.go", Matches: `\w+\.WithFields\(`})
}

func BenchmarkMatchesWithoutLiteral(b *testing.B) {
	benchmarkLeaf(b, tandem.Check{Path: "**/*.go", Matches: `[A-Z]{3}[0-9]{3}`})
}
