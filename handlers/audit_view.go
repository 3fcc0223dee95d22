package handlers

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atrium-dev/atrium/audit"
	"github.com/atrium-dev/atrium/components"
	"github.com/atrium-dev/atrium/components/present"
	"github.com/atrium-dev/atrium/policy"
)

// AuditReader reads the audit trail for people (audit.Log).
type AuditReader interface {
	List(ctx context.Context, q audit.Query) ([]audit.Entry, error)
}

// AuditView serves GET /admin/audit: the trail for admins, filtered, paged
// and as CSV.
type AuditView struct {
	Frame  Frame
	Log    AuditReader
	Policy *policy.Rules
}

// auditPageSize is how many records a page shows; a CSV export has up to
// auditExportMax.
const (
	auditPageSize  = 100
	auditExportMax = 10_000
)

var auditKinds = []components.AuditKind{
	{Value: audit.KindCustomerView, Label: "Customer viewed"},
	{Value: audit.KindLinkDecision, Label: "Link decision"},
	{Value: audit.KindSignIn, Label: "Signed in"},
	{Value: audit.KindSignInFailed, Label: "Sign-in failed"},
	{Value: audit.KindSignOut, Label: "Signed out"},
	{Value: audit.KindAccessRefused, Label: "Access refused"},
}

func (h *AuditView) admin(c echo.Context) bool {
	return h.Policy.Action(ViewerFrom(c), policy.ActionAuditRead)
}

// Show handles GET /admin/audit?user=&customer=&kind=&from=&to=&before=&format=csv.
func (h *AuditView) Show(c echo.Context) error {
	if !h.admin(c) {
		return echo.NewHTTPError(http.StatusForbidden, "Only an admin may read the audit trail. Ask someone in an admin group.")
	}
	f := components.AuditFilter{User: strings.TrimSpace(c.QueryParam("user")), Customer: strings.TrimSpace(c.QueryParam("customer")),
		Kind: c.QueryParam("kind"), From: c.QueryParam("from"), To: c.QueryParam("to")}
	m := components.AuditPage{Layout: h.Frame.Layout(c, "Audit trail"), Filter: f, Kinds: auditKinds, CSVHref: auditURL(f, 0, true)}
	q, problem := auditQuery(f)
	if problem != nil {
		m.Problem = problem
		return render(c, http.StatusBadRequest, components.Audit(m))
	}
	if b := c.QueryParam("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			return echo.NewHTTPError(http.StatusBadRequest, "The page is not a record number. Go back to the first page of the audit trail.")
		}
		q.BeforeSeq = n
	}
	csvOut := c.QueryParam("format") == "csv"
	limit := auditPageSize
	if csvOut {
		limit = auditExportMax
	}
	entries, more, err := h.list(c.Request().Context(), q, f.User, limit)
	if err != nil {
		return err
	}
	if csvOut {
		return writeAuditCSV(c, entries)
	}
	for _, e := range entries {
		m.Rows = append(m.Rows, auditRow(e))
	}
	if more && len(entries) > 0 {
		m.OlderHref = auditURL(f, entries[len(entries)-1].Seq, false)
	}
	return render(c, http.StatusOK, components.Audit(m))
}

// list reads up to limit entries and whether more follow. A user given by
// email is found among the records read, since the trail names people by
// a pseudonym of their subject only.
func (h *AuditView) list(ctx context.Context, q audit.Query, user string, limit int) ([]audit.Entry, bool, error) {
	if !strings.Contains(user, "@") {
		q.Subject, q.Limit = user, limit+1
		es, err := h.Log.List(ctx, q)
		if err != nil {
			return nil, false, err
		}
		if len(es) > limit {
			return es[:limit], true, nil
		}
		return es, false, nil
	}
	var out []audit.Entry
	q.Limit = 1000
	for read := 0; read < 50_000; read += q.Limit {
		es, err := h.Log.List(ctx, q)
		if err != nil {
			return nil, false, err
		}
		for _, e := range es {
			if strings.EqualFold(e.Actor.Email, user) {
				if len(out) == limit {
					return out, true, nil
				}
				out = append(out, e)
			}
		}
		if len(es) < q.Limit {
			break
		}
		q.BeforeSeq = es[len(es)-1].Seq
	}
	return out, false, nil
}

