package chat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tandem-dev/tandem"
	"github.com/tandem-dev/tandem/chat"
)

func TestPost(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/down") {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		got = append(got, m["text"])
	}))
	defer srv.Close()
	env := map[string]string{"PAYMENTS_CHAT": srv.URL + "/hook", "DOWN_CHAT": srv.URL + "/down"}
	p := &chat.Poster{Getenv: func(k string) string { return env[k] }}

	t.Run("AMessageArrives", func(t *testing.T) {
		if err := p.Post(context.Background(), tandem.Chat{Webhook: "env:PAYMENTS_CHAT"}, "Reminder"); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != "Reminder" {
			t.Errorf("received %q", got)
		}
	})
	t.Run("AnUnsetReferenceIsInvalid", func(t *testing.T) {
		err := p.Post(context.Background(), tandem.Chat{Webhook: "env:NOPE"}, "x")
		if tandem.ErrorCode(err) != tandem.EINVALID {
			t.Errorf("err = %v, want EINVALID", err)
		}
	})
	t.Run("AnErrorAnswerIsUnavailableAndHidesTheURL", func(t *testing.T) {
		err := p.Post(context.Background(), tandem.Chat{Webhook: "env:DOWN_CHAT"}, "x")
		if tandem.ErrorCode(err) != tandem.EUNAVAILABLE || strings.Contains(err.Error(), srv.URL) {
			t.Errorf("err = %v, want EUNAVAILABLE without the URL", err)
		}
	})
}
