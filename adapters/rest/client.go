package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// Bounds of reading answers.
const (
	// maxErrorBody bounds what is read of a failure answer, for the logs.
	maxErrorBody = 64 << 10
	maxRedirects = 5
)

// httpClient returns a copy of the source's client that follows redirects
// only on the base URL's scheme and host.
func httpClient(src *http.Client, base *url.URL) *http.Client {
	c := &http.Client{}
	if src != nil {
		*c = *src
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !onBase(base, req.URL) {
			return &redirectError{host: req.URL.Host}
		}
		if len(via) >= maxRedirects {
			return fmt.Errorf("stopped after %d redirects", maxRedirects)
		}
		return nil
	}
	return c
}

// tokenClient returns a copy of the source's client that follows no redirect:
// a client secret goes to the configured token endpoint or nowhere.
func tokenClient(src *http.Client) *http.Client {
	c := &http.Client{}
	if src != nil {
		*c = *src
	}
	c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		return &redirectError{host: req.URL.Host}
	}
	return c
}

// send makes an authenticated GET of u and returns a 2xx answer; any other
// answer is an *APIError. fetch says a 404 means the record does not exist.
// A rejected OAuth token is renewed once.
func (a *Adapter) send(ctx context.Context, u *url.URL, fetch bool) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w: %w", u.Path, adapters.ErrBadRequest, err)
		}
		for k, v := range a.headers {
			req.Header[k] = v
		}
		req.Header.Set("Accept", "application/json")
		used, err := a.auth.apply(ctx, req)
		if err != nil {
			return nil, err
		}
		resp, err := a.http.Do(req)
		if err != nil {
			return nil, transportError(u, err)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 && a.auth.renew(used) {
			a.log.InfoContext(ctx, "rest: access token rejected; requesting a new one", "path", u.Path)
			continue
		}
		return nil, statusError(u, resp, body, fetch, a.now())
	}
}

// getJSON GETs u and decodes its JSON answer, read up to max_body.
func (a *Adapter) getJSON(ctx context.Context, u *url.URL, fetch bool) (any, error) {
	resp, err := a.send(ctx, u, fetch)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !isJSON(ct) {
		start, _ := io.ReadAll(io.LimitReader(resp.Body, adapters.MaxRawBody))
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			mt = fmt.Sprintf("%.40q", ct)
		}
		return nil, badAnswer(u, resp.StatusCode, start, fmt.Sprintf("answered %s, not JSON; check base_url and that no proxy or login page answers instead", mt))
	}
	if resp.ContentLength > a.maxBody {
		return nil, badAnswer(u, resp.StatusCode, nil, fmt.Sprintf("answer larger than %s (max_body)", ByteSize(a.maxBody)))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, a.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the answer: %w: %w", u.Path, adapters.ErrUnavailable, err)
	}
	if int64(len(body)) > a.maxBody {
		return nil, badAnswer(u, resp.StatusCode, body, fmt.Sprintf("answer larger than %s (max_body)", ByteSize(a.maxBody)))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badAnswer(u, resp.StatusCode, body, "answered invalid JSON: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badAnswer(u, resp.StatusCode, body, "answered invalid JSON: data after the first value")
	}
	return v, nil
}

// isJSON reports whether a Content-Type is JSON; an answer without one is
// given the benefit of the doubt, and its body decides.
func isJSON(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
