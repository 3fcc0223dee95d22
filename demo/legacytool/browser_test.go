package legacytool_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/demo/legacytool"
	"github.com/atrium-dev/atrium/internal/testenv"
	"github.com/atrium-dev/atrium/legacy/assertion"
)

// The pages are accessible, and the /app/ page's echo form works without
// scripts, as the proxy's default sandbox requires. A wrapper stands in for the proxy's
// assertion.
func TestPagesInBrowser(t *testing.T) {
	tool, err := legacytool.New(legacytool.Options{CanvasSecret: canvasSecret, AssertionSecret: assertionSecret,
		ToolID: "legacy"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("as") == "grace" || r.URL.Path == "/app/ws" || r.URL.Path == "/app/echo" {
			tok, err := assertion.Sign(assertionSecret, "legacy", assertion.Identity{Subject: grace.Subject,
				Email: grace.Email, Name: grace.Name, Groups: grace.Groups}, time.Now(), time.Minute, "jti")
			if err != nil {
				t.Error(err)
			}
			r.Header.Set(assertion.Header, tok)
		}
		tool.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	b := testenv.NewBrowser(t)
	b.Navigate(srv.URL + "/frame?customer=cust-7&user=grace%40example.com")
	b.CheckAccessibility(t, "legacytool-frame")
	b.Navigate(srv.URL + "/app/")
	if got := b.Text("h1"); got != "Access denied" {
		t.Errorf("without an assertion: %q", got)
	}
	b.CheckAccessibility(t, "legacytool-denied")
	b.ClearConsoleErrors() // the 403 just seen

	b.Navigate(srv.URL + "/app/?as=grace&customer=cust-7")
	b.CheckAccessibility(t, "legacytool-app")
	b.SetValue("#echo-msg", "hello")
	b.Click("#echo button")
	b.WaitVisible("#echo-out")
	if reply := b.Text("#echo-out"); reply != "echo: hello" {
		t.Errorf("echo %q", reply)
	}
	if errs := b.ConsoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}
