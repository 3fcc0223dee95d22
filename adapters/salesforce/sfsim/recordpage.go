package sfsim

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// recordPagePrefix is where Lightning Experience shows a record:
// /lightning/r/{Object}/{Id}/view, the address the adapter's record links
// take under the instance URL.
const recordPagePrefix = "/lightning/r/"

// recordField is one row of a record page.
type recordField struct{ Label, Value string }

// recordPageView is what a record page shows.
type recordPageView struct {
	Title   string // the record's name, or its id when it has none
	Object  string // the object's label, e.g. "Account"
	ID      string
	Fields  []recordField
	Message string // on a not-found page
}

// recordPageHTML is a read-only page standing in for Lightning's record view,
// so that the demo's "Open in Salesforce" links lead somewhere readable. It
// has no script: it only shows the fields.
var recordPageHTML = template.Must(template.New("record").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}} | Salesforce (simulated)</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f3f3f3;color:#181818}
header{background:#0176d3;color:#fff;padding:.6rem 1.5rem;font-size:.9rem}
main{max-width:52rem;margin:1.5rem auto;background:#fff;border:1px solid #ddd;border-radius:.4rem;padding:1.25rem 1.5rem}
h1{margin:.1rem 0 1rem;font-size:1.4rem}
.object{color:#555;font-size:.85rem;text-transform:uppercase;letter-spacing:.04em}
dl{display:grid;grid-template-columns:minmax(10rem,max-content) 1fr;gap:.35rem 1.25rem;margin:0}
dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
</style>
</head>
<body>
<header>Demo Salesforce org (simulated): a read-only view of the record</header>
<main>
{{if .Message}}<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{else}}<div class="object">{{.Object}}</div>
<h1>{{.Title}}</h1>
<dl>
{{range .Fields}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>
{{end}}</dl>
{{end}}</main>
</body>
</html>
`))

// recordPage answers GET /lightning/r/{Object}/{Id}/view with the record's
// fields. A real org asks the browser to sign in first; the simulated one
// shows its demo data to anyone who can reach it.
func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, recordPagePrefix), "/")
	if len(parts) != 3 || parts[2] != "view" {
		writeRecordPage(w, http.StatusNotFound, recordPageView{Title: "Page not found",
			Message: "This address does not show a record. Record pages are at /lightning/r/{Object}/{Id}/view."})
		return
	}
	o := s.store.schema.object(parts[0])
	id, ok := normalizeID(parts[1])
	var view recordPageView
	found := false
	if o != nil && ok {
		s.store.mu.RLock()
		if rec := s.store.live(id); rec != nil && rec.obj == o {
			view, found = recordView(rec), true
		}
		s.store.mu.RUnlock()
	}
	if !found {
		writeRecordPage(w, http.StatusNotFound, recordPageView{Title: "Record not found",
			Message: fmt.Sprintf("The demo org holds no %s with id %s. It may have been deleted.", parts[0], parts[1])})
		return
	}
	writeRecordPage(w, http.StatusOK, view)
}

// recordView lists a record's fields that hold a value, in the object's
// order. The caller holds the store's read lock.
func recordView(rec *record) recordPageView {
	v := recordPageView{Object: rec.obj.label, ID: rec.id, Title: rec.id}
	if f := rec.obj.field(rec.obj.nameField); f != nil {
		v.Title = cmp.Or(display(rec.fields[f.name], f), rec.id)
	}
	for _, f := range rec.obj.fields {
		if f.pseudo {
			continue
		}
		if s := display(rec.fields[f.name], f); s != "" {
			v.Fields = append(v.Fields, recordField{Label: f.label, Value: s})
		}
	}
	return v
}

// display formats a stored value for reading; nil and empty values are "".
func display(v any, f *field) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if f != nil && f.typ == typeDate {
			return x.Format(dateLayout)
		}
		return x.UTC().Format("2006-01-02 15:04 UTC")
	}
	return fmt.Sprint(v)
}

func writeRecordPage(w http.ResponseWriter, status int, v recordPageView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = recordPageHTML.Execute(w, v)
}
