package billing

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// APIVersion is the Stripe API version whose shapes the server answers with,
// whatever version a request asks for; it is sent in the Stripe-Version header.
const APIVersion = "2025-08-27.basil"

// Options configure a Server.
type Options struct {
	// APIKey is the secret key clients must present, as a bearer token or as
	// the user name of HTTP Basic authentication (e.g. "sk_test_…").
	APIKey string
	// Customers is the account's data, e.g. Demo's.
	Customers []Customer
	// Now is the clock: a customer is delinquent while one of its invoices is
	// open past its due date. time.Now when nil.
	Now func() time.Time
	// Logger receives a debug record per request; nothing is logged when nil.
	Logger *slog.Logger
	// URL is where the server is reached, e.g. "http://127.0.0.1:8123".
	// When set, invoices' hosted_invoice_url points at its own invoice pages
	// instead of invoice.stripe.com, so that a demo never links to Stripe.
	URL string
}

// Server answers Stripe API requests from the data it was given. It never
// changes that data, so it serves any number of requests at once.
type Server struct {
	key   string
	now   func() time.Time
	log   *slog.Logger
	mux   *http.ServeMux
	store *store
	// pages answers the read-only record pages, which need no key;
	// everything else goes through authentication to mux.
	pages     *pageIndex
	pageRoute *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New returns a server of the options' data. It reports every problem of the
// options at once.
func New(o Options) (*Server, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		key:   o.APIKey,
		now:   now,
		log:   cmp.Or(o.Logger, slog.New(slog.DiscardHandler)),
		store: newStore(o.Customers),
		pages: newPageIndex(slices.Clone(o.Customers)),
	}
	if o.URL != "" {
		s.store.hostInvoices(strings.TrimRight(o.URL, "/") + "/invoices/")
	}
	s.pageRoute = http.NewServeMux()
	s.routePages(s.pageRoute)
	mux := http.NewServeMux()
	handle := func(pattern string, h func(*http.Request) (any, *apiError)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.respond(w, r, h) })
	}
	handle("GET /v1/customers", s.listCustomers)
	handle("GET /v1/customers/search", s.searchCustomers)
	handle("GET /v1/customers/{id}", s.getCustomer)
	handle("GET /v1/invoices", s.listInvoices)
	handle("GET /v1/invoices/{id}", s.getInvoice)
	handle("GET /v1/subscriptions", s.listSubscriptions)
	handle("GET /v1/subscriptions/{id}", s.getSubscription)
	handle("GET /v1/products", s.listProducts)
	handle("GET /v1/products/{id}", s.getProduct)
	handle("GET /v1/balance", s.getBalance)
	handle("/", func(r *http.Request) (any, *apiError) { return nil, errUnrecognizedURL(r.Method, r.URL.Path) })
	s.mux = mux
	return s, nil
}

// ServeHTTP authenticates a request and answers it, with the headers Stripe
// sends with every answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Request-Id", newRequestID())
	h.Set("Stripe-Version", APIVersion)
	h.Set("Cache-Control", "no-cache, no-store")
	if _, pattern := s.pageRoute.Handler(r); pattern != "" {
		s.pageRoute.ServeHTTP(w, r)
		return
	}
	if err := s.authenticate(r); err != nil {
		h.Set("Www-Authenticate", `Basic realm="Stripe"`)
		s.write(w, r, err.status, envelope{err})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// authenticate accepts the key as a bearer token, or as the user name of
// HTTP Basic authentication (with an empty password), as Stripe does.
func (s *Server) authenticate(r *http.Request) *apiError {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if auth == "" {
		return errNoAPIKey()
	}
	var key string
	scheme, rest, _ := strings.Cut(auth, " ")
	switch strings.ToLower(scheme) {
	case "bearer":
		key = strings.TrimSpace(rest)
	case "basic":
		user, _, ok := r.BasicAuth()
		if !ok {
			return errInvalidAPIKey(rest)
		}
		key = user
	default:
		return errInvalidAPIKey(auth)
	}
	if key == "" {
		return errNoAPIKey()
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.key)) != 1 {
		return errInvalidAPIKey(key)
	}
	return nil
}

// envelope is an error body: {"error": {…}}.
type envelope struct {
	Error *apiError `json:"error"`
}

// respond runs a handler and writes its object, or its error.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, h func(*http.Request) (any, *apiError)) {
	v, err := h(r)
	if err != nil {
		s.write(w, r, err.status, envelope{err})
		return
	}
	s.write(w, r, http.StatusOK, v)
}

// write sends a JSON body as Stripe does: indented by two spaces.
func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a bug in the server's own types gets here.
		s.log.ErrorContext(r.Context(), "billing: encode answer", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"message":"An unknown error occurred","type":"api_error"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	s.log.DebugContext(r.Context(), "billing request", "method", r.Method, "path", r.URL.Path,
		"status", status, "request_id", w.Header().Get("Request-Id"))
}

// newRequestID returns an id of the form Stripe gives requests: req_ and
// fourteen letters and digits.
func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	id = strings.NewReplacer("-", "x", "_", "z").Replace(id)
	return "req_" + id[:14]
}
