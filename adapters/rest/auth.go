package rest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/sync/singleflight"

	"github.com/atrium-dev/atrium/adapters"
)

// Authentication types.
const (
	AuthBearer = "bearer"
	AuthBasic  = "basic"
	AuthAPIKey = "api_key"
	AuthOAuth2 = "oauth2"
)

// Auth is how requests authenticate; no type means none.
type Auth struct {
	Type string `yaml:"type"`
	// bearer
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// basic
	Username     string `yaml:"username"`
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
	// api_key: the key sent in the named header
	Header  string `yaml:"header"`
	Key     string `yaml:"key"`
	KeyFile string `yaml:"key_file"`
	// oauth2: the client credentials grant
	TokenURL         string   `yaml:"token_url"`
	ClientID         string   `yaml:"client_id"`
	ClientSecret     string   `yaml:"client_secret"`
	ClientSecretFile string   `yaml:"client_secret_file"`
	Scopes           []string `yaml:"scopes"`

	secret string // the token, password, key or client secret, read by validate
}

// authKeys lists the keys each type uses, in the order they are reported.
var authKeys = map[string][]string{
	AuthBearer: {"token", "token_file"},
	AuthBasic:  {"username", "password", "password_file"},
	AuthAPIKey: {"header", "key", "key_file"},
	AuthOAuth2: {"token_url", "client_id", "client_secret", "client_secret_file", "scopes"},
}

func (au *Auth) validate(p *problems) {
	au.Type = strings.TrimSpace(au.Type)
	au.secret = ""
	set := map[string]bool{
		"token": au.Token != "", "token_file": au.TokenFile != "",
		"username": au.Username != "", "password": au.Password != "", "password_file": au.PasswordFile != "",
		"header": au.Header != "", "key": au.Key != "", "key_file": au.KeyFile != "",
		"token_url": au.TokenURL != "", "client_id": au.ClientID != "", "client_secret": au.ClientSecret != "",
		"client_secret_file": au.ClientSecretFile != "", "scopes": len(au.Scopes) > 0,
	}
	switch au.Type {
	case "":
		for _, k := range slices.Sorted(maps.Keys(set)) {
			if set[k] {
				p.add("auth."+k, "is set but auth has no type", "set auth.type: bearer, basic, api_key or oauth2")
			}
		}
		return
	case AuthBearer:
		au.secret = readSecret(p, "auth.token", au.Token, au.TokenFile, "the API token, e.g. ${DESK_TOKEN}")
	case AuthBasic:
		if strings.TrimSpace(au.Username) == "" {
			p.add("auth.username", "is required by basic auth", "set the integration account's user name")
		}
		au.secret = readSecret(p, "auth.password", au.Password, au.PasswordFile, "the integration account's password, e.g. ${DESK_PASSWORD}")
	case AuthAPIKey:
		canon := textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(au.Header))
		switch {
		case canon == "":
			p.add("auth.header", "is required by api_key auth", "name the header that carries the key, e.g. X-API-Key")
		case !isToken(canon) || canon == "Host" || canon == "Content-Length":
			p.add("auth.header", fmt.Sprintf("%q is not a header that can carry a key", au.Header), "name a header such as X-API-Key")
		}
		au.secret = readSecret(p, "auth.key", au.Key, au.KeyFile, "the API key, e.g. ${DESK_API_KEY}")
	case AuthOAuth2:
		if u, err := url.Parse(strings.TrimSpace(au.TokenURL)); au.TokenURL == "" || err != nil || u.Host == "" ||
			(u.Scheme != "https" && !(u.Scheme == "http" && adapters.IsLoopback(u.Hostname()))) {
			p.add("auth.token_url", "is required by oauth2 auth, as an absolute https URL", "set the authorization server's token endpoint")
		}
		if strings.TrimSpace(au.ClientID) == "" {
			p.add("auth.client_id", "is required by oauth2 auth", "set the client id registered for Atrium")
		}
		au.secret = readSecret(p, "auth.client_secret", au.ClientSecret, au.ClientSecretFile, "the client's secret, e.g. ${DESK_CLIENT_SECRET}")
	default:
		p.add("auth.type", fmt.Sprintf("%q is not an auth type", au.Type), "use bearer, basic, api_key or oauth2")
		return
	}
	for _, typ := range []string{AuthBearer, AuthBasic, AuthAPIKey, AuthOAuth2} {
		for _, k := range authKeys[typ] {
			if set[k] && !slices.Contains(authKeys[au.Type], k) {
				p.add("auth."+k, fmt.Sprintf("is not used by auth type %s", au.Type), "remove it, or change auth.type")
			}
		}
	}
}

