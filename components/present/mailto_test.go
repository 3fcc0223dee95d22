package present

import (
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

func TestEmailCellLinksOnlyPlainAddresses(t *testing.T) {
	for _, tc := range []struct {
		text, href string
	}{
		{"ana@example.com", "mailto:ana@example.com"},
		{"Ana.Lopez+billing@mail.example.co.uk", "mailto:Ana.Lopez+billing@mail.example.co.uk"},
		{"ana@example.com?bcc=mallory@evil.example", ""},
		{"ana@example.com?subject=Refund&body=Send%20it", ""},
		{"ana@example.com&cc=mallory@evil.example", ""},
		{"ana@example.com#x", ""},
		{"ana@example.com,mallory@evil.example", ""},
		{"ana@example.com;mallory@evil.example", ""},
		{"Ana <ana@example.com>", ""},
		{"ana%40example.com@evil.example", ""},
		{"ana@exa mple.com", ""},
		{"ana@-example.com", ""},
		{"ana@example..com", ""},
		{"@example.com", ""},
		{"ana@", ""},
		{"javascript:alert(1)//@example.com", ""},
	} {
		c := Cell(adapters.Value{Kind: adapters.KindEmail, Text: tc.text, Valid: true})
		if c.Href != tc.href {
			t.Errorf("email %q: link %q, want %q", tc.text, c.Href, tc.href)
		}
		if c.Text != tc.text {
			t.Errorf("email %q: shown as %q, want it as it is", tc.text, c.Text)
		}
	}
}
