package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/tables with what the tables print")

// TestTables prints testdata/tables/VIEW.json through the table of each
// view and compares it, byte for byte, with VIEW.golden beside it.
func TestTables(t *testing.T) {
	now := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	all := viewTables(now)
	for view, table := range all {
		t.Run(view, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "tables", view+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := table(&got, raw); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "tables", view+".golden")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s table:\n%s\nwant (%s):\n%s", view, got.Bytes(), golden, want)
			}
		})
	}

	t.Run("EveryInputHasItsTable", func(t *testing.T) {
		inputs, err := filepath.Glob(filepath.Join("testdata", "tables", "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs {
			if view := strings.TrimSuffix(filepath.Base(in), ".json"); all[view] == nil {
				t.Errorf("%s: no table prints view %q", in, view)
			}
		}
		if got, want := len(inputs), len(all); got != want {
			t.Errorf("got %d inputs, want one per table, %d", got, want)
		}
	})

	t.Run("ViewWithoutTablePrintsNothing", func(t *testing.T) {
		var got bytes.Buffer
		if err := printTable(&got, "no-such-view", []byte(`[{"name":"x"}]`)); err != nil {
			t.Fatal(err)
		}
		if got.Len() != 0 {
			t.Errorf("got %q, want nothing", got.String())
		}
	})

	t.Run("BadJSONIsAnError", func(t *testing.T) {
		var got bytes.Buffer
		if err := printTable(&got, "teams", []byte(`{"name":`)); err == nil {
			t.Error("got no error")
		}
		if got.Len() != 0 {
			t.Errorf("got %q printed, want nothing", got.String())
		}
	})
}
