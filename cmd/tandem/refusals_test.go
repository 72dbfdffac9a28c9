package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestRefusalsSayWhatNext runs every command the CLI refuses, against a
// real server, and checks that each refusal says what to do next: the
// flag to give, the valid values, the name perhaps meant, how to sign in.
func TestRefusalsSayWhatNext(t *testing.T) {
	t.Parallel()
	url := startServer(t, sqlstoretest.SQLite(t))
	catalog, _ := campaignFleet(t)
	if code, _, errOut := tandemCLI(t, url, "apply", "-f", catalog); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	if code, _, errOut := tandemCLI(t, url, "scan", "--wait"); code != 0 {
		t.Fatalf("scan: %s", errOut)
	}
	viewer := tokenSecret(t, url, "token", "create", "--person", "vera", "--role", "viewer")
	alice := tokenSecret(t, url, "token", "create", "--person", "alice", "--role", "team-member")
	if code, _, errOut := tandemCLI(t, url, "request", "create", "--from", "payments", "--platform", "obslog", "--title", "Help", "--by", "alice"); code != 0 {
		t.Fatalf("request create: %s", errOut)
	}
	if code, _, errOut := tandemCLI(t, url, "engagement", "create", "--person", "carol", "--home", "observability", "--host", "payments", "--purpose", "Help"); code != 0 {
		t.Fatalf("engagement create: %s", errOut)
	}
	typo := filepath.Join(t.TempDir(), "typo.yaml")
	writeFile(t, typo, "apiVersion: tandem.dev/v1\nkind: Migration\nmetadata: {name: m}\nspec:\n  platfrom: obslog\n  title: T\n  target: {path: x}\n"+
		"---\napiVersion: tandem.dev/v1\nkind: Codebase\nmetadata: {name: search}\nspec: {owner: nobody}\n")

	for _, tt := range []struct {
		name  string
		token string // "" for the admin's, "-" for none
		args  []string
		want  []string
	}{
		{"a change without a token says to sign in", "-", []string{"request", "update", "1", "--state", "accepted"}, []string{"sign in first", "TANDEM_TOKEN"}},
		{"a viewer's change says whose token may", viewer, []string{"request", "update", "1", "--state", "accepted"}, []string{"vera's viewer token may not", "tandem token create"}},
		{"acting as another person without an admin's token names who may", alice, []string{"request", "update", "1", "--state", "accepted", "--by", "carol"}, []string{"cannot act as carol", "only with an admin's token"}},
		{"the admin outside the teams is told of --by", "", []string{"request", "update", "1", "--state", "accepted"}, []string{"admin is in neither payments nor observability", "--by NAME"}},
		{"the admin logging hours is told of --by", "", []string{"engagement", "log", "1", "--hours", "2"}, []string{"admin is in neither observability nor payments", "--by NAME"}},
		{"an unknown migration suggests the near one", "", []string{"campaign", "status", "logrus-to-obslg"}, []string{"did you mean logrus-to-obslog?", "tandem campaign list"}},
		{"an unknown codebase says how to list them", "", []string{"contributors", "checkout-wbe"}, []string{"did you mean checkout-web?", "tandem get codebases"}},
		{"an unknown team suggests the near one", "", []string{"request", "create", "--from", "paymnets", "--platform", "obslog", "--title", "x"}, []string{"did you mean payments?", "tandem get teams"}},
		{"an unknown platform says how to list them", "", []string{"request", "create", "--from", "payments", "--platform", "nope", "--title", "x"}, []string{`platform "nope" not found`, "tandem get platforms"}},
		{"an unknown name of get says how to list them", "", []string{"get", "team", "paymens"}, []string{"did you mean payments?"}},
		{"an unknown kind suggests the near one", "", []string{"get", "codebses"}, []string{"did you mean codebases?", "valid: teams"}},
		{"an unknown command suggests the near one", "", []string{"campaign", "lanch", "x"}, []string{"did you mean launch?"}},
		{"a missing required flag shows the usage", "", []string{"campaign", "approve", "logrus-to-obslog"}, []string{`"codebase" not set`, "usage: tandem campaign approve NAME --codebase X"}},
		{"a missing flag of request create shows the usage", "", []string{"request", "create", "--platform", "obslog"}, []string{`"from"`, "usage: tandem request create"}},
		{"a missing argument shows the usage", "", []string{"request", "show"}, []string{"accepts 1 arg(s)", "usage: tandem request show ID"}},
		{"an unknown flag shows the usage", "", []string{"get", "teams", "--ownr", "x"}, []string{"unknown flag: --ownr", "usage: tandem get KIND [NAME]"}},
		{"a bad date says the format", "", []string{"campaign", "exempt", "logrus-to-obslog", "--codebase", "search", "--reason", "r", "--until", "next week"}, []string{`--until "next week"`, "YYYY-MM-DD"}},
		{"a bad day of a log says the format", "", []string{"engagement", "log", "1", "--hours", "1", "--day", "31/12/2026", "--by", "carol"}, []string{`--day "31/12/2026"`, "YYYY-MM-DD"}},
		{"a bad -o says the valid values", "", []string{"campaign", "launch", "logrus-to-obslog", "-o", "jsn"}, []string{"did you mean json?", "valid: text, json, yaml"}},
		{"-o of a table says the valid values", "", []string{"contributors", "search", "-o", "csv"}, []string{"valid: table, json, yaml"}},
		{"a bad token id says how to list them", "", []string{"token", "revoke", "vera"}, []string{"tandem token list"}},
		{"apply reports a misspelt key, with the name meant, and a reference, at once", "", []string{"apply", "-f", typo}, []string{"spec.platfrom: unknown field: did you mean platform?", "spec.platform: required", `spec.owner: team "nobody" not found`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k != "TANDEM_TOKEN" {
					return ""
				}
				switch tt.token {
				case "":
					return testAdminToken
				case "-":
					return ""
				}
				return tt.token
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(tt.args, "--server", url), getenv, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1; stdout: %s", code, stdout.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
		})
	}
}

// tokenSecret runs token create and returns the secret it prints.
func tokenSecret(t *testing.T, url string, args ...string) string {
	t.Helper()
	code, out, errOut := tandemCLI(t, url, args...)
	if code != 0 {
		t.Fatalf("%v: %s", args, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}
