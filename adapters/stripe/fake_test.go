package stripe

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeStripe is a Stripe API double for data-dependent tests: it speaks
// Stripe's wire format (objects with "object", list and search_result
// envelopes with cursors, error bodies), keeps its data, and evaluates the
// subset of the search query language the adapter uses, rejecting what Stripe
// rejects: unknown parameters, malformed queries, substrings under three
// characters.
type fakeStripe struct {
	srv *httptest.Server
	key string

	mu            sync.Mutex
	customers     []obj // in creation order
	invoices      []obj // newest first, as Stripe lists them
	subscriptions []obj
	products      []obj
	faults        map[string]fault // by path
	requests      []string         // path?query of every request
}

// obj is a Stripe object as it goes on the wire.
type obj = map[string]any

// fault is an answer the double gives instead of the real one.
type fault struct {
	status int
	body   string
	header http.Header
}

func newFakeStripe(t *testing.T) *fakeStripe {
	f := &fakeStripe{key: "sk_test_fake4242", faults: map[string]fault{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/customers/search", f.searchCustomers)
	mux.HandleFunc("GET /v1/customers/{id}", f.getCustomer)
	mux.HandleFunc("GET /v1/customers", f.listCustomers)
	mux.HandleFunc("GET /v1/invoices", f.listInvoices)
	mux.HandleFunc("GET /v1/subscriptions", f.listSubscriptions)
	mux.HandleFunc("GET /v1/products", f.listProducts)
	f.srv = httptest.NewServer(f.middleware(mux))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeStripe) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
		flt, faulty := f.faults[r.URL.Path]
		f.mu.Unlock()
		w.Header().Set("Request-Id", "req_fake"+strconv.Itoa(len(f.requests)))
		if faulty {
			for k, v := range flt.header {
				w.Header()[k] = v
			}
			w.WriteHeader(flt.status)
			fmt.Fprint(w, flt.body)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+f.key {
			stripeError(w, http.StatusUnauthorized, "invalid_request_error", "", "Invalid API Key provided: sk_test_****")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// fail makes every request to path answer status with body.
func (f *fakeStripe) fail(path string, status int, body string, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[path] = fault{status: status, body: body, header: header}
}

// requested returns the requests to path, as path?query.
func (f *fakeStripe) requested(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if strings.HasPrefix(r, path+"?") {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeStripe) addCustomer(c obj) {
	c["object"] = "customer"
	f.mu.Lock()
	f.customers = append(f.customers, c)
	f.mu.Unlock()
}

func (f *fakeStripe) addInvoice(inv obj) {
	inv["object"] = "invoice"
	f.mu.Lock()
	f.invoices = append(f.invoices, inv)
	slices.SortStableFunc(f.invoices, func(a, b obj) int { return num(b["created"]) - num(a["created"]) })
	f.mu.Unlock()
}

func (f *fakeStripe) addSubscription(s obj) {
	s["object"] = "subscription"
	f.mu.Lock()
	f.subscriptions = append(f.subscriptions, s)
	f.mu.Unlock()
}

func (f *fakeStripe) addProduct(p obj) {
	p["object"] = "product"
	f.mu.Lock()
	f.products = append(f.products, p)
	f.mu.Unlock()
}

func num(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func stripeError(w http.ResponseWriter, status int, typ, code, msg string) {
	e := obj{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	writeJSON(w, status, obj{"error": e})
}

// params checks the request's parameters against those the endpoint knows,
// as Stripe does, and returns them by base name ("ids[0]" → "ids").
func params(w http.ResponseWriter, r *http.Request, known ...string) (url.Values, bool) {
	out := url.Values{}
	for k, vs := range r.URL.Query() {
		base, _, _ := strings.Cut(k, "[")
		if !slices.Contains(known, base) && base != "expand" {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_unknown", "Received unknown parameter: "+k)
			return nil, false
		}
		out[base] = append(out[base], vs...)
	}
	return out, true
}

// limitOf reads the limit parameter: 10 by default, 1 to 100.
func limitOf(w http.ResponseWriter, p url.Values) (int, bool) {
	if p.Get("limit") == "" {
		return 10, true
	}
	n, err := strconv.Atoi(p.Get("limit"))
	if err != nil || n < 1 || n > 100 {
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer",
			"Invalid integer: "+p.Get("limit")+"; limit must be between 1 and 100")
		return 0, false
	}
	return n, true
}

func (f *fakeStripe) customer(id string) obj {
	for _, c := range f.customers {
		if c["id"] == id {
			return c
		}
	}
	return nil
}

func (f *fakeStripe) getCustomer(w http.ResponseWriter, r *http.Request) {
	if _, ok := params(w, r); !ok {
		return
	}
	f.mu.Lock()
	c := f.customer(r.PathValue("id"))
	f.mu.Unlock()
	switch {
	case c == nil:
		stripeError(w, http.StatusNotFound, "invalid_request_error", "resource_missing", "No such customer: '"+r.PathValue("id")+"'")
	case c["deleted"] == true:
		writeJSON(w, http.StatusOK, obj{"id": c["id"], "object": "customer", "deleted": true})
	default:
		writeJSON(w, http.StatusOK, c)
	}
}

func (f *fakeStripe) listCustomers(w http.ResponseWriter, r *http.Request) {
	f.list(w, r, "/v1/customers", func(p url.Values, c obj) bool { return c["deleted"] != true }, f.customers)
}

func (f *fakeStripe) listInvoices(w http.ResponseWriter, r *http.Request) {
	f.list(w, r, "/v1/invoices", func(p url.Values, inv obj) bool {
		return (p.Get("customer") == "" || inv["customer"] == p.Get("customer")) &&
			(p.Get("status") == "" || inv["status"] == p.Get("status"))
	}, f.invoices, "customer", "status")
}

func (f *fakeStripe) listSubscriptions(w http.ResponseWriter, r *http.Request) {
	f.list(w, r, "/v1/subscriptions", func(p url.Values, s obj) bool {
		status := cmp.Or(p.Get("status"), "not canceled")
		return (p.Get("customer") == "" || s["customer"] == p.Get("customer")) &&
			(status == "all" || s["status"] == status || status == "not canceled" && s["status"] != "canceled")
	}, f.subscriptions, "customer", "status")
}

func (f *fakeStripe) listProducts(w http.ResponseWriter, r *http.Request) {
	f.list(w, r, "/v1/products", func(p url.Values, prod obj) bool {
		return len(p["ids"]) == 0 || slices.Contains(p["ids"], prod["id"].(string))
	}, f.products, "ids")
}

// list answers a list endpoint: objects that keep passes, a page of limit
// after the starting_after cursor, in a list envelope.
func (f *fakeStripe) list(w http.ResponseWriter, r *http.Request, path string, keep func(url.Values, obj) bool, all []obj, known ...string) {
	p, ok := params(w, r, append(known, "limit", "starting_after", "ending_before")...)
	if !ok {
		return
	}
	limit, ok := limitOf(w, p)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if id := p.Get("customer"); id != "" && f.customer(id) == nil {
		// Stripe names a missing object of a filter with a 400.
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "No such customer: '"+id+"'")
		return
	}
	var matched []obj
	for _, o := range all {
		if keep(p, o) {
			matched = append(matched, o)
		}
	}
	if after := p.Get("starting_after"); after != "" {
		i := slices.IndexFunc(matched, func(o obj) bool { return o["id"] == after })
		if i < 0 {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "No such object: '"+after+"'")
			return
		}
		matched = matched[i+1:]
	}
	page := matched[:min(limit, len(matched))]
	writeJSON(w, http.StatusOK, obj{"object": "list", "url": path, "has_more": len(matched) > limit, "data": nonNil(page)})
}

func nonNil(s []obj) []obj {
	if s == nil {
		return []obj{}
	}
	return s
}

func (f *fakeStripe) searchCustomers(w http.ResponseWriter, r *http.Request) {
	p, ok := params(w, r, "query", "limit", "page")
	if !ok {
		return
	}
	limit, ok := limitOf(w, p)
	if !ok {
		return
	}
	q, err := parseQuery(p.Get("query"))
	if err != nil {
		stripeError(w, http.StatusBadRequest, "invalid_request_error", "", err.Error())
		return
	}
	f.mu.Lock()
	var matched []obj
	for _, c := range f.customers {
		if c["deleted"] != true && q.matches(c) {
			matched = append(matched, c)
		}
	}
	f.mu.Unlock()
	offset := 0
	if page := p.Get("page"); page != "" {
		offset, _ = strconv.Atoi(strings.TrimPrefix(page, "page_"))
	}
	matched = matched[min(offset, len(matched)):]
	res := obj{"object": "search_result", "url": "/v1/customers/search", "has_more": len(matched) > limit,
		"data": nonNil(matched[:min(limit, len(matched))]), "next_page": nil}
	if len(matched) > limit {
		res["next_page"] = "page_" + strconv.Itoa(offset+limit)
	}
	writeJSON(w, http.StatusOK, res)
}
