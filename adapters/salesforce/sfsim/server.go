package sfsim

import (
	"crypto/rand"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults of Options.
const (
	defaultBatchSize      = 2000
	minBatchSize          = 200
	defaultAPILimit       = 100000
	defaultMaxCursors     = 10
	defaultCursorTTL      = 15 * time.Minute
	defaultSessionTimeout = 2 * time.Hour
)

// Accepted JWT audiences when Options.Audiences is nil.
const (
	AudienceProduction = "https://login.salesforce.com"
	AudienceSandbox    = "https://test.salesforce.com"
)

// Options configure a Server. The zero value serves an empty org with both OAuth
// flows disabled.
type Options struct {
	// URL is the instance_url handed out with tokens, also an accepted JWT
	// audience. It can be set later with SetURL, once httptest has chosen it.
	URL string
	// ConsumerKey (the JWT iss) and Username (sub) of the connected app's user.
	// Username is also the user client credentials run as.
	ConsumerKey, Username string
	// PublicKey verifies JWT bearer assertions; nil disables that flow.
	PublicKey *rsa.PublicKey
	// ClientID and ClientSecret of the client credentials flow; empty disables it.
	ClientID, ClientSecret string
	// Audiences accepted in a JWT's aud besides URL; nil means the production and
	// sandbox login hosts.
	Audiences []string
	// BatchSize caps the records of a query page; 0 means 2000. A client's
	// Sforce-Query-Options batchSize (clamped to 200..2000) may ask for fewer.
	// Tests set it low to page through small results.
	BatchSize int
	// APILimit is the daily API allocation; 0 means 100000.
	APILimit int
	// MaxCursors is how many unfinished query cursors stay open; opening one more
	// releases the oldest, as Salesforce does per user. 0 means 10.
	MaxCursors int
	// CursorTTL is how long an unused cursor stays open; 0 means 15 minutes.
	CursorTTL time.Duration
	// SessionTimeout is how long an unused access token stays valid; 0 means 2
	// hours.
	SessionTimeout time.Duration
	// TokenUses, when set, is how many calls an access token serves: the one
	// after is answered 401 INVALID_SESSION_ID, as Salesforce answers a session
	// that expired, and the token stays rejected. Tests set it low to make
	// sessions expire while a page loads. 0 means no such limit.
	TokenUses int
	// Data is the org's content, copied; nil means an empty org.
	Data *Dataset
	// Logger receives a debug line per request; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server simulates a Salesforce org's REST API. It is an http.Handler, safe for
// concurrent use.
type Server struct {
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	store    *store
	orgID    string
	secret   []byte // signs token answers
	sessions sessions
	cursors  cursorStore
	faults   faultSet
	usage    apiUsage
	calls    callCounter

	mu  sync.Mutex // guards url
	url string
}

var _ http.Handler = (*Server)(nil)

// New returns a server configured by opts.
func New(opts Options) *Server {
	if opts.BatchSize <= 0 || opts.BatchSize > defaultBatchSize {
		opts.BatchSize = defaultBatchSize
	}
	if opts.APILimit <= 0 {
		opts.APILimit = defaultAPILimit
	}
	if opts.MaxCursors <= 0 {
		opts.MaxCursors = defaultMaxCursors
	}
	if opts.CursorTTL <= 0 {
		opts.CursorTTL = defaultCursorTTL
	}
	if opts.SessionTimeout <= 0 {
		opts.SessionTimeout = defaultSessionTimeout
	}
	if opts.Audiences == nil {
		opts.Audiences = []string{AudienceProduction, AudienceSandbox}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Data == nil {
		opts.Data = NewDataset(opts.Now())
	}
	s := &Server{
		opts:   opts,
		log:    opts.Logger,
		now:    opts.Now,
		store:  opts.Data.store.clone(),
		orgID:  To18(prefixOrg + "Dn0000000Atr"),
		secret: make([]byte, 32),
		url:    strings.TrimSuffix(opts.URL, "/"),
	}
	_, _ = rand.Read(s.secret)
	s.usage.limit = opts.APILimit
	s.cursors.max, s.cursors.ttl = opts.MaxCursors, opts.CursorTTL
	return s
}

// SetURL sets the instance URL handed out with tokens, e.g. httptest.Server.URL.
func (s *Server) SetURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.url = strings.TrimSuffix(u, "/")
}

// URL returns the instance URL.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// ServeHTTP answers one request the way a Salesforce org does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// HEAD is answered as GET; net/http leaves the body out.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	rt := route(r.URL.Path)
	s.calls.add(rt.endpoint, rt.versioned)
	s.log.DebugContext(r.Context(), "sfsim: request", "method", r.Method, "path", r.URL.Path, "endpoint", rt.endpoint)
	if s.faults.intercept(w, r, rt) {
		return
	}
	switch {
	case rt.endpoint == EndpointToken:
		s.token(w, r)
	case rt.endpoint == EndpointVersions:
		s.versions(w, r)
	case rt.versioned:
		s.data(w, r, rt)
	case strings.HasPrefix(r.URL.Path, recordPagePrefix):
		s.recordPage(w, r)
	default:
		writeError(w, errNotFound())
	}
}

// data answers a request to the versioned REST API: it checks the session and
// the API allocation, then dispatches on the resource.
func (s *Server) data(w http.ResponseWriter, r *http.Request, rt routed) {
	sess := s.sessions.check(bearer(r), s.now(), s.opts.SessionTimeout, s.opts.TokenUses)
	if sess == nil {
		used, limit := s.usage.get()
		setLimitInfo(w.Header(), used, limit)
		writeError(w, errInvalidSession())
		return
	}
	used, limit, ok := s.usage.spend()
	setLimitInfo(w.Header(), used, limit)
	if !ok {
		writeError(w, errLimitExceeded())
		return
	}
	parts := rt.rest
	switch {
	case len(parts) == 0:
		s.resources(w, r, rt.version)
	case parts[0] == "limits" && len(parts) == 1:
		s.limits(w, r)
	case (parts[0] == "query" || parts[0] == "queryAll") && len(parts) <= 2:
		all := parts[0] == "queryAll"
		if len(parts) == 1 {
			s.query(w, r, rt.version, all)
		} else {
			s.queryMore(w, r, rt.version, all, parts[1])
		}
	case parts[0] == "sobjects" && len(parts) <= 3:
		s.sobjects(w, r, rt.version, parts[1:], sess)
	default:
		writeError(w, errNotFound())
	}
}

// routed is a request path taken apart.
type routed struct {
	endpoint  Endpoint
	versioned bool     // under /services/data/vXX.X
	version   string   // "62.0"
	rest      []string // path segments after the version
}

func route(path string) routed {
	switch path {
	case "/services/oauth2/token":
		return routed{endpoint: EndpointToken}
	case "/services/data", "/services/data/":
		return routed{endpoint: EndpointVersions}
	}
	rest, ok := strings.CutPrefix(path, "/services/data/v")
	if !ok {
		return routed{endpoint: EndpointOther}
	}
	version, rest, _ := strings.Cut(rest, "/")
	if !validVersion(version) {
		return routed{endpoint: EndpointOther}
	}
	var parts []string
	for p := range strings.SplitSeq(rest, "/") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	rt := routed{endpoint: EndpointOther, versioned: true, version: version, rest: parts}
	if len(parts) > 0 {
		switch parts[0] {
		case "query", "queryAll":
			rt.endpoint = EndpointQuery
			if len(parts) > 1 {
				rt.endpoint = EndpointQueryMore
			}
		case "sobjects":
			rt.endpoint = EndpointSObject
		case "limits":
			rt.endpoint = EndpointLimits
		}
	}
	return rt
}

// validVersion reports whether v has the form of an API version, e.g. "62.0".
func validVersion(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	return ok && digits(major) && digits(minor)
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// bearer returns the access token of a request. Salesforce also accepts the
// older "OAuth" scheme.
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "OAuth") {
		return ""
	}
	return strings.TrimSpace(token)
}
