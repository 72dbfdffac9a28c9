package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tandem-dev/tandem"
)

// Client talks to a Tandem server's API.
type Client struct {
	// URL is the server's base URL, such as http://127.0.0.1:8080.
	URL   string
	Token string
	HTTP  *http.Client
}

// Apply sends files to be applied together; dir is the folder their
// relative names are relative to.
func (c *Client) Apply(ctx context.Context, dir string, files []File) ([]tandem.Applied, error) {
	var resp ApplyResponse
	if err := c.do(ctx, http.MethodPost, "/api/v1/apply", ApplyRequest{Files: files, Dir: dir}, &resp); err != nil {
		return nil, err
	}
	return resp.Applied, nil
}

// Get reads the objects of a collection ("teams", "codebases"…), or the
// one named, decoding the JSON answer into out. A list answered in pages
// is read to its end, following each page's Link to the next, and
// decoded as one list.
func (c *Client) Get(ctx context.Context, collection, name string, query url.Values, out any) error {
	path := "/api/v1/" + collection
	if name != "" {
		path += "/" + url.PathEscape(name)
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	target := strings.TrimRight(c.URL, "/") + path
	var first json.RawMessage
	next, err := c.send(ctx, http.MethodGet, target, nil, &first)
	if err != nil {
		return err
	}
	if next == "" {
		if err := json.Unmarshal(first, out); err != nil {
			return fmt.Errorf("GET %s: decode answer: %w", path, err)
		}
		return nil
	}
	items := []json.RawMessage{}
	if err := json.Unmarshal(first, &items); err != nil {
		return fmt.Errorf("GET %s: decode a page: %w", path, err)
	}
	seen := map[string]bool{target: true}
	for next != "" {
		if seen[next] {
			return tandem.Errorf(tandem.EINTERNAL, "GET %s: the server's pages link back to %s", path, next)
		}
		seen[next] = true
		var page []json.RawMessage
		if next, err = c.send(ctx, http.MethodGet, next, nil, &page); err != nil {
			return err
		}
		items = append(items, page...)
	}
	all, err := json.Marshal(items)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(all, out); err != nil {
		return fmt.Errorf("GET %s: decode answer: %w", path, err)
	}
	return nil
}

// Post sends in as JSON to an API path (below /api/v1) and decodes the
// answer into out.
func (c *Client) Post(ctx context.Context, path string, in, out any) error {
	return c.do(ctx, http.MethodPost, "/api/v1/"+strings.TrimPrefix(path, "/"), in, out)
}

// Raw returns the body of a GET of an API path, for exports.
func (c *Client) Raw(ctx context.Context, path string) ([]byte, error) {
	var raw rawBody
	err := c.do(ctx, http.MethodGet, "/api/v1/"+strings.TrimPrefix(path, "/"), nil, &raw)
	return raw, err
}

// rawBody receives an answer as it is.
type rawBody []byte

// StartScan starts a scan of every code host.
func (c *Client) StartScan(ctx context.Context) (tandem.Scan, error) {
	var scan tandem.Scan
	err := c.do(ctx, http.MethodPost, "/api/v1/scans", nil, &scan)
	return scan, err
}

// Scan reads a scan's progress as soon as it moves on, or after wait
// (0: at once).
func (c *Client) Scan(ctx context.Context, id int64, wait time.Duration) (tandem.Scan, error) {
	var scan tandem.Scan
	path := fmt.Sprintf("/api/v1/scans/%d", id)
	if wait > 0 {
		path += "?wait=" + wait.String()
	}
	err := c.do(ctx, http.MethodGet, path, nil, &scan)
	return scan, err
}

// do sends a request to an API path and decodes the answer into out, or
// the API's error body into a *tandem.Error (an *tandem.InvalidError when
// it lists problems). A server that cannot be reached is EUNAVAILABLE.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	_, err := c.send(ctx, method, strings.TrimRight(c.URL, "/")+path, in, out)
	return err
}

// send is do to a whole URL, returning the URL of the answer's next page
// (its Link rel="next", resolved against target), or "". A next page on
// another server is refused: the token goes to c.URL's alone.
func (c *Client) send(ctx context.Context, method, target string, in, out any) (string, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return "", err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return "", tandem.Errorf(tandem.EINVALID, "server %q: %v", c.URL, err)
	}
	path := req.URL.RequestURI()
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", tandem.Errorf(tandem.EUNAVAILABLE, "cannot reach the Tandem server at %s (start one with `tandem serve`, or set --server): %v", c.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil || eb.Error.Code == "" {
			return "", tandem.Errorf(tandem.EINTERNAL, "%s %s: server answered %s", method, path, resp.Status)
		}
		if len(eb.Error.Problems) > 0 {
			return "", &tandem.InvalidError{Problems: eb.Error.Problems}
		}
		return "", &tandem.Error{Code: eb.Error.Code, Message: eb.Error.Message}
	}
	next, err := nextPage(req.URL, resp.Header)
	if err != nil {
		return "", err
	}
	if out == nil {
		return next, nil
	}
	if raw, ok := out.(*rawBody); ok {
		b, err := io.ReadAll(resp.Body)
		*raw = b
		return next, err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return "", fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return next, nil
}

// nextPage returns the URL of the Link rel="next" of an answer to a
// request for base, or "" when there is none.
func nextPage(base *url.URL, h http.Header) (string, error) {
	for _, v := range h.Values("Link") {
		for link := range strings.SplitSeq(v, ",") {
			ref, params, _ := strings.Cut(strings.TrimSpace(link), ";")
			if !strings.HasPrefix(ref, "<") || !strings.HasSuffix(ref, ">") || !isNext(params) {
				continue
			}
			u, err := base.Parse(strings.Trim(ref, "<>"))
			if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
				return "", tandem.Errorf(tandem.EINTERNAL, "the server's next page %s is not on %s", ref, base.Host)
			}
			return u.String(), nil
		}
	}
	return "", nil
}

// isNext reports whether a link's parameters hold rel="next".
func isNext(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(name, "rel") && slices.Contains(strings.Fields(strings.Trim(value, `"`)), "next") {
			return true
		}
	}
	return false
}
