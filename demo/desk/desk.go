// Package desk is the support desk of `atrium demo`: a small help desk with a
// JSON API of its own, shaped like a typical third-party desk (organizations,
// their users and tickets, a search, numbered pages with next_page links,
// bearer tokens), seeded from the organizations the caller names. Atrium
// reads it through the declarative REST adapter configured by DemoSettings;
// tests use it the same way.
package desk

import (
	"cmp"
	"crypto/subtle"
	"net/http"
	"slices"
	"time"
)

// Options configure a desk.
type Options struct {
	// Token is the API token every /api request must carry as
	// "Authorization: Bearer <token>".
	Token string
	// Orgs are the customers the desk serves; each gets users and 0–25
	// tickets, the same for the same list.
	Orgs []Org
	// Now is the time the seeded activity ends at; zero means the time of New.
	Now time.Time
}

// Org names an organization to seed.
type Org struct {
	Name   string
	Domain string
	// ExternalID is the organization's id in another system, e.g. the CRM;
	// optional.
	ExternalID string
}

// Organization is a customer of the desk.
type Organization struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DomainNames []string  `json:"domain_names"`
	ExternalID  *string   `json:"external_id"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// User is a person who raises tickets.
type User struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	OrganizationID int64  `json:"organization_id"`
	Role           string `json:"role"`
}

// Person is a ticket's requester.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Ticket is a support request.
type Ticket struct {
	ID             int64     `json:"id"`
	Subject        string    `json:"subject"`
	Status         string    `json:"status"`
	Priority       string    `json:"priority"`
	Requester      Person    `json:"requester"`
	OrganizationID int64     `json:"organization_id"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	CommentsCount  int       `json:"comments_count"`
}

// Server is the desk. It is an http.Handler, safe for concurrent use: its
// records do not change after New.
type Server struct {
	token   string
	orgs    []Organization
	users   map[int64][]User
	tickets map[int64][]Ticket
	mux     *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New seeds a desk from o.
func New(o Options) *Server {
	s := &Server{token: o.Token, users: map[int64][]User{}, tickets: map[int64][]Ticket{}, mux: http.NewServeMux()}
	s.seed(o.Orgs, cmp.Or(o.Now, time.Now()))
	api := func(pattern string, h http.HandlerFunc) { s.mux.Handle(pattern, s.authenticated(h)) }
	api("GET /api/v2/users/me", s.me)
	api("GET /api/v2/organizations", s.listOrganizations)
	api("GET /api/v2/organizations/{id}", s.organization)
	api("GET /api/v2/organizations/{id}/tickets", s.organizationTickets)
	api("GET /api/v2/search", s.search)
	api("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "InvalidEndpoint", "No such endpoint: "+r.Method+" "+r.URL.Path+
			". The API answers GET /api/v2/users/me, /api/v2/organizations, /api/v2/organizations/{id}, "+
			"/api/v2/organizations/{id}/tickets and /api/v2/search.")
	})
	s.mux.HandleFunc("GET /agent/organizations/{id}", s.agentOrganization)
	s.mux.HandleFunc("GET /agent/tickets/{id}", s.agentTicket)
	return s
}

// ServeHTTP answers the desk's API and its agent pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Organizations returns the seeded organizations, in the order they were named.
func (s *Server) Organizations() []Organization { return slices.Clone(s.orgs) }

// Users returns an organization's users.
func (s *Server) Users(orgID int64) []User { return slices.Clone(s.users[orgID]) }

// Tickets returns an organization's tickets, most recently updated first.
func (s *Server) Tickets(orgID int64) []Ticket { return slices.Clone(s.tickets[orgID]) }

// authenticated refuses a request without the desk's bearer token.
func (s *Server) authenticated(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := "Bearer " + s.token
		got := r.Header.Get("Authorization")
		if s.token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="desk"`)
			writeError(w, http.StatusUnauthorized, "Couldn't authenticate you",
				"Send the desk's API token as \"Authorization: Bearer <token>\".")
			return
		}
		h(w, r)
	})
}

func (s *Server) org(id int64) (Organization, bool) {
	i := id - firstOrgID
	if i < 0 || i >= int64(len(s.orgs)) {
		return Organization{}, false
	}
	return s.orgs[i], true
}

func sortTickets(ts []Ticket) {
	slices.SortStableFunc(ts, func(a, b Ticket) int {
		return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(a.ID, b.ID))
	})
}
