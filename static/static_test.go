package static

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestHashedURLsServeTheFile(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	u := a.URL("css/atrium.css")
	if !strings.HasPrefix(u, "/static/") || !strings.HasSuffix(u, "/css/atrium.css") {
		t.Fatalf("URL = %q", u)
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
	want, _ := files.ReadFile("css/atrium.css")
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), want) {
		t.Fatalf("status %d, body differs: %v", rec.Code, !bytes.Equal(rec.Body.Bytes(), want))
	}
	if !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("headers %v", rec.Header())
	}
	for _, bad := range []string{"/static/000000000000/css/atrium.css", "/static/" + "css/atrium.css", "/static/../static.go"} {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, bad, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", bad, rec.Code)
		}
	}
}

// The vendored htmx must be exactly the file of the version pinned in
// package-lock.json (scripts/build-static.sh copies it).
func TestVendoredHTMXMatchesPinnedPackage(t *testing.T) {
	lock, err := os.ReadFile("../package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	var l struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	if err := json.Unmarshal(lock, &l); err != nil {
		t.Fatal(err)
	}
	v := l.Packages["node_modules/htmx.org"].Version
	if !strings.HasPrefix(v, "2.") {
		t.Fatalf("package-lock pins htmx.org %q; Atrium needs htmx 2.x", v)
	}
	pkg, err := os.ReadFile("../node_modules/htmx.org/package.json")
	if err != nil {
		t.Fatalf("node_modules missing (run npm ci): %v", err)
	}
	var p struct{ Version string }
	if err := json.Unmarshal(pkg, &p); err != nil || p.Version != v {
		t.Fatalf("installed htmx.org %q, lock file pins %q: run npm ci", p.Version, v)
	}
	want, err := os.ReadFile("../node_modules/htmx.org/dist/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := files.ReadFile("vendor/htmx.min.js")
	if !bytes.Equal(got, want) {
		t.Fatal("static/vendor/htmx.min.js differs from the pinned htmx.org: run scripts/build-static.sh")
	}
}
