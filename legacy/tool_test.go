package legacy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/legacy"
)

func keys(ps []legacy.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	slices.Sort(out)
	return out
}

func TestValidateAcceptsGoodTools(t *testing.T) {
	for _, tool := range []legacy.Tool{
		iframeTool("https://erp.example/cust?no={{.Links.erp}}"),
		{ID: "billing", Title: "Billing", Mode: legacy.ModeSigned, Origin: "https://billing.example",
			URL: "https://billing.example/canvas", Secret: secret, Groups: []string{"finance"}},
		{ID: "legacy", Title: "Legacy", Mode: legacy.ModeProxy, Upstream: "http://10.0.0.5:8080/base/",
			URL: "app/?customer={{.Links.erp}}", Secret: secret, StripHeaders: []string{"X-Legacy-User"}, Methods: []string{"PROPFIND", "MKCOL"}, Height: 600},
	} {
		if ps := tool.Validate(); len(ps) != 0 {
			t.Errorf("%s: %+v", tool.ID, ps)
		}
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	for _, tc := range []struct {
		name string
		tool legacy.Tool
		want []string
	}{
		{"empty", legacy.Tool{}, []string{"id", "mode", "title"}},
		{"iframe", legacy.Tool{ID: "Bad Id", Title: "x", Mode: legacy.ModeIframe, Origin: "https://erp.example/path",
			Sandbox: "allow-scripts allow-top-navigation", Groups: []string{""}, Height: -1, StripHeaders: []string{"Bad Header"}},
			[]string{"groups", "height", "id", "origin", "sandbox", "strip_headers"}},
		{"iframe URL off origin", iframeTool("https://evil.example/{{.Links.erp}}"), []string{"url"}},
		{"iframe URL not a template", iframeTool("https://erp.example/{{.Links.erp"), []string{"url"}},
		{"signed", legacy.Tool{ID: "b", Title: "B", Mode: legacy.ModeSigned, Origin: "javascript:x", Secret: []byte("s3cr3t!")},
			[]string{"origin", "secret"}},
		{"proxy", legacy.Tool{ID: "p", Title: "P", Mode: legacy.ModeProxy, Upstream: "ftp://x", URL: "../{{.Links.erp}}",
			Sandbox: "allow-forms allow-popups-to-escape-sandbox", Methods: []string{"PROP FIND", "connect", ""}},
			[]string{"methods", "methods", "methods", "sandbox", "secret", "upstream", "url"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := tc.tool.Validate()
			if got := keys(ps); !slices.Equal(got, tc.want) {
				t.Errorf("problems at %v, want %v: %+v", got, tc.want, ps)
			}
			for _, p := range ps {
				if p.Message == "" || strings.Contains(p.Message, "s3cr3t!") {
					t.Errorf("problem %+v: no message, or the secret quoted", p)
				}
			}
		})
	}
}

func TestSandboxDefaults(t *testing.T) {
	framed := iframeTool("https://erp.example/")
	proxied := legacy.Tool{Mode: legacy.ModeProxy}
	if got := framed.FrameSandbox(); got != "allow-scripts allow-forms allow-same-origin allow-popups" {
		t.Errorf("iframe sandbox %q", got)
	}
	// On Atrium's origin, scripts and same-origin are never both granted
	// by default.
	flags := strings.Fields(proxied.FrameSandbox())
	if slices.Contains(flags, "allow-scripts") && slices.Contains(flags, "allow-same-origin") || proxied.UnconfinedProxy() {
		t.Errorf("proxy sandbox %q lets the tool script Atrium", proxied.FrameSandbox())
	}
	proxied.Sandbox = "allow-scripts  allow-same-origin"
	if !proxied.UnconfinedProxy() || proxied.FrameSandbox() != "allow-scripts allow-same-origin" {
		t.Errorf("explicit sandbox %q, unconfined %v", proxied.FrameSandbox(), proxied.UnconfinedProxy())
	}
	if framed.FrameHeight() != 480 || (legacy.Tool{Height: 700}).FrameHeight() != 700 {
		t.Error("frame height default")
	}
}
