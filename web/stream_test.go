package web_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/adapters"
)

// slowCRM holds its contacts back until released, or forever.
type slowCRM struct {
	fakeCRM
	entered chan struct{}
	release chan struct{}
}

func (s slowCRM) Fetch(ctx context.Context, req adapters.FetchRequest) (*adapters.Facet, error) {
	if req.Facet == "contacts" {
		select {
		case s.entered <- struct{}{}:
		default: // nobody is waiting for this one
		}
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return s.fakeCRM.Fetch(ctx, req)
}

// stream reads a streamed body as it arrives.
type stream struct {
	r    *bufio.Reader
	seen strings.Builder
}

// until reads until the body so far contains want, and returns the body so far.
func (s *stream) until(t *testing.T, want string) string {
	t.Helper()
	buf := make([]byte, 512)
	for !strings.Contains(s.seen.String(), want) {
		n, err := s.r.Read(buf)
		s.seen.Write(buf[:n])
		if err != nil && !strings.Contains(s.seen.String(), want) {
			t.Fatalf("stream ended before %q:\n%s", want, s.seen.String())
		}
	}
	return s.seen.String()
}

func TestCustomerPageStreamsPanelsAsTheyArrive(t *testing.T) {
	crm := slowCRM{entered: make(chan struct{}, 1), release: make(chan struct{})}
	p := startWith(t, crm, 0)
	p.login(t, "/", "alice", "demo-alice")
	resp, err := p.client.Get(p.url + "/customers/C1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := &stream{r: bufio.NewReader(resp.Body)}
	// The shell arrives while contacts are still held back.
	head := r.until(t, `shadowrootmode="open"`)
	<-crm.entered
	if !strings.Contains(head, "Globex &lt;Corporation&gt;") {
		t.Fatalf("the header did not come first:\n%s", head)
	}
	rest := r.until(t, `id="panel-crm-cases"`)
	if !strings.Contains(rest, "Loading from CRM") || strings.Contains(rest, "Homer Simpson") {
		t.Fatalf("placeholders, then the failed cases panel, should come before contacts:\n%s", rest)
	}
	close(crm.release)
	tail := r.until(t, "</html>")
	if !strings.Contains(tail, `slot="crm-contacts"`) || !strings.Contains(tail, "Homer Simpson") {
		t.Fatalf("contacts did not arrive in their slot:\n%s", tail)
	}
}

func TestLatePanelsEndThePageWithinTheBudget(t *testing.T) {
	crm := slowCRM{entered: make(chan struct{}, 1), release: make(chan struct{})} // never released
	budget := 300 * time.Millisecond
	p := startWith(t, crm, budget)
	p.login(t, "/", "alice", "demo-alice")
	start := time.Now()
	resp, body := p.get(t, p.url+"/customers/C1")
	elapsed := time.Since(start)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Still loading from CRM.") {
		t.Fatalf("late panel: %d\n%s", resp.StatusCode, body)
	}
	if elapsed > budget+2*time.Second {
		t.Errorf("page took %v with a budget of %v", elapsed, budget)
	}
	// The late panel offers to load itself alone.
	if !strings.Contains(body, `hx-get="/customers/C1/panels/crm/contacts"`) {
		t.Fatalf("no retry of the late panel:\n%s", body)
	}
	close(crm.release)
	resp, body = p.get(t, p.url+"/customers/C1/panels/crm/contacts", "HX-Request", "true")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Homer Simpson") || strings.Contains(body, "<html") ||
		!strings.Contains(body, `slot="crm-contacts"`) {
		t.Fatalf("panel fragment: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := p.get(t, p.url+"/customers/C1/panels/crm/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown panel: %d", resp.StatusCode)
	}
	if resp, _ := p.get(t, p.url+"/customers/C1/panels/other/contacts"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown source: %d", resp.StatusCode)
	}
}

func TestTimelineMergesFiltersAndPages(t *testing.T) {
	p := start(t)
	p.login(t, "/", "alice", "demo-alice")
	_, body := p.get(t, p.url+"/customers/C1")
	if !strings.Contains(body, `id="panel-all-timeline"`) || !strings.Contains(body, "Call with Homer") ||
		strings.Index(body, "Call with Homer") > strings.Index(body, "Homer Simpson joined") {
		t.Fatalf("the page has no timeline, newest first:\n%s", body)
	}
	if strings.Contains(body, "joined <b>") {
		t.Error("an event title was not escaped")
	}
	if !strings.Contains(body, "CRM is unavailable right now. Events from CRM are missing.") {
		t.Error("the timeline does not say the failed cases panel's events are missing")
	}
	resp, body := p.get(t, p.url+"/customers/C1/timeline?kind=contact", "HX-Request", "true")
	if resp.StatusCode != 200 || strings.Contains(body, "Call with Homer") || !strings.Contains(body, "Homer Simpson joined") ||
		strings.Contains(body, "<html") || !strings.Contains(body, `slot="all-timeline"`) {
		t.Fatalf("filtered timeline: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := p.get(t, p.url+"/customers/C1/timeline?page=0"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("page 0: %d", resp.StatusCode)
	}
	if resp, _ := p.get(t, p.url+"/customers/C1/timeline?kind=<script>"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("hostile kind: %d", resp.StatusCode)
	}
}
