package manifest

import (
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
)

func TestDecodeCheckSource(t *testing.T) {
	src := `apiVersion: tandem.dev/v1
kind: Platform
metadata: {name: sdk}
spec:
  owner: sdk
  adoption: {path: go.mod, source: ci}
---
apiVersion: tandem.dev/v1
kind: Migration
metadata: {name: vet}
spec:
  platform: sdk
  title: Vet clean
  target: {command: [go, vet, ./...], source: ci}
  done: {path: go.mod}
`
	objs, err := Decode(file("ok.yaml", src))
	if err != nil {
		t.Fatal(err)
	}
	p := objs[0].Spec.(*tandem.Platform)
	m := objs[1].Spec.(*tandem.Migration)
	if p.Adoption.Source != tandem.SourceCI || m.Target.Source != tandem.SourceCI || m.Done.Source != "" {
		t.Errorf("sources: adoption %q, target %q, done %q; want ci, ci, none", p.Adoption.Source, m.Target.Source, m.Done.Source)
	}
}

func TestDecodeCheckSourceErrors(t *testing.T) {
	for _, tt := range []struct {
		name, adoption string
		want           []string
	}{{
		name:     "an unknown source is refused",
		adoption: `{path: go.mod, source: cj}`,
		want:     []string{`bad.yaml:6: spec.adoption.source: unknown source "cj": did you mean ci? (valid: ci)`},
	}, {
		name:     "a source within all is refused",
		adoption: "\n    all:\n    - {path: go.mod}\n    - {path: main.go, source: ci}",
		want:     []string{`bad.yaml:9: spec.adoption.all[1].source: only a check as a whole (a platform's adoption, a migration's target or done) has a source, not one within all, any or not`},
	}, {
		name:     "a source within not is refused",
		adoption: "{not: {path: go.mod, source: ci}}",
		want:     []string{`bad.yaml:6: spec.adoption.not.source: only a check as a whole (a platform's adoption, a migration's target or done) has a source, not one within all, any or not`},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			src := "apiVersion: tandem.dev/v1\nkind: Platform\nmetadata: {name: sdk}\nspec:\n  owner: sdk\n  adoption: " + tt.adoption + "\n"
			_, err := Decode(file("bad.yaml", src))
			if got, want := strings.Join(problems(t, err), "\n"), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("problems:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
