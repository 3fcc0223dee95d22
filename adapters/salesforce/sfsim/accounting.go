package sfsim

import (
	"net/http"
	"strconv"
	"sync"
)

// Endpoint is a kind of request, for counting what a client asked for.
type Endpoint string

// Kinds of requests the server counts.
const (
	EndpointToken     Endpoint = "token"     // POST /services/oauth2/token
	EndpointVersions  Endpoint = "versions"  // GET /services/data/
	EndpointQuery     Endpoint = "query"     // first page of query and queryAll
	EndpointQueryMore Endpoint = "queryMore" // a nextRecordsUrl page
	EndpointSObject   Endpoint = "sobject"   // sObject reads, writes and describes
	EndpointLimits    Endpoint = "limits"    // GET …/limits
	EndpointOther     Endpoint = "other"     // any other request
)

// callCounter counts requests by kind.
type callCounter struct {
	mu   sync.Mutex
	n    map[Endpoint]int
	data int
}

func (c *callCounter) add(e Endpoint, data bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[Endpoint]int{}
	}
	c.n[e]++
	if data {
		c.data++
	}
}

// Requests returns how many requests reached the versioned REST API
// (/services/data/vXX.X/…), whatever their answer, faults included. Token
// requests are counted apart: see Calls(EndpointToken).
func (s *Server) Requests() int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.data
}

// Calls returns how many requests of one kind the server received.
func (s *Server) Calls(e Endpoint) int {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	return s.calls.n[e]
}

// ResetCounters sets every request counter back to zero. API usage is kept: it is
// the org's state, not the test's.
func (s *Server) ResetCounters() {
	s.calls.mu.Lock()
	defer s.calls.mu.Unlock()
	s.calls.n, s.calls.data = nil, 0
}

// apiUsage is the org's daily API allocation and how much of it is spent.
type apiUsage struct {
	mu          sync.Mutex
	used, limit int
}

// spend counts one API call. It returns false, counting nothing, when the
// allocation is already spent.
func (u *apiUsage) spend() (used, limit int, ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.used >= u.limit {
		return u.used, u.limit, false
	}
	u.used++
	return u.used, u.limit, true
}

func (u *apiUsage) get() (used, limit int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.used, u.limit
}

// SetAPIUsage sets the org's API usage, e.g. close to its limit to test how a
// client spends what is left.
func (s *Server) SetAPIUsage(used, limit int) {
	s.usage.mu.Lock()
	defer s.usage.mu.Unlock()
	s.usage.used, s.usage.limit = used, limit
}

// APIUsage returns the org's API usage: calls counted today and the allocation.
func (s *Server) APIUsage() (used, limit int) { return s.usage.get() }

func setLimitInfo(h http.Header, used, limit int) {
	h.Set("Sforce-Limit-Info", "api-usage="+strconv.Itoa(used)+"/"+strconv.Itoa(limit))
}
