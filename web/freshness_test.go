package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

// staleCRM serves its contacts from a cache past their freshness.
type staleCRM struct{ fakeCRM }

func (s staleCRM) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	f, err := s.fakeCRM.Fetch(ctx, req)
	if err == nil && req.Facet == "contacts" {
		f.Stale = true
	}
	return f, err
}

var staleContacts = regexp.MustCompile(`<section[^>]*id="panel-crm-contacts"[^>]*>`)

// A stale panel asks for itself again once the refresh it started has had
// time to land, and the panel it gets back asks no more; fresh times carry
// what the page's script needs to keep "just now" true.
func TestStalePanelsAskForThemselvesAgain(t *testing.T) {
	p := startWith(t, staleCRM{}, 0)
	p.login(t, "/", "alice", "demo-alice")
	_, body := p.get(t, p.url+"/customers/C1")
	tag := staleContacts.FindString(body)
	if !strings.Contains(tag, `hx-get="/customers/C1/panels/crm/contacts?refreshed=1"`) || !strings.Contains(tag, `hx-trigger="load delay:5s"`) ||
		!strings.Contains(tag, `hx-swap="outerHTML"`) {
		t.Fatalf("the stale panel does not ask for itself again: %s\n%s", tag, body)
	}
	if !regexp.MustCompile(`<time datetime="[^"]+Z"[^>]*data-ago`).MatchString(body) {
		t.Errorf("no fresh time carries data-ago:\n%s", body)
	}
	_, frag := p.get(t, p.url+"/customers/C1/panels/crm/contacts?refreshed=1", "HX-Request", "true")
	if !strings.Contains(frag, `id="panel-crm-contacts"`) || strings.Contains(frag, "hx-trigger") {
		t.Errorf("the re-fetched panel should not ask again:\n%s", frag)
	}
}
