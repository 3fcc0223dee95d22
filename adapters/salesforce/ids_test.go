package salesforce

import (
	"errors"
	"strings"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

// Ids as Salesforce's documentation and the API print them: the 15-character
// form and the 18-character one the API returns.
var knownIDs = []struct{ id15, id18 string }{
	{"001D000000IqhSL", "001D000000IqhSLIAZ"},
	{"001RM000004UF9s", "001RM000004UF9sYAG"}, // a change event's recordIds
	{"005RM000001hv4S", "005RM000001hv4SYAQ"}, // its commitUser
	{"01gD0000002HU6K", "01gD0000002HU6KIAW"}, // a query locator
	{"70130000001tcyI", "70130000001tcyIAAQ"},
	{"0019000000B98de", "0019000000B98deAAB"},
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		// Suffixes by hand: per 5-character block, bit i = character i is A–Z,
		// indexed into ABCDEFGHIJKLMNOPQRSTUVWXYZ012345.
		{"001A0000006Vm9r", "001A0000006Vm9rIAC"}, // 00010→8=I, 0→A, 01000→2=C
		{"0015000000Gv7qJ", "0015000000Gv7qJAAR"}, // 0→A, 0→A, G(1)+J(16)=17→R
		{"003000000000001", "003000000000001AAA"},
		{"ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO555"}, // 31 in every block
		{"a0BZZZZZzzzzzzz", "a0BZZZZZzzzzzzz2HA"}, // 4+8+16=28→2, 1+2+4=7→H, 0→A
		// 15-character ids are case-sensitive: another case is another id.
		{"001d000000iqhsl", "001d000000iqhslAAA"},
		// 18-character ids are not: the checksum restores the case.
		{"001d000000iqhsliaz", "001D000000IqhSLIAZ"},
		{"001D000000IQHSLIAZ", "001D000000IqhSLIAZ"},
		{"001d000000IqhSLIAZ", "001D000000IqhSLIAZ"},
		{"001D000000IqhSLiaz", "001D000000IqhSLIAZ"},
		{"a0bzzzzzzzzzzzz2ha", "a0BZZZZZzzzzzzz2HA"},
		{"abcdefghijklmno555", "ABCDEFGHIJKLMNO555"},
		// Read case-insensitively, AAA says no character is upper-case.
		{"001A0000006Vm9rAAA", "001a0000006vm9rAAA"},
	}
	for _, k := range knownIDs {
		tests = append(tests,
			struct{ in, want string }{k.id15, k.id18},
			struct{ in, want string }{k.id18, k.id18},
			struct{ in, want string }{strings.ToLower(k.id18), k.id18},
			struct{ in, want string }{strings.ToUpper(k.id18), k.id18})
	}
	for _, tt := range tests {
		got, err := Canonical(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if !Valid(tt.in) {
			t.Errorf("Valid(%q) = false", tt.in)
		}
	}
}

func TestCanonicalRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"001D000000IqhS",      // 14
		"001D000000IqhSLI",    // 16
		"001D000000IqhSLIA",   // 17
		"001D000000IqhSLIAZX", // 19
		"001D000000IqhSLIBZ",  // B marks a digit upper-case
		"001D000000IqhSLJAZ",  // J marks the first character upper-case: it is 0
		"001D000000IqhSLIA9",  // 9 is no checksum character
		"001D000000IqhSLIA_",
		"001D000000Iqh-L",
		"001D000000IqhS' OR Id != '",
		"001D000000IqhSü",
		"C1",
		"nope",
	} {
		got, err := Canonical(in)
		if err == nil || !errors.Is(err, adapters.ErrNotFound) {
			t.Errorf("Canonical(%q) = %q, %v; want an error matching ErrNotFound", in, got, err)
		}
		if Valid(in) {
			t.Errorf("Valid(%q) = true", in)
		}
	}
}

func TestAdapterChecksIDs(t *testing.T) {
	var checker adapters.IDChecker = &Adapter{}
	if got, err := checker.CanonicalID("001d000000iqhsliaz"); err != nil || got != "001D000000IqhSLIAZ" {
		t.Errorf("CanonicalID = %q, %v", got, err)
	}
	if _, err := checker.CanonicalID("001D000000IqhSLIBZ"); !errors.Is(err, adapters.ErrNotFound) {
		t.Errorf("CanonicalID of a bad checksum: %v", err)
	}
}
