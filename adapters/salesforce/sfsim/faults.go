package sfsim

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultKind is a kind of failure a test can inject.
type FaultKind int

const (
	// FaultExpireSessions invalidates every access token issued so far, at once:
	// the next call with one gets 401 INVALID_SESSION_ID, and a new token works.
	// Count and PathPrefix do not apply.
	FaultExpireSessions FaultKind = iota + 1
	// FaultLimitExceeded answers 403 REQUEST_LIMIT_EXCEEDED.
	FaultLimitExceeded
	// FaultLatency delays requests by Latency, or until the client gives up.
	// It combines with the other kinds.
	FaultLatency
	// FaultStatus answers Status (500 or 503; 503 when unset).
	FaultStatus
	// FaultMalformedJSON answers 200 with a body cut off in the middle.
	FaultMalformedJSON
	// FaultWrongShape answers 200 with valid JSON of the wrong shape.
	FaultWrongShape
)

// Fault is a failure injected with Server.Inject.
type Fault struct {
	Kind FaultKind
	// Count is how many matching requests the fault affects; 0 means every one
	// until ClearFaults.
	Count int
	// PathPrefix restricts the fault to requests whose path starts with it.
	// Empty means the versioned REST API (/services/data/vXX.X/…); give
	// "/services/oauth2/token" to fail token requests.
	PathPrefix string
	// Status is the answer of FaultStatus.
	Status int
	// Latency is the delay of FaultLatency.
	Latency time.Duration
}

// Inject adds a fault. Faults apply in the order injected: latencies add up, and
// the first other fault that matches a request answers it.
func (s *Server) Inject(f Fault) {
	if f.Kind == FaultExpireSessions {
		s.sessions.expireAll()
		return
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = append(s.faults.list, &activeFault{Fault: f, left: f.Count})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

type activeFault struct {
	Fault
	left int // requests still to affect, when Count > 0
}

func (f *activeFault) matches(path string, rt routed) bool {
	if f.PathPrefix == "" {
		return rt.versioned
	}
	return strings.HasPrefix(path, f.PathPrefix)
}

// faultSet holds the injected faults.
type faultSet struct {
	mu   sync.Mutex
	list []*activeFault
}

// take consumes the faults that apply to one request: the total latency and the
// fault that answers it, if any.
func (fs *faultSet) take(path string, rt routed) (time.Duration, *Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var delay time.Duration
	var answer *Fault
	kept := fs.list[:0]
	for _, f := range fs.list {
		use := f.matches(path, rt) && (f.Kind == FaultLatency || answer == nil)
		if use {
			if f.Kind == FaultLatency {
				delay += f.Latency
			} else {
				copied := f.Fault
				answer = &copied
			}
			if f.Count > 0 {
				f.left--
			}
		}
		if f.Count == 0 || f.left > 0 {
			kept = append(kept, f)
		}
	}
	clear(fs.list[len(kept):])
	fs.list = kept
	return delay, answer
}

// intercept applies the faults of a request. It returns true when the request
// needs no further answer: a fault answered it, or the client left while it was
// delayed.
func (fs *faultSet) intercept(w http.ResponseWriter, r *http.Request, rt routed) bool {
	delay, f := fs.take(r.URL.Path, rt)
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f == nil {
		return false
	}
	switch f.Kind {
	case FaultLimitExceeded:
		writeError(w, errLimitExceeded())
	case FaultStatus:
		writeError(w, statusFault(f.Status))
	case FaultMalformedJSON:
		w.Header().Set("Content-Type", contentTypeJSON)
		_, _ = w.Write([]byte(`{"totalSize":1,"done":true,"records":[{"attributes":{"type":"Acc`))
	case FaultWrongShape:
		w.Header().Set("Content-Type", contentTypeJSON)
		_, _ = w.Write([]byte(`{"totalSize":"many","done":"no","records":{"Id":7},"access_token":7,"instance_url":false,"errorCode":[]}`))
	}
	return true
}

func statusFault(status int) *apiError {
	switch status {
	case 0, http.StatusServiceUnavailable:
		return &apiError{status: http.StatusServiceUnavailable, code: "SERVER_UNAVAILABLE", message: "Server temporarily unavailable. Please try again later."}
	case http.StatusInternalServerError:
		return &apiError{status: status, code: "UNKNOWN_EXCEPTION",
			message: "An unexpected error occurred. Please include this ErrorId if you contact support: 1921843418-36711 (-1205924452)"}
	}
	return &apiError{status: status, code: "UNKNOWN_EXCEPTION", message: http.StatusText(status)}
}
