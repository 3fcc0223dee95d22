package bench

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// NewClient returns a client with a cookie jar that follows no redirects, as
// SignIn needs: a lost session then shows as a 303 instead of a login page.
// It keeps up to idlePerHost idle connections to a host (0: Go's default, 2).
func NewClient(idlePerHost int) *http.Client {
	jar, _ := cookiejar.New(nil) // no options, no error
	return &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{MaxIdleConnsPerHost: idlePerHost, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
}

// SignIn walks the sign-in flow from target through the demo identity
// provider's form as the demo user, with client (which must have a cookie jar
// and follow no redirects), and returns the page it lands on.
func SignIn(ctx context.Context, client *http.Client, portalURL, target string) (string, error) {
	formAction := regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	authReqID := regexp.MustCompile(`name="authRequestID" value="([^"]+)"`)
	resp, body, err := follow(ctx, client, portalURL+target, nil)
	if err != nil {
		return "", err
	}
	m, id := formAction.FindStringSubmatch(body), authReqID.FindStringSubmatch(body)
	if m == nil || id == nil {
		return "", fmt.Errorf("bench: no login form at %s (status %d)", resp.Request.URL, resp.StatusCode)
	}
	form := url.Values{"authRequestID": {id[1]}, "username": {UserName}, "password": {UserPassword}}
	action := resolve(resp.Request.URL, html.UnescapeString(m[1]))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", resp.Request.URL.Scheme+"://"+resp.Request.URL.Host)
	resp, body, err = follow(ctx, client, "", req)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), portalURL) {
		return "", fmt.Errorf("bench: sign-in ended at %s with status %d", resp.Request.URL, resp.StatusCode)
	}
	return body, nil
}

// follow sends req (or a GET of u) and follows redirects by hand, at most ten.
func follow(ctx context.Context, client *http.Client, u string, req *http.Request) (*http.Response, string, error) {
	for range 10 {
		if req == nil {
			var err error
			if req, err = http.NewRequestWithContext(ctx, http.MethodGet, u, nil); err != nil {
				return nil, "", err
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, "", err
		}
		switch resp.StatusCode {
		case http.StatusFound, http.StatusSeeOther, http.StatusMovedPermanently, http.StatusTemporaryRedirect:
			u, req = resolve(resp.Request.URL, resp.Header.Get("Location")), nil
			continue
		}
		return resp, string(b), nil
	}
	return nil, "", errors.New("bench: too many redirects")
}

func resolve(base *url.URL, ref string) string {
	r, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return r.String()
}

// Timing is one page load as the client saw it.
type Timing struct {
	Status int
	// FirstByte is the time to the first byte of the body, LastByte the time
	// to its end, both from just before the request was sent.
	FirstByte, LastByte time.Duration
	Body                string
}

// Load gets u with client and times the first and the last byte of the body.
func Load(ctx context.Context, client *http.Client, u string) (Timing, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Timing{}, err
	}
	var t Timing
	var body strings.Builder
	buf := make([]byte, 32<<10)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	t.Status = resp.StatusCode
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 && body.Len() == 0 {
			t.FirstByte = time.Since(start)
		}
		body.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return t, err
		}
	}
	t.LastByte = time.Since(start)
	t.Body = body.String()
	return t, nil
}

// PanelSlots are the slots of the panels of a customer page of the
// benchmarks' portal, whose one source is Salesforce: a complete page fills
// each (see CompletePage).
func PanelSlots() []string {
	return []string{"salesforce-contacts", "salesforce-opportunities", "salesforce-cases"}
}

// CompletePage reports what is wrong with a loaded customer page, if anything:
// it must be a 200 that ends the document with every panel filled.
func CompletePage(t Timing, name string, panels ...string) error {
	switch {
	case t.Status != http.StatusOK:
		return fmt.Errorf("status %d", t.Status)
	case !strings.Contains(t.Body, name):
		return fmt.Errorf("the page does not name %q", name)
	case !strings.Contains(t.Body, "</html>"):
		return errors.New("the page does not end")
	case strings.Contains(t.Body, "Still loading from"):
		return errors.New("a panel was late")
	}
	for _, p := range panels {
		if !strings.Contains(t.Body, `slot="`+p+`"`) {
			return fmt.Errorf("panel %s is missing", p)
		}
	}
	return nil
}

// Percentile returns the p-th percentile of ds by the nearest-rank method.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Millis is d in milliseconds, for reporting.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
