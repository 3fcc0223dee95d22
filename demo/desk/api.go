package desk

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Paging of lists.
const (
	defaultPerPage = 25
	maxPerPage     = 100
)

func (s *Server) me(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"user": map[string]any{
		"id": 1, "name": "Atrium integration", "email": "atrium-integration@desk.invalid", "role": "admin",
	}})
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	page, per, ok := paging(w, r)
	if !ok {
		return
	}
	domain := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("domain")))
	var found []Organization
	for _, o := range s.orgs {
		if domain == "" || slices.Contains(o.DomainNames, domain) {
			found = append(found, o)
		}
	}
	list := map[string]any{"organizations": nonNil(pageOf(found, page, per))}
	writeJSON(w, http.StatusOK, listed(list, r, page, per, len(found)))
}

func (s *Server) organization(w http.ResponseWriter, r *http.Request) {
	o, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	out := map[string]any{"organization": o}
	if includes(r, "users") {
		out["users"] = nonNil(s.users[o.ID])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) organizationTickets(w http.ResponseWriter, r *http.Request) {
	o, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	page, per, ok := paging(w, r)
	if !ok {
		return
	}
	all := s.tickets[o.ID]
	list := map[string]any{"tickets": nonNil(pageOf(all, page, per))}
	writeJSON(w, http.StatusOK, listed(list, r, page, per, len(all)))
}

// search finds organizations whose name, domain or a user's email holds the
// query, as plain text: no operator or wildcard has a meaning.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	query := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("query")))
	if query == "" {
		writeError(w, http.StatusBadRequest, "InvalidQuery", "the query parameter is required")
		return
	}
	page, per, ok := paging(w, r)
	if !ok {
		return
	}
	type result struct {
		Organization
		ResultType string `json:"result_type"`
	}
	var found []result
	for _, o := range s.orgs {
		if s.matches(o, query) {
			found = append(found, result{o, "organization"})
		}
	}
	results := pageOf(found, page, per)
	list := map[string]any{"results": nonNil(results)}
	if includes(r, "users") {
		users := []User{}
		for _, res := range results {
			users = append(users, s.users[res.ID]...)
		}
		list["users"] = users
	}
	writeJSON(w, http.StatusOK, listed(list, r, page, per, len(found)))
}

func (s *Server) matches(o Organization, query string) bool {
	if strings.Contains(strings.ToLower(o.Name), query) {
		return true
	}
	for _, d := range o.DomainNames {
		if strings.Contains(d, query) {
			return true
		}
	}
	for _, u := range s.users[o.ID] {
		if strings.Contains(strings.ToLower(u.Email), query) {
			return true
		}
	}
	return false
}

// pathOrg reads the organization named by the path's {id}, or answers 404.
func (s *Server) pathOrg(w http.ResponseWriter, r *http.Request) (Organization, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	o, ok := s.org(id)
	if err != nil || !ok {
		writeError(w, http.StatusNotFound, "RecordNotFound",
			"No organization with id "+strconv.Quote(r.PathValue("id"))+"; GET /api/v2/search?query=… finds one by name or domain.")
		return Organization{}, false
	}
	return o, true
}

// paging reads ?page=N&per_page=M, or answers 400.
func paging(w http.ResponseWriter, r *http.Request) (page, per int, ok bool) {
	q := r.URL.Query()
	page, per = 1, defaultPerPage
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			writeError(w, http.StatusBadRequest, "InvalidPaginationParameter", "page must be a positive number")
			return 0, 0, false
		}
	}
	if v := q.Get("per_page"); v != "" {
		if per, err = strconv.Atoi(v); err != nil || per < 1 || per > maxPerPage {
			writeError(w, http.StatusBadRequest, "InvalidPaginationParameter", "per_page must be between 1 and 100")
			return 0, 0, false
		}
	}
	return page, per, true
}

func pageOf[T any](all []T, page, per int) []T {
	start := (page - 1) * per
	if start >= len(all) {
		return nil
	}
	return all[start:min(start+per, len(all))]
}

// listed adds the count and the absolute links to the pages around this one.
func listed(list map[string]any, r *http.Request, page, per, total int) map[string]any {
	link := func(p int) any {
		if p < 1 || (p-1)*per >= total {
			return nil
		}
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		if r.TLS != nil {
			u.Scheme = "https"
		}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		u.RawQuery = q.Encode()
		return u.String()
	}
	list["count"] = total
	list["next_page"] = link(page + 1)
	list["previous_page"] = link(page - 1)
	return list
}

func includes(r *http.Request, what string) bool {
	return slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), what)
}

// nonNil keeps an empty list a JSON array rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, description string) {
	body := map[string]string{"error": code}
	if description != "" {
		body["description"] = description
	}
	writeJSON(w, status, body)
}

// agentPage is the desk's own view of a record, where Atrium's links lead.
var agentPage = template.Must(template.New("agent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} · Demo desk</title></head>
<body><p>Demo desk</p><h1>{{.Title}}</h1><dl>{{range .Facts}}<dt>{{.Name}}</dt><dd>{{.Value}}</dd>{{end}}</dl></body></html>
`))

type fact struct{ Name, Value string }

func (s *Server) agentOrganization(w http.ResponseWriter, r *http.Request) {
	o, ok := s.pathOrg(w, r)
	if !ok {
		return
	}
	facts := []fact{{"Domains", strings.Join(o.DomainNames, ", ")}, {"Tickets", strconv.Itoa(len(s.tickets[o.ID]))}}
	for _, u := range s.users[o.ID] {
		facts = append(facts, fact{"User", u.Name + " <" + u.Email + ">"})
	}
	renderAgent(w, o.Name, facts)
}

func (s *Server) agentTicket(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, o := range s.orgs {
		for _, t := range s.tickets[o.ID] {
			if t.ID == id {
				renderAgent(w, "#"+strconv.FormatInt(t.ID, 10)+" "+t.Subject, []fact{
					{"Organization", o.Name}, {"Status", t.Status}, {"Priority", t.Priority},
					{"Requester", t.Requester.Name + " <" + t.Requester.Email + ">"},
					{"Updated", t.UpdatedAt.Format("2006-01-02 15:04 MST")}, {"Comments", strconv.Itoa(t.CommentsCount)},
				})
				return
			}
		}
	}
	http.NotFound(w, r)
}

func renderAgent(w http.ResponseWriter, title string, facts []fact) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = agentPage.Execute(w, struct {
		Title string
		Facts []fact
	}{title, facts})
}
