package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// trojanCRM is a system whose data carries bidirectional controls and a
// mail address with a query, as a hostile or broken record could.
type trojanCRM struct{ fakeCRM }

const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

func (trojanCRM) Fetch(_ context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.ID != "C1" {
		return nil, adapters.ErrNotFound
	}
	f := &adapters.Facet{Source: "crm", Name: req.Facet, FetchedAt: time.Now()}
	switch req.Facet {
	case "account":
		f.Fields = map[string]adapters.Value{adapters.FieldName: adapters.Text("Acme \u202eCorp\u202c Ltd")}
	case "contacts":
		f.Tables = []adapters.Table{{Columns: []adapters.Column{{Title: "Name"}, {Title: "Email", Kind: adapters.KindEmail}},
			Rows: []adapters.Row{{Cells: []adapters.Value{adapters.Text("Ana \u2067Lopez\u2069"),
				{Kind: adapters.KindEmail, Text: "ana@example.com?bcc=mallory@evil.example", Valid: true}}}}, Total: 1}}
		f.Events = []adapters.Event{{At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Kind: "contact", Title: "Invoice \u202d4321\u202c paid"}}
	case "cases":
		f.Tables = []adapters.Table{{Columns: []adapters.Column{{Title: "Subject"}}, Total: 0}}
	}
	return f, nil
}

func TestSystemDataCannotReorderOrMailElsewhere(t *testing.T) {
	p := startWith(t, trojanCRM{}, 0)
	p.login(t, "/", "alice", "demo-alice")
	for _, path := range []string{"/customers/C1", "/customers/C1/timeline", "/customers/C1/panels/crm/contacts"} {
		resp, body := p.get(t, p.url+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		if i := strings.IndexAny(body, bidiControls); i >= 0 {
			t.Errorf("%s: a bidirectional control reached the page: …%q…", path, body[max(0, i-40):min(len(body), i+40)])
		}
		if strings.Contains(body, "mailto:ana@example.com?") || strings.Contains(body, "mailto:ana@example.com&#63;") {
			t.Errorf("%s: the address with a query became a mailto link", path)
		}
	}
	_, body := p.get(t, p.url+"/customers/C1")
	if !strings.Contains(body, "Acme Corp Ltd") {
		t.Errorf("the customer's name lost more than its controls")
	}
	if _, tl := p.get(t, p.url+"/customers/C1/timeline"); !strings.Contains(tl, "Invoice 4321 paid") {
		t.Errorf("the timeline entry lost more than its controls")
	}
}
