package salesforce

import "testing"

func TestParseLimitInfo(t *testing.T) {
	tests := []struct {
		in          string
		used, limit int
		ok          bool
	}{
		{"api-usage=10018/100000", 10018, 100000, true},
		{"api-usage=25/5000, per-app-api-usage=17/250(appName=sample-connected-app)", 25, 5000, true},
		{"per-app-api-usage=17/250(appName=x), api-usage=3/15000", 3, 15000, true},
		{"", 0, 0, false},
		{"api-usage=abc/100", 0, 0, false},
		{"api-usage=10", 0, 0, false},
		{"per-app-api-usage=17/250", 0, 0, false},
	}
	for _, tt := range tests {
		used, limit, ok := ParseLimitInfo(tt.in)
		if used != tt.used || limit != tt.limit || ok != tt.ok {
			t.Errorf("ParseLimitInfo(%q) = %d, %d, %v; want %d, %d, %v", tt.in, used, limit, ok, tt.used, tt.limit, tt.ok)
		}
	}
}
