package idp

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Options configure a Provider.
type Options struct {
	// Issuer is the provider's full external URL, including any path, e.g.
	// "http://127.0.0.1:41234" or "https://demo.example.com/idp". Plain
	// http is accepted for development.
	Issuer  string
	Users   []User
	Clients []Client
	Logger  *slog.Logger // nil logs to slog.Default()
	// Now is the provider's clock, of expiries and account lockouts; nil
	// is time.Now.
	Now func() time.Time
	// SigningKey signs the provider's tokens (nil: a fresh 2048-bit key);
	// a test that signs tokens of its own as the provider sets it.
	SigningKey *rsa.PrivateKey
}

// Provider is a running OpenID Provider. It serves the protocol endpoints,
// the sign-in page at /login and a signed-out page at /logged-out, all
// relative to the issuer.
type Provider struct {
	handler http.Handler
}

// Paths of the pages this package adds to the library's endpoints.
const (
	loginPath     = "/login"
	loggedOutPath = "/logged-out"
)

// New checks opts, reporting every problem at once, and builds a provider
// with a fresh RSA signing key and token encryption key.
func New(opts Options) (*Provider, error) {
	issuer, err := opts.validate()
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if issuer.Scheme == "http" && !isLoopback(issuer.Hostname()) {
		logger.Warn("idp: issuer uses plain http on a non-loopback host; tokens and passwords travel unencrypted", "issuer", opts.Issuer)
	}

	rsaKey := opts.SigningKey
	if rsaKey == nil {
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("idp: signing key: %w", err)
		}
	}
	loginURL := func(authRequestID string) string {
		return opts.Issuer + loginPath + "?authRequestID=" + url.QueryEscape(authRequestID)
	}
	clients := make([]*client, 0, len(opts.Clients))
	for _, c := range opts.Clients {
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
		clients = append(clients, &client{cfg: c, loginURL: loginURL})
	}
	store := newStorage(opts.Users, clients, signingKey{id: rand.Text(), key: rsaKey}, logger)
	if opts.Now != nil {
		store.now = opts.Now
	}

	config := &op.Config{
		DefaultLogoutRedirectURI: opts.Issuer + loggedOutPath,
		CodeMethodS256:           true,
		// Each sign-in is its own session: its ID tokens carry a sid, and
		// signing out sends the client a logout token naming it.
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
		AuthMethodPost:                    true,
		GrantTypeRefreshToken:             true,
		SupportedScopes: []string{
			oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, scopeGroups, oidc.ScopeOfflineAccess,
		},
		SupportedClaims: []string{
			"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "azp", "at_hash", "c_hash", "sid",
			"name", "given_name", "family_name", "preferred_username", "email", "email_verified", scopeGroups,
		},
	}
	// The key encrypts opaque access tokens; a new one per process means
	// tokens of an earlier run are simply unknown.
	rand.Read(config.CryptoKey[:])

	opOptions := []op.Option{op.WithCORSOptions(corsOptions(opts.Clients))}
	if issuer.Scheme == "http" {
		opOptions = append(opOptions, op.WithAllowInsecure())
	}
	oidcProvider, err := op.NewProvider(config, store, op.StaticIssuer(opts.Issuer), opOptions...)
	if err != nil {
		return nil, fmt.Errorf("idp: %w", err)
	}

	tmpl, err := template.ParseFS(pageFiles, "pages.html")
	if err != nil {
		return nil, fmt.Errorf("idp: templates: %w", err)
	}
	ui := &pages{
		store:       store,
		issuer:      opts.Issuer,
		origin:      issuer.Scheme + "://" + issuer.Host,
		callbackURL: op.AuthCallbackURL(oidcProvider),
		accounts:    accountViews(opts.Users),
		tmpl:        tmpl,
		logger:      logger,
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+loginPath, ui.showLogin)
	mux.HandleFunc("POST "+loginPath, ui.submitLogin)
	mux.HandleFunc("GET "+loggedOutPath, ui.showLoggedOut)
	mux.Handle("/", oidcProvider)

	var handler http.Handler = mux
	if prefix := strings.TrimSuffix(issuer.Path, "/"); prefix != "" {
		handler = stripIssuerPath(prefix, mux)
	}
	return &Provider{handler: logRequests(logger, handler)}, nil
}

// ServeHTTP serves the provider. Mount it at "/" of its own listener, or
// behind http.StripPrefix of the issuer's path: both work.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.handler.ServeHTTP(w, r)
}

// stripIssuerPath removes the issuer's path when the request still carries
// it, because the library routes on paths relative to the issuer.
func stripIssuerPath(prefix string, next http.Handler) http.Handler {
	stripped := http.StripPrefix(prefix, next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, prefix)
		if ok && (rest == "" || rest[0] == '/') {
			stripped.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// corsOptions lets browsers call the token, userinfo and other endpoints
// only from the origins of registered clients. The library's default echoes
// any origin with credentials allowed.
func corsOptions(clients []Client) *cors.Options {
	origins := make(map[string]bool)
	for _, c := range clients {
		for _, raw := range slices.Concat(c.RedirectURIs, c.PostLogoutRedirectURIs) {
			if u, err := url.Parse(raw); err == nil && u.Host != "" {
				origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
			}
		}
	}
	return &cors.Options{
		// A function rather than AllowedOrigins: an empty AllowedOrigins
		// would mean every origin.
		AllowOriginFunc:  func(origin string) bool { return origins[strings.ToLower(origin)] },
		AllowCredentials: true,
		AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders:   []string{"Accept", "Accept-Language", "Authorization", "Content-Type", "X-Requested-With"},
		ExposedHeaders:   []string{"Location", "Content-Length"},
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// logRequests logs each request's method, path and status at debug level.
// Query strings are left out: they carry codes, state and id_token_hint.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.Debug("idp: request", "method", r.Method, "path", r.URL.Path, "status", rec.status)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
