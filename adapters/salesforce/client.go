package salesforce

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/atrium-dev/atrium/adapters"
)

// Defaults of a Client.
const (
	DefaultAPIVersion = "62.0"
	DefaultLoginURL   = "https://login.salesforce.com"
	// DefaultMaxBody bounds an answer: a query page is at most 2000 records.
	DefaultMaxBody = 32 << 20
	defaultTimeout = 30 * time.Second
)

// Config configures a Client.
type Config struct {
	// LoginURL is where tokens are requested: https://login.salesforce.com,
	// https://test.salesforce.com or the org's My Domain URL.
	LoginURL    string
	Credentials Credentials // JWTBearer or ClientCredentials
	APIVersion  string      // e.g. "62.0"; empty means DefaultAPIVersion
	HTTP        *http.Client
	// Timeout bounds each call when the caller's context has no earlier deadline.
	Timeout time.Duration
	// MaxBody bounds the size of an answer; zero means DefaultMaxBody.
	MaxBody int64
	Logger  *slog.Logger
}

// Client calls the Salesforce REST API of one org. It is safe for concurrent use;
// all callers share one access token.
type Client struct {
	loginURL   string
	apiVersion string
	creds      Credentials
	http       *http.Client
	timeout    time.Duration
	maxBody    int64
	log        *slog.Logger
	now        func() time.Time

	flight singleflight.Group
	mu     sync.Mutex
	sess   *session
	usage  usage
}

// NewClient checks cfg and returns a client. It does no I/O: the first call
// authenticates.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.LoginURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("salesforce: login URL %q is not an absolute http(s) URL", cfg.LoginURL)
	}
	c := &Client{
		loginURL:   strings.TrimRight(cfg.LoginURL, "/"),
		apiVersion: cmp.Or(cfg.APIVersion, DefaultAPIVersion),
		http:       cfg.HTTP,
		timeout:    cmp.Or(cfg.Timeout, defaultTimeout),
		maxBody:    cmp.Or(cfg.MaxBody, DefaultMaxBody),
		log:        cfg.Logger,
		now:        time.Now,
	}
	if !validAPIVersion(c.apiVersion) {
		return nil, fmt.Errorf("salesforce: API version %q is not of the form 62.0", c.apiVersion)
	}
	switch cr := cfg.Credentials.(type) {
	case JWTBearer:
		if cr.Key == nil {
			return nil, errors.New("salesforce: JWT bearer flow without a private key")
		}
		if cr.Audience == "" {
			cr.Audience = DefaultAudience(c.loginURL)
		}
		c.creds = cr
	case ClientCredentials:
		c.creds = cr
	default:
		return nil, fmt.Errorf("salesforce: unsupported credentials %T", cfg.Credentials)
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// Usage returns the API usage of the org's daily allocation as last reported by
// Salesforce, and when; zero values before the first answer.
func (c *Client) Usage() (used, limit int, seen time.Time) { return c.usage.get() }

// InstanceURL returns the org's instance URL, known after the first successful
// authentication; empty before.
func (c *Client) InstanceURL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess == nil {
		return ""
	}
	return c.sess.instanceURL
}

// dataPath returns the path of a REST resource under the configured version.
func (c *Client) dataPath(resource string) string {
	return "/services/data/v" + c.apiVersion + resource
}

// maxSessionTries bounds the sends of one call whose sessions keep expiring
// under it, used up by other calls each time before its turn.
const maxSessionTries = 8

// get calls GET {instance_url}{path}, decodes the JSON answer into out and
// returns it raw, for error reports. A rejected session is renewed and the
// call sent again; nothing else is retried here: retrying is the decision of
// the caller, from the error class.
func (c *Client) get(ctx context.Context, path string, header http.Header, out any) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	s, err := c.currentSession(ctx)
	if err != nil {
		return nil, err
	}
	var (
		status  int
		answer  http.Header
		body    []byte
		renewed bool // this call has asked for a token of its own
	)
	for try := 1; ; try++ {
		s.begin()
		status, answer, body, err = c.send(ctx, s, path, header)
		s.end(err == nil && status != http.StatusUnauthorized)
		if err != nil {
			return nil, err
		}
		if status != http.StatusUnauthorized {
			break
		}
		// Any 401 means the token is not accepted (documented:
		// INVALID_SESSION_ID); a fresh token is the only remedy. When several
		// calls find the session expired at once, one token request serves
		// them all, and a call that finds its session already replaced sends
		// again with the newest at no cost. A call asks for a new token once,
		// and again only if the one it got served other calls before it
		// expired in turn: a token rejected before it served any means the
		// session itself is refused, which another token will not mend.
		if try == maxSessionTries {
			break
		}
		next := c.replacement(s)
		if next == nil && renewed {
			served, err := s.served(ctx)
			if err != nil {
				return nil, err
			}
			if !served {
				break
			}
			next = c.replacement(s) // it may have been replaced meanwhile
		}
		if next == nil {
			c.log.InfoContext(ctx, "salesforce: session rejected; authenticating again", "path", path)
			if next, err = c.renew(ctx, s); err != nil {
				return nil, err
			}
			renewed = true
		}
		s = next
	}
	if status != http.StatusOK {
		e := apiError(status, body)
		e.retryAfter = adapters.ParseRetryAfter(answer.Get("Retry-After"), c.now())
		if e.shapeErr != nil {
			c.log.WarnContext(ctx, "salesforce: undocumented error answer", "path", path, "error", e)
		}
		return nil, e
	}
	if err := json.Unmarshal(body, out); err != nil {
		e := badShape(status, body, err)
		c.log.WarnContext(ctx, "salesforce: undocumented answer", "path", path, "error", e)
		return nil, e
	}
	return body, nil
}

// send makes one authenticated GET on the session's instance.
func (c *Client) send(ctx context.Context, s *session, path string, header http.Header) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.instanceURL+path, nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("build request for %s: %w: %w", path, adapters.ErrBadRequest, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Accept", "application/json")
	status, answer, body, err := c.roundTrip(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return status, answer, body, nil
}

// roundTrip sends req and reads the bounded body, recording API usage. Transport
// failures and timeouts are ErrUnavailable, still matching the context's error.
func (c *Client) roundTrip(req *http.Request) (int, http.Header, []byte, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%w: %w", adapters.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	c.usage.observe(resp.Header, c.now())
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read the answer: %w: %w", adapters.ErrUnavailable, err)
	}
	if int64(len(body)) > c.maxBody {
		return 0, nil, nil, badShape(resp.StatusCode, body,
			fmt.Errorf("answer larger than %d bytes", c.maxBody))
	}
	return resp.StatusCode, resp.Header, body, nil
}

// validAPIVersion reports whether v has the form of a REST API version, e.g. "62.0".
func validAPIVersion(v string) bool {
	major, ok := strings.CutSuffix(v, ".0")
	if !ok || len(major) < 2 || len(major) > 3 || major[0] == '0' {
		return false
	}
	for _, r := range major {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
