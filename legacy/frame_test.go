package legacy_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atrium-dev/atrium/legacy"
	"github.com/atrium-dev/atrium/legacy/canvas"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef-legacy")
	now    = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	grace  = legacy.User{Subject: "auth0|42", Email: "grace@example.com", Name: "Grace Hopper", Groups: []string{"support"}}
)

func iframeTool(tpl string) legacy.Tool {
	return legacy.Tool{ID: "erp", Title: "ERP", Mode: legacy.ModeIframe, Origin: "https://erp.example", URL: tpl}
}

func view(erp string) legacy.View {
	return legacy.View{User: grace, Customer: "cust-7", Links: map[string]string{"erp": erp}}
}

// Every value comes back exactly from the path segment and the query
// parameter it was put in, and changes neither the host nor the fragment.
func TestFrameURLEscapesValues(t *testing.T) {
	tool := iframeTool("https://erp.example/cust/{{.Links.erp}}/view?no={{.Links.erp}}&by={{.User.Email}}&c={{urlquery .Customer}}")
	for _, value := range []string{"42", "a&b=c", "x#frag", "a/b", "../../admin", "two words", "javascript:alert(1)",
		"%2e%2e", "100%", "ü+?", `"><script>`} {
		t.Run(value, func(t *testing.T) {
			raw, err := tool.FrameURL(view(value))
			if err != nil {
				t.Fatalf("FrameURL: %v", err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			segs := strings.Split(u.EscapedPath(), "/")
			seg, _ := url.PathUnescape(segs[2])
			q := u.Query()
			if u.Host != "erp.example" || u.Fragment != "" || len(segs) != 4 || seg != value ||
				q.Get("no") != value || q.Get("by") != grace.Email || q.Get("c") != "cust-7" || len(q) != 3 {
				t.Errorf("FrameURL = %s", raw)
			}
		})
	}
}

// A value that is a dot segment cannot be escaped (browsers read %2e as a
// dot), so it is refused.
func TestFrameURLRefusesDotSegments(t *testing.T) {
	tool := iframeTool("https://erp.example/cust/{{.Links.erp}}")
	for _, value := range []string{".", ".."} {
		if got, err := tool.FrameURL(view(value)); !errors.Is(err, legacy.ErrUnsafeURL) {
			t.Errorf("FrameURL(%q) = %q, %v; want ErrUnsafeURL", value, got, err)
		}
	}
}

func TestFrameURLHostIsFixed(t *testing.T) {
	for _, tc := range []struct{ name, tpl, value string }{
		{"other host", "https://evil.example/cust?no={{.Links.erp}}", "1"},
		{"scheme-relative", "//evil.example/cust?no={{.Links.erp}}", "1"},
		{"relative", "/cust?no={{.Links.erp}}", "1"},
		{"credentials", "https://erp.example@evil.example/cust?no={{.Links.erp}}", "1"},
		{"longer host", "https://erp.example.evil.example/?no={{.Links.erp}}", "1"},
		{"other scheme", "http://erp.example/?no={{.Links.erp}}", "1"},
		{"other port", "https://erp.example:8443/?no={{.Links.erp}}", "1"},
		{"javascript", "javascript:alert(1)//{{.Links.erp}}", "1"},
		{"backslash", `https://erp.example\@evil.example/{{.Links.erp}}`, "1"},
		{"tab", "https://erp.\texample/{{.Links.erp}}", "1"},
		{"value is the URL", "{{.Links.erp}}", "https://evil.example/"},
		{"value is a javascript URL", "{{.Links.erp}}", "javascript:alert(1)"},
		{"value extends the host", "https://erp.example{{.Links.erp}}/x", ".evil.example"},
		{"value adds credentials", "https://erp.example{{.Links.erp}}/x", "@evil.example"},
		{"value adds a port", "https://erp.example{{.Links.erp}}/x", ":8443"},
		{"value after scheme", "https://{{.Links.erp}}/x", "evil.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := iframeTool(tc.tpl).FrameURL(view(tc.value))
			if !errors.Is(err, legacy.ErrUnsafeURL) {
				t.Fatalf("FrameURL = %q, %v; want ErrUnsafeURL", got, err)
			}
		})
	}
	// The origin is compared, not spelled: case and the default port differ.
	if got, err := iframeTool("HTTPS://ERP.example:443/x").FrameURL(view("1")); err != nil {
		t.Errorf("same origin spelled differently: %q, %v", got, err)
	}
}

func TestFrameURLNotLinked(t *testing.T) {
	tool := iframeTool("https://erp.example/cust?no={{.Links.erp}}")
	for _, links := range []map[string]string{nil, {"crm": "1"}, {"erp": ""}} {
		_, err := tool.FrameURL(legacy.View{User: grace, Links: links})
		if !errors.Is(err, legacy.ErrNotLinked) {
			t.Errorf("links %v: %v, want ErrNotLinked", links, err)
		}
	}
}

func TestFrameURLProxyStaysUnderPrefix(t *testing.T) {
	proxy := func(tpl string) legacy.Tool {
		return legacy.Tool{ID: "legacy", Title: "Legacy", Mode: legacy.ModeProxy, Upstream: "http://10.0.0.5", Secret: secret, URL: tpl}
	}
	for _, tc := range []struct{ tpl, value, want string }{
		{"app/?customer={{.Links.erp}}", "42", "/tools/legacy/app/?customer=42"},
		{"/app/?customer={{.Links.erp}}", "../x&y=1", "/tools/legacy/app/?customer=..%2Fx%26y%3D1"},
		{"", "1", "/tools/legacy/"},
		{"//evil.example/x?{{.Links.erp}}", "1", "/tools/legacy/evil.example/x?1"},
		{"app/{{.Links.erp}}", "a b", "/tools/legacy/app/a%20b"},
	} {
		got, err := proxy(tc.tpl).FrameURL(view(tc.value))
		if err != nil || got != tc.want {
			t.Errorf("FrameURL(%q, %q) = %q, %v; want %q", tc.tpl, tc.value, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ tpl, value string }{
		{"app/{{.Links.erp}}", ".."},
		{"app/{{.Links.erp}}/x", "a/b"}, // an encoded slash: the proxy refuses it
		{"../../admin?{{.Links.erp}}", "1"},
		{"app/%2e%2e/{{.Links.erp}}", "1"},
		{"https://evil.example/{{.Links.erp}}", "1"},
	} {
		if got, err := proxy(tc.tpl).FrameURL(view(tc.value)); !errors.Is(err, legacy.ErrUnsafeURL) {
			t.Errorf("FrameURL(%q, %q) = %q, %v; want ErrUnsafeURL", tc.tpl, tc.value, got, err)
		}
	}
}

func TestSignedRequest(t *testing.T) {
	tool := legacy.Tool{ID: "billing", Title: "Billing", Mode: legacy.ModeSigned, Origin: "https://billing.example",
		URL: "https://billing.example/canvas", Secret: secret}
	v := legacy.View{User: grace, Customer: "cust-7", Links: map[string]string{"erp": "42", "salesforce": "001A"}}
	target, signed, err := tool.SignedRequest(v, now, "nonce-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if target != "https://billing.example/canvas" {
		t.Errorf("target %q", target)
	}
	req, err := canvas.Verify(secret, signed, now.Add(59*time.Second), canvas.NewMemoryNonces())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if req.ExpiresAt != now.Add(legacy.DefaultSignedTTL).Unix() || req.IssuedAt != now.Unix() || req.Nonce != "nonce-1" {
		t.Errorf("lifetime %+v", req)
	}
	// The JSON has the Canvas shape, read as a Canvas app reads it.
	_, encoded, _ := strings.Cut(signed, ".")
	body, _ := base64.StdEncoding.DecodeString(encoded)
	var doc struct {
		Algorithm string `json:"algorithm"`
		UserID    string `json:"userId"`
		IssuedAt  int64  `json:"issuedAt"`
		Client    map[string]any
		Context   struct {
			User         map[string]any `json:"user"`
			Organization map[string]any `json:"organization"`
			Environment  struct {
				Parameters map[string]any `json:"parameters"`
			} `json:"environment"`
		} `json:"context"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	u := doc.Context.User
	p := doc.Context.Environment.Parameters
	if doc.Algorithm != "HMACSHA256" || doc.UserID != grace.Subject || doc.IssuedAt != now.Unix() || doc.Client == nil ||
		doc.Context.Organization == nil || u["userId"] != grace.Subject || u["userName"] != grace.Email ||
		u["email"] != grace.Email || u["fullName"] != grace.Name || p["customerId"] != "cust-7" ||
		p["links"].(map[string]any)["salesforce"] != "001A" {
		t.Errorf("JSON %s", body)
	}

	if _, _, err := iframeTool("https://erp.example/").SignedRequest(v, now, "n", time.Minute); err == nil {
		t.Error("an iframe tool signed a request")
	}
	if _, _, err := tool.SignedRequest(v, now, "", time.Minute); err == nil {
		t.Error("signed without a nonce")
	}
}

// The client block is what Salesforce's browser SDK reads, under its field
// names: without an instanceId and a targetOrigin every SDK call is refused
// before it reaches the page, and an empty oauthToken counts as none.
func TestSignedRequestClientBlock(t *testing.T) {
	tool := legacy.Tool{ID: "billing", Title: "Billing", Mode: legacy.ModeSigned, Origin: "https://billing.example",
		URL: "https://billing.example/canvas", Secret: secret, PortalURL: "https://atrium.example:8443/"}
	v := legacy.View{User: grace, Customer: "cust-7"}
	client := func(tool legacy.Tool, nonce string) map[string]any {
		t.Helper()
		_, signed, err := tool.SignedRequest(v, now, nonce, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, encoded, _ := strings.Cut(signed, ".")
		body, _ := base64.StdEncoding.DecodeString(encoded)
		var doc struct {
			Client map[string]any `json:"client"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Client
	}
	first, second := client(tool, "n-1"), client(tool, "n-2")
	if first["targetOrigin"] != "https://atrium.example:8443" || first["instanceUrl"] != "https://atrium.example:8443" ||
		first["oauthToken"] != canvas.NoOAuthToken || first["instanceId"] == "" || first["instanceId"] == nil {
		t.Errorf("client block %v", first)
	}
	if first["instanceId"] == second["instanceId"] {
		t.Errorf("two frames share the instance id %v", first["instanceId"])
	}
	tool.PortalURL = ""
	if c := client(tool, "n-3"); c["targetOrigin"] != "" || c["instanceUrl"] != "" || c["instanceId"] == "" {
		t.Errorf("client block without a portal URL %v", c)
	}
	for _, bad := range []string{"atrium.example", "ftp://atrium.example", "https://user@atrium.example"} {
		tool.PortalURL = bad
		if _, _, err := tool.SignedRequest(v, now, "n-4", 0); err == nil {
			t.Errorf("portal URL %q accepted", bad)
		}
	}
}

func TestAllowed(t *testing.T) {
	open := legacy.Tool{}
	closed := legacy.Tool{Groups: []string{"finance", "admins"}}
	for _, tc := range []struct {
		tool legacy.Tool
		user legacy.User
		want bool
	}{
		{open, grace, true},
		{open, legacy.User{}, false},
		{closed, grace, false},
		{closed, legacy.User{Subject: "x", Groups: []string{"sales", "admins"}}, true},
		{closed, legacy.User{Groups: []string{"admins"}}, false},
	} {
		if got := tc.tool.Allowed(tc.user); got != tc.want {
			t.Errorf("%v.Allowed(%v) = %v", tc.tool.Groups, tc.user, got)
		}
	}
}

func TestFrameOrigins(t *testing.T) {
	tools := []legacy.Tool{
		iframeTool("https://erp.example/"),
		{ID: "b", Mode: legacy.ModeSigned, Origin: "https://billing.example:443"},
		{ID: "c", Mode: legacy.ModeIframe, Origin: "https://ERP.example"},
		{ID: "d", Mode: legacy.ModeProxy, Upstream: "http://10.0.0.5"},
		{ID: "e", Mode: legacy.ModeIframe, Origin: "http://old.example:8080"},
	}
	if got, want := legacy.FrameOrigins(tools), []string{"http://old.example:8080", "https://billing.example", "https://erp.example"}; !slices.Equal(got, want) {
		t.Errorf("FrameOrigins = %v, want %v", got, want)
	}
	if got, want := legacy.FormActionOrigins(tools), []string{"https://billing.example"}; !slices.Equal(got, want) {
		t.Errorf("FormActionOrigins = %v, want %v", got, want)
	}
}
