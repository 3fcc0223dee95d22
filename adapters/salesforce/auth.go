package salesforce

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/atrium-dev/atrium/adapters"
)

// Audiences of the JWT bearer flow.
const (
	ProductionAudience = "https://login.salesforce.com"
	SandboxAudience    = "https://test.salesforce.com"
)

// assertionLifetime is how long a JWT assertion is valid: Salesforce tolerates
// about 3 minutes of clock skew and the assertion is used at once.
const assertionLifetime = 3 * time.Minute

// Credentials is an OAuth flow that obtains an access token without a user at
// the keyboard: JWTBearer or ClientCredentials.
type Credentials interface {
	// tokenForm returns the body of the token request.
	tokenForm(now time.Time) (url.Values, error)
}

// JWTBearer is the OAuth 2.0 JWT bearer flow: an RS256 assertion signed with the
// private key whose certificate is uploaded to the connected app.
type JWTBearer struct {
	ClientID string // connected app's consumer key (iss)
	Username string // integration user (sub)
	// Audience is aud; empty means DefaultAudience of the client's login URL.
	Audience string
	Key      *rsa.PrivateKey
}

func (j JWTBearer) tokenForm(now time.Time) (url.Values, error) {
	claims := jwt.MapClaims{
		"iss": j.ClientID,
		"sub": j.Username,
		// A plain string: the jwt package would write a one-element array.
		"aud": j.Audience,
		"exp": now.Add(assertionLifetime).Unix(),
	}
	assertion, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(j.Key)
	if err != nil {
		return nil, fmt.Errorf("sign the JWT assertion: %w", err)
	}
	return url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"assertion":  {assertion},
	}, nil
}

// ClientCredentials is the OAuth 2.0 client credentials flow. Salesforce accepts it
// only on the org's My Domain host and runs it as the connected app's Run As user.
type ClientCredentials struct {
	ClientID     string
	ClientSecret string
}

func (c ClientCredentials) tokenForm(time.Time) (url.Values, error) {
	return url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.ClientID},
		"client_secret": {c.ClientSecret},
	}, nil
}

// DefaultAudience returns the JWT audience for a login URL: the sandbox audience
// for test.salesforce.com and sandbox My Domains, the production one otherwise
// (a production My Domain still expects https://login.salesforce.com).
func DefaultAudience(loginURL string) string {
	u, err := url.Parse(loginURL)
	if err != nil {
		return ProductionAudience
	}
	host := strings.ToLower(u.Hostname())
	if host == "test.salesforce.com" || strings.HasSuffix(host, ".sandbox.my.salesforce.com") {
		return SandboxAudience
	}
	return ProductionAudience
}

// ParsePrivateKey reads an RSA private key in PEM form (PKCS #1 or PKCS #8).
func ParsePrivateKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("not a PEM-encoded RSA private key: %w", err)
	}
	return key, nil
}

// session is an access token and the instance it is valid for. A session is
// replaced, never changed, so a caller can tell whether the one it used is
// stale; what it keeps of its use is whether any call was accepted with it.
type session struct {
	token       string
	instanceURL string
	issuedAt    time.Time

	mu       sync.Mutex
	accepted bool          // a call with the token was answered other than 401
	sending  int           // calls under way with the token
	idle     chan struct{} // closed when sending drops to zero
}

// begin marks a call under way with the session.
func (s *session) begin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sending == 0 {
		s.idle = make(chan struct{})
	}
	s.sending++
}

// end marks a call done, and whether the session was accepted for it.
func (s *session) end(accepted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accepted = s.accepted || accepted
	s.sending--
	if s.sending == 0 {
		close(s.idle)
	}
}

// served reports whether the session was accepted for any call, once the
// calls still under way with it have ended: a call rejected at once may have
// been sent after others that the system served and that are still reading
// their answers.
func (s *session) served(ctx context.Context) (bool, error) {
	s.mu.Lock()
	accepted, idle := s.accepted, s.idle
	if accepted || s.sending == 0 {
		s.mu.Unlock()
		return accepted, nil
	}
	s.mu.Unlock()
	select {
	case <-idle:
	case <-ctx.Done():
		return false, fmt.Errorf("authenticate: %w: %w", adapters.ErrUnavailable, context.Cause(ctx))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted, nil
}

// currentSession returns the session in use, authenticating when there is none.
func (c *Client) currentSession(ctx context.Context) (*session, error) {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		return s, nil
	}
	return c.renew(ctx, nil)
}

// renew replaces the stale session (nil: none yet) with a new one. Callers that
// find their session rejected at the same moment share one token request, and a
// caller whose stale session was already replaced gets the replacement without
// any: Salesforce limits logins per hour.
func (c *Client) renew(ctx context.Context, stale *session) (*session, error) {
	if s := c.replacement(stale); s != nil {
		return s, nil
	}
	ch := c.flight.DoChan("token", func() (any, error) {
		if s := c.replacement(stale); s != nil {
			return s, nil
		}
		// The token request belongs to every waiting caller: one caller giving up
		// must not fail it for the others.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		defer cancel()
		s, err := c.authenticate(actx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.sess = s
		c.mu.Unlock()
		c.log.InfoContext(ctx, "salesforce: authenticated", "instance_url", s.instanceURL)
		return s, nil
	})
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("authenticate: %w: %w", adapters.ErrUnavailable, context.Cause(ctx))
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*session), nil
	}
}

// replacement returns the current session if it differs from stale.
func (c *Client) replacement(stale *session) *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil && c.sess != stale {
		return c.sess
	}
	return nil
}

// authenticate asks the token endpoint for a new access token.
func (c *Client) authenticate(ctx context.Context) (*session, error) {
	form, err := c.creds.tokenForm(c.now())
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w: %w", adapters.ErrAuth, err)
	}
	endpoint := c.loginURL + "/services/oauth2/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w: %w", adapters.ErrBadRequest, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, _, body, err := c.roundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("authenticate at %s: %w", c.loginURL, err)
	}
	if status != http.StatusOK {
		return nil, oauthError(status, body)
	}
	return parseToken(status, body)
}

// parseToken reads a token answer. It has no expires_in: a token is valid until
// a call is answered 401.
func parseToken(status int, body []byte) (*session, error) {
	var t struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
		IssuedAt    string `json:"issued_at"` // epoch milliseconds, as a string
	}
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, badShape(status, body, fmt.Errorf("token answer: %w", err))
	}
	if t.AccessToken == "" {
		return nil, badShape(status, body, errors.New("token answer without access_token"))
	}
	u, err := url.Parse(t.InstanceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, badShape(status, body, fmt.Errorf("token answer: instance_url %q is not an absolute URL", t.InstanceURL))
	}
	s := &session{token: t.AccessToken, instanceURL: strings.TrimRight(t.InstanceURL, "/")}
	if t.IssuedAt != "" {
		ms, err := strconv.ParseInt(t.IssuedAt, 10, 64)
		if err != nil {
			return nil, badShape(status, body, fmt.Errorf("token answer: issued_at %q is not epoch milliseconds", t.IssuedAt))
		}
		s.issuedAt = time.UnixMilli(ms)
	}
	return s, nil
}
