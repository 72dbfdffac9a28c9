// Package chat posts messages to teams' chat channels through incoming
// webhooks that take {"text": …}.
package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// Timeout bounds one post.
const Timeout = 10 * time.Second

// Poster posts to chat webhooks named by reference ("env:NAME").
type Poster struct {
	// Getenv resolves references (os.Getenv in production).
	Getenv func(string) string
	Client *http.Client
}

// Post sends text to the webhook c names. It returns EINVALID for a
// reference that names no set variable and EUNAVAILABLE when the chat
// answers with an error or not at all; the webhook's URL, a secret, is
// never in the error.
func (p *Poster) Post(ctx context.Context, c tandem.Chat, text string) error {
	name, ok := strings.CutPrefix(c.Webhook, "env:")
	url := ""
	if ok {
		url = p.Getenv(name)
	}
	if url == "" {
		return tandem.Errorf(tandem.EINVALID, "chat webhook %s: the server's environment does not set it", c.Webhook)
	}
	body, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return tandem.Errorf(tandem.EINVALID, "chat webhook %s: not a URL", c.Webhook)
	}
	req.Header.Set("Content-Type", "application/json")
	hc := p.Client
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return tandem.Errorf(tandem.EUNAVAILABLE, "chat webhook %s: unreachable", c.Webhook)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 {
		return tandem.Errorf(tandem.EUNAVAILABLE, "chat webhook %s: answered %s", c.Webhook, resp.Status)
	}
	return nil
}
