package campaign

import (
	"strings"
	"testing"
	"time"

	tandem "github.com/tandem-dev/tandem"
)

func sampleData() TicketData {
	return TicketData{
		Team: "payments",
		Codebases: []CodebaseData{
			{Name: "billing", Evidence: []tandem.Match{{Path: "go.mod", Line: 7}}},
			{Name: "ledger", Evidence: []tandem.Match{{Path: "pkg/log/log.go", Line: 12}, {Path: "main.go", Line: 3}}},
		},
		Migration: tandem.Migration{Name: "slog", Title: "Move to slog", Summary: "The old logger is going away."},
		Deadline:  "2027-01-31",
	}
}

func TestRender(t *testing.T) {
	for _, tt := range []struct {
		name     string
		tmpl     string
		data     any
		want     string
		wantErr  string // substring; the error must also be EINVALID
		wantSize int    // when set, the length of the output instead of want
	}{
		{name: "a template sees the team and the migration", tmpl: "{{.Migration.Title}} for {{.Team}}", data: sampleData(), want: "Move to slog for payments"},
		{name: "join lists codebase names", tmpl: `{{join ", " .Codebases}}`, data: sampleData(), want: "billing, ledger"},
		{name: "join takes a list from a pipeline", tmpl: `{{.X | join "+"}}`, data: map[string]any{"X": []string{"a", "b"}}, want: "a+b"},
		{name: "upper and lower change case", tmpl: "{{upper .Team}} {{lower .Migration.Title}}", data: sampleData(), want: "PAYMENTS move to slog"},
		{name: "evidence lists matches as path:line", tmpl: "{{evidence (index .Codebases 1).Evidence}}", data: sampleData(), want: "pkg/log/log.go:12, main.go:3"},
		{
			name: "evidence stops at five matches and says how many more",
			tmpl: "{{evidence .}}",
			data: []tandem.Match{{Path: "a", Line: 1}, {Path: "b", Line: 2}, {Path: "c"}, {Path: "d", Line: 4}, {Path: "e", Line: 5}, {Path: "f", Line: 6}, {Path: "g", Line: 7}},
			want: "a:1, b:2, c, d:4, e:5 and 2 more",
		},
		{name: "a missing map key is an error naming the template", tmpl: "{{.Nope}}", data: map[string]string{"Team": "x"}, wantErr: `ticket.title: template: ticket.title:1:2: executing "ticket.title" at <.Nope>: map has no entry for key "Nope"`},
		{name: "a missing struct field is an error naming the template", tmpl: "{{.Owner}}", data: sampleData(), wantErr: "ticket.title: template: ticket.title:1:2: executing \"ticket.title\" at <.Owner>: can't evaluate field Owner"},
		{name: "an unknown function is an error", tmpl: `{{env "HOME"}}`, data: sampleData(), wantErr: `ticket.title: template: ticket.title:1: function "env" not defined`},
		{name: "a template that does not parse is an error", tmpl: "{{if .Team}}", data: sampleData(), wantErr: "ticket.title: template: ticket.title:1: unexpected EOF"},
		{name: "output past 64 KiB is an error", tmpl: `{{range .}}{{.}}{{end}}`, data: []string{strings.Repeat("x", 40<<10), strings.Repeat("y", 40<<10)}, wantErr: "ticket.title: output exceeds 64 KiB"},
		{name: "output of exactly 64 KiB is allowed", tmpl: `{{range .}}{{.}}{{end}}`, data: []string{strings.Repeat("x", 32<<10), strings.Repeat("y", 32<<10)}, wantSize: 64 << 10},
		{name: "ranging over a number literal is refused", tmpl: "{{range 1000000000}}{{end}}", data: nil, wantErr: "number 1000000000 not allowed"},
		{name: "a variable set to a number literal is refused", tmpl: "{{$n := 1000000000}}{{range $n}}{{end}}", data: nil, wantErr: "number 1000000000 not allowed"},
		{name: "with over a number literal is refused", tmpl: "{{with or 0 1000000000}}{{range .}}{{end}}{{end}}", data: nil, wantErr: "number 0 not allowed"},
		{name: "a number literal as a function argument is allowed", tmpl: `{{printf "%03d" 7}}`, data: nil, want: "007"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render("ticket.title", tt.tmpl, tt.data)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Render() = %q, want error containing %q", got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Render() error = %q, want it to contain %q", err, tt.wantErr)
				}
				if got, want := tandem.ErrorCode(err), tandem.EINVALID; got != want {
					t.Errorf("ErrorCode() = %q, want %q", got, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			if tt.wantSize > 0 {
				if got, want := len(got), tt.wantSize; got != want {
					t.Errorf("len(Render()) = %d, want %d", got, want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("Render() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTicketTitle(t *testing.T) {
	for _, tt := range []struct {
		name    string
		tmpl    string
		want    string
		wantErr string
	}{
		{name: "the default title is the migration's title and the team", want: "Move to slog (payments)"},
		{name: "a migration's own title is used", tmpl: "[{{.Migration.Name}}] {{upper .Team}} by {{.Deadline}}", want: "[slog] PAYMENTS by 2027-01-31"},
		{name: "a bad title is an error naming ticket.title", tmpl: "{{.Nope}}", wantErr: "ticket.title: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tandem.Migration{Ticket: tandem.TicketSpec{Title: tt.tmpl}}
			got, err := TicketTitle(m, sampleData())
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("TicketTitle() = %q, %v, want error starting %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("TicketTitle() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("TicketTitle() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTicketBody(t *testing.T) {
	noDeadline := sampleData()
	noDeadline.Deadline = ""
	noDeadline.Migration.Summary = ""
	for _, tt := range []struct {
		name    string
		tmpl    string
		data    TicketData
		want    []string // substrings the body must contain
		notWant []string // substrings it must not contain
		wantErr string
	}{
		{
			name: "the default body names the migration, the deadline and every codebase with its evidence",
			data: sampleData(),
			want: []string{
				"## Move to slog\n",
				"The old logger is going away.",
				"**Deadline:** 2027-01-31",
				"- **billing**: go.mod:7\n",
				"- **ledger**: pkg/log/log.go:12, main.go:3\n",
				"Tandem closes this ticket by itself when the code no longer needs the change.",
			},
			notWant: []string{"tandem:campaign"},
		},
		{
			name:    "the default body leaves out a missing deadline and summary",
			data:    noDeadline,
			want:    []string{"- **billing**: go.mod:7\n", "Tandem closes this ticket"},
			notWant: []string{"Deadline", "<no value>", "\n\n\n"},
		},
		{name: "a migration's own body is used", tmpl: "Please fix {{len .Codebases}} codebases.", data: sampleData(), want: []string{"Please fix 2 codebases."}},
		{name: "a bad body is an error naming ticket.body", tmpl: "{{template \"x\"}}", data: sampleData(), wantErr: "ticket.body: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := tandem.Migration{Ticket: tandem.TicketSpec{Body: tt.tmpl}}
			got, err := TicketBody(m, tt.data)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("TicketBody() = %q, %v, want error starting %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("TicketBody() error = %v", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(got, s) {
					t.Errorf("TicketBody() = %q, want it to contain %q", got, s)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(got, s) {
					t.Errorf("TicketBody() = %q, want it not to contain %q", got, s)
				}
			}
		})
	}
}

func TestValidateTemplates(t *testing.T) {
	for _, tt := range []struct {
		name string
		m    tandem.Migration
		want string // the error, "" for none
	}{
		{name: "a migration with default templates is valid", m: tandem.Migration{}},
		{
			name: "a migration with good templates is valid",
			m: tandem.Migration{
				Ticket: tandem.TicketSpec{Title: "{{.Team}}", Body: "{{range .Codebases}}{{.Name}}{{end}}"},
				Fix:    &tandem.FixSpec{Title: "Fix {{(index .Codebases 0).Name}}", Body: "{{evidence (index .Codebases 0).Evidence}}"},
			},
		},
		{
			name: "every bad template is named by its field",
			m: tandem.Migration{
				Ticket: tandem.TicketSpec{Title: "{{.Team", Body: "ok"},
				Fix:    &tandem.FixSpec{Title: "ok", Body: "{{shell}}"},
			},
			want: "ticket.title: template: ticket.title:1: unclosed action\nfix.body: template: fix.body:1: function \"shell\" not defined",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTemplates(tt.m)
			got := ""
			if err != nil {
				got = err.Error()
				if code := tandem.ErrorCode(err); code != tandem.EINVALID {
					t.Errorf("ErrorCode() = %q, want %q", code, tandem.EINVALID)
				}
			}
			if got != tt.want {
				t.Errorf("ValidateTemplates() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFixBody: the default change request body says the deadline passed
// only once it has.
func TestFixBody(t *testing.T) {
	before := sampleData()
	after := sampleData()
	after.PastDeadline = true
	none := sampleData()
	none.Deadline = ""
	for _, tt := range []struct {
		name    string
		data    TicketData
		want    string
		notWant string
	}{
		{"before the deadline", before, "because the codebase still needs it; the deadline is 2027-01-31.", "after"},
		{"after the deadline", after, "because the codebase still needed it after the deadline, 2027-01-31.", ""},
		{"without a deadline", none, "because the codebase still needs it.", "deadline"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FixBody(tandem.Migration{Title: "Move to slog", Fix: &tandem.FixSpec{}}, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, tt.want) || (tt.notWant != "" && strings.Contains(got, tt.notWant)) {
				t.Errorf("FixBody() = %q, want %q and not %q", got, tt.want, tt.notWant)
			}
		})
	}
	if got, err := FixBody(tandem.Migration{Fix: &tandem.FixSpec{Body: "Own {{ .Team }}"}}, before); err != nil || got != "Own payments" {
		t.Errorf("a fix's own body = %q, %v", got, err)
	}
}

func TestPastDeadline(t *testing.T) {
	for _, tt := range []struct {
		deadline string
		now      time.Time
		want     bool
	}{
		{"2027-01-31", time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC), false},
		{"2027-01-31", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), true},
		{"", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"someday", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		if got := PastDeadline(tt.deadline, tt.now); got != tt.want {
			t.Errorf("PastDeadline(%q, %v) = %v, want %v", tt.deadline, tt.now, got, tt.want)
		}
	}
}