// readSecret returns a secret given inline or in a file (key + "_file").
func readSecret(p *problems, key, value, file, what string) string {
	switch {
	case value != "" && file != "":
		p.add(key, "is set together with "+strings.TrimPrefix(key, "auth.")+"_file", "keep only one of them")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			p.add(key+"_file", fmt.Sprintf("cannot be read: %v", errors.Unwrap(err)), "check the path and that Atrium's user may read the file")
			return ""
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			p.add(key+"_file", "is empty", "put "+what+" in it")
		}
		return s
	case value != "":
		return strings.TrimSpace(value)
	default:
		p.add(key, fmt.Sprintf("is required (or %s_file)", strings.TrimPrefix(key, "auth.")), "set "+what)
	}
	return ""
}

// authorizer adds credentials to requests.
type authorizer struct {
	header, value string // a fixed header: bearer, basic, api_key
	oauth         *tokenSource
}

func newAuthorizer(au Auth, hc *http.Client, timeout time.Duration) *authorizer {
	switch au.Type {
	case AuthBearer:
		return &authorizer{header: "Authorization", value: "Bearer " + au.secret}
	case AuthBasic:
		r := &http.Request{Header: http.Header{}}
		r.SetBasicAuth(strings.TrimSpace(au.Username), au.secret)
		return &authorizer{header: "Authorization", value: r.Header.Get("Authorization")}
	case AuthAPIKey:
		return &authorizer{header: textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(au.Header)), value: au.secret}
	case AuthOAuth2:
		return &authorizer{oauth: &tokenSource{
			cfg: clientcredentials.Config{ClientID: strings.TrimSpace(au.ClientID), ClientSecret: au.secret,
				TokenURL: strings.TrimSpace(au.TokenURL), Scopes: au.Scopes},
			http: hc, timeout: timeout,
		}}
	}
	return &authorizer{}
}

// apply sets the credentials on req and returns the access token it used, if
// any, for renew.
func (au *authorizer) apply(ctx context.Context, req *http.Request) (string, error) {
	if au.oauth != nil {
		tok, err := au.oauth.token(ctx)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		return tok, nil
	}
	if au.header != "" {
		req.Header.Set(au.header, au.value)
	}
	return "", nil
}

// renew forgets a rejected access token; false when there is nothing to renew.
func (au *authorizer) renew(used string) bool {
	if au.oauth == nil || used == "" {
		return false
	}
	au.oauth.forget(used)
	return true
}

// tokenSource keeps one access token of the client credentials grant, shared
// by all callers.
type tokenSource struct {
	cfg     clientcredentials.Config
	http    *http.Client
	timeout time.Duration
	flight  singleflight.Group
	mu      sync.Mutex
	tok     *oauth2.Token
}

func (ts *tokenSource) token(ctx context.Context) (string, error) {
	ts.mu.Lock()
	tok := ts.tok
	ts.mu.Unlock()
	if tok.Valid() {
		return tok.AccessToken, nil
	}
	// One request serves every waiting caller, so it must not end with the
	// first caller's context; each caller still waits only as long as its own.
	ch := ts.flight.DoChan("token", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ts.timeout)
		defer cancel()
		tok, err := ts.cfg.Token(context.WithValue(fctx, oauth2.HTTPClient, ts.http))
		if err != nil {
			return nil, tokenError(err)
		}
		ts.mu.Lock()
		ts.tok = tok
		ts.mu.Unlock()
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return "", fmt.Errorf("oauth2 token: %w: %w", adapters.ErrUnavailable, ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(*oauth2.Token).AccessToken, nil
	}
}

func (ts *tokenSource) forget(used string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && ts.tok.AccessToken == used {
		ts.tok = nil
	}
}

// TokenError is a refusal of the OAuth token endpoint.
type TokenError struct {
	Status      int
	Code        string // RFC 6749 error, e.g. invalid_client
	Description string
	body        string
}

// Error says why the token was refused and what to check, without the body.
func (e *TokenError) Error() string {
	detail := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		detail += ", " + e.Code
	}
	if e.Description != "" {
		detail += ": " + e.Description
	}
	return fmt.Sprintf("oauth2 token request refused (%s): check auth.token_url, auth.client_id and auth.client_secret", detail)
}

// Unwrap returns the failure class.
func (e *TokenError) Unwrap() error {
	if e.Status >= 500 || e.Status == http.StatusTooManyRequests {
		return adapters.ErrUnavailable
	}
	return adapters.ErrAuth
}

// RawBody returns the token endpoint's answer, truncated, for logs only.
func (e *TokenError) RawBody() string { return e.body }

func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		e := &TokenError{Code: re.ErrorCode, Description: re.ErrorDescription, body: adapters.TruncateBody(re.Body)}
		if re.Response != nil {
			e.Status = re.Response.StatusCode
		}
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("oauth2 token request: %w: %w", adapters.ErrUnavailable, ue.Err)
	}
	return fmt.Errorf("oauth2 token request: %w: %w", adapters.ErrBadResponse, err)
}
