package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/sqlstore/sqlstoretest"
)

// TestRoles splits Tandem between an API process, which enqueues a scan
// and works none of it, and a worker process, which works it and serves
// no API; both share one PostgreSQL database. SQLite refuses the split.
func TestRoles(t *testing.T) {
	t.Parallel()
	code, _, errOut := tandemCLI(t, "", "serve", "--db", sqlstoretest.SQLite(t), "--role", "api", "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errOut, "--role api needs a PostgreSQL database") {
		t.Errorf("--role api on SQLite: exit %d, %s", code, errOut)
	}
	code, _, errOut = tandemCLI(t, "", "serve", "--db", sqlstoretest.SQLite(t), "--role", "web")
	if code == 0 || !strings.Contains(errOut, `--role "web": want all, api or worker`) {
		t.Errorf("--role web: exit %d, %s", code, errOut)
	}

	dsn := sqlstoretest.Postgres(t)
	api := startServer(t, dsn, "--role", "api")
	catalog, _ := campaignFleet(t)
	if code, _, errOut := tandemCLI(t, api, "apply", "-f", catalog); code != 0 {
		t.Fatalf("apply: %s", errOut)
	}
	req, _ := http.NewRequest(http.MethodPost, api+"/api/v1/scans", nil)
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var scan tandem.Scan
	if err := json.NewDecoder(resp.Body).Decode(&scan); err != nil || scan.ID == 0 {
		t.Fatalf("starting a scan: %s %v", resp.Status, err)
	}
	resp.Body.Close()
	// Waiting on a scan nobody works answers after the wait, unchanged.
	if err := json.Unmarshal([]byte(httpGet(t, fmt.Sprintf("%s/api/v1/scans/%d?wait=1s", api, scan.ID))), &scan); err != nil {
		t.Fatal(err)
	}
	if scan.State != tandem.ScanRunning || scan.Done != 0 {
		t.Fatalf("with no worker the scan is %+v, want it waiting", scan)
	}
	if r := request(t, "GET", fmt.Sprintf("%s/api/v1/scans/%d?wait=forever", api, scan.ID), "", "", nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `wait: \"forever\" is not a duration`) {
		t.Errorf("wait=forever: %d %s, want 422 naming the parameter", r.status, r.body)
	}

	// Pages and lists the api process cached before the scan must show
	// what the worker wrote once it is done.
	listed := httpGet(t, api+"/api/v1/codebases")
	home := httpGet(t, api+"/")

	// The API process learns of the worker's progress while it waits: each
	// answer is a step on, until done.
	worker := startServer(t, dsn, "--role", "worker")
	for answers := 0; scan.State == tandem.ScanRunning; answers++ {
		before := scan
		if err := json.Unmarshal([]byte(httpGet(t, fmt.Sprintf("%s/api/v1/scans/%d?wait=60s", api, scan.ID))), &scan); err != nil {
			t.Fatal(err)
		}
		if scan.Progress() == before.Progress() && scan.State == before.State {
			t.Fatalf("answer %d came without the scan moving on: %+v", answers, scan)
		}
	}
	if scan.Done != 6 {
		t.Errorf("once a worker started, the scan is %+v, want 6 codebases done", scan)
	}
	var codebases []tandem.Codebase
	after := httpGet(t, api+"/api/v1/codebases")
	if err := json.Unmarshal([]byte(after), &codebases); err != nil || after == listed {
		t.Fatalf("the api process lists the same codebases after the worker's scan as before (%v)", err)
	}
	read := 0
	for _, c := range codebases {
		if c.Head != "" {
			read++
		}
	}
	if read != 6 {
		t.Errorf("the api process lists %d codebases read after the worker's scan, want 6", read)
	}
	if after := httpGet(t, api+"/"); after == home || !strings.Contains(after, "6 codebases") {
		t.Errorf("the api process's home page after the worker's scan does not say 6 codebases")
	}
	if body := httpGet(t, worker+"/healthz"); !strings.Contains(body, "ok") {
		t.Errorf("the worker's /healthz = %q", body)
	}
	resp, err = http.Get(worker + "/api/v1/teams")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the worker's API answered %s, want 404", resp.Status)
	}
}
