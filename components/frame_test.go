package components

import (
	"bytes"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// The Canvas host is loaded, with the page's nonce, beside a signed tool's
// frame, and on no other panel.
func TestCanvasHostOnlyBesideSignedFrames(t *testing.T) {
	signed := Panel{ID: "tool-billing", Title: "Billing", Frame: &Frame{Name: "frame-billing", Title: "Billing", Height: 480,
		Signed: &SignedForm{Action: "https://billing.example/canvas", Value: "sig.payload", Host: "/static/abc/js/canvas-host.js"}}}
	framed := Panel{ID: "tool-erp", Title: "ERP", Frame: &Frame{Name: "frame-erp", Src: "https://erp.example/", Title: "ERP", Height: 480}}
	html := renderWithNonce(t, signed)
	script := strings.Index(html, `<script src="/static/abc/js/canvas-host.js" nonce="n0nce" defer></script>`)
	form := strings.Index(html, `<form method="post" action="https://billing.example/canvas" target="frame-billing"`)
	frame := strings.Index(html, `<iframe name="frame-billing"`)
	if script < 0 || form < 0 || frame < 0 || !(form < frame && frame < script) || !strings.Contains(html, "data-canvas") {
		t.Errorf("signed panel: want the form, the frame, then the host script with the nonce:\n%s", html)
	}
	if html := renderWithNonce(t, framed); strings.Contains(html, "<script") {
		t.Errorf("a plain frame loads a script:\n%s", html)
	}
}

func renderWithNonce(t *testing.T, p Panel) string {
	t.Helper()
	var out bytes.Buffer
	if err := PanelCard(p).Render(templ.WithNonce(t.Context(), "n0nce"), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}