// auditQuery reads the filter's dates: whole days, From to To included.
func auditQuery(f components.AuditFilter) (audit.Query, *components.Problem) {
	q := audit.Query{Customer: f.Customer, Kind: f.Kind}
	if f.Kind != "" && !slices.ContainsFunc(auditKinds, func(k components.AuditKind) bool { return k.Value == f.Kind }) {
		return q, &components.Problem{Message: "There is no such kind of record.", Hint: "Choose a kind from the list."}
	}
	for _, d := range []struct {
		text string
		into *time.Time
		next bool
	}{{f.From, &q.From, false}, {f.To, &q.To, true}} {
		if d.text == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, d.text, time.UTC)
		if err != nil {
			return q, &components.Problem{Message: "“" + d.text + "” is not a date.", Hint: "Give dates as YYYY-MM-DD, e.g. 2026-12-01."}
		}
		if d.next {
			t = t.AddDate(0, 0, 1)
		}
		*d.into = t
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, &components.Problem{Message: "The first date is after the last.", Hint: "Swap the dates."}
	}
	return q, nil
}

func auditURL(f components.AuditFilter, before int64, csvOut bool) string {
	v := url.Values{}
	for k, s := range map[string]string{"user": f.User, "customer": f.Customer, "kind": f.Kind, "from": f.From, "to": f.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if csvOut {
		v.Set("format", "csv")
	}
	if len(v) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + v.Encode()
}

func who(e audit.Entry) string {
	switch {
	case e.Erased:
		return "(erased)"
	case e.Actor.Email != "":
		return e.Actor.Email
	case e.Actor.Subject != "":
		return e.Actor.Subject
	}
	return "(not signed in)"
}

func kindLabel(kind string) string {
	for _, k := range auditKinds {
		if k.Value == kind {
			return k.Label
		}
	}
	return kind
}

func auditRow(e audit.Entry) components.AuditRow {
	r := components.AuditRow{Seq: strconv.FormatInt(e.Seq, 10), At: e.At.UTC().Format("2006-01-02 15:04:05 UTC"), AtISO: e.At.UTC().Format(time.RFC3339),
		Kind: kindLabel(e.Kind), Who: who(e), Client: e.Client, Customer: e.Customer,
		Systems: strings.Join(e.Sources, ", "), Fields: strings.Join(e.Fields, ", "), Outcome: e.Outcome, Detail: e.Detail}
	if e.Customer != "" {
		r.CustomerHref = present.CustomerURL(e.Customer)
	}
	switch e.Outcome {
	case "ok":
		r.OutcomeTone = "ok"
	case "refused", "failed":
		r.OutcomeTone = "bad"
	default:
		r.OutcomeTone = "neutral"
	}
	return r
}

// writeAuditCSV answers the entries as a CSV file.
func writeAuditCSV(c echo.Context, entries []audit.Entry) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="atrium-audit.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	w.Write([]string{"seq", "at", "kind", "user", "subject", "client", "customer", "systems", "fields", "outcome", "detail"})
	for _, e := range entries {
		w.Write(csvSafe(strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339), e.Kind, who(e), e.Actor.Subject, e.Client,
			e.Customer, strings.Join(e.Sources, " "), strings.Join(e.Fields, " "), e.Outcome, e.Detail))
	}
	w.Flush()
	return w.Error()
}

// csvSafe makes every cell safe to open in a spreadsheet.
func csvSafe(cells ...string) []string {
	for i, s := range cells {
		cells[i] = components.CSVSafe(s)
	}
	return cells
}
