package adapters

import "testing"

func TestIsCurrencyCode(t *testing.T) {
	for code, want := range map[string]bool{
		"USD": true, "EUR": true, "eur": false, "Eur": false, "EURO": false, "EU": false, "": false, "U$D": false,
	} {
		if got := IsCurrencyCode(code); got != want {
			t.Errorf("IsCurrencyCode(%q) = %v, want %v", code, got, want)
		}
	}
}
