package sfsim

import "testing"

func TestTo18(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"001A0000006Vm9r", "001A0000006Vm9rIAC"},
		{"003A0000005QB3A", "003A0000005QB3AIAW"},
		{"00D000000000062", "00D000000000062EAA"},
		{"001Dn00000Acme1", DemoAccountAcme},
		{"aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaAAA"},
		{"AAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAA555"},
		{"001A0000006Vm9rIAC", "001A0000006Vm9rIAC"}, // already 18: unchanged
		{"001A0000006Vm9rxxx", "001A0000006Vm9rIAC"}, // checksum recomputed
	} {
		if got := To18(tc.in); got != tc.want {
			t.Errorf("To18(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizeID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"001A0000006Vm9r", "001A0000006Vm9rIAC"},
		{"001A0000006Vm9rIAC", "001A0000006Vm9rIAC"},
		{"001D000000IqhSL", "001D000000IqhSLIAZ"},
		{"001D000000IqhSLIAZ", "001D000000IqhSLIAZ"},
		// An 18-character id is case-insensitive: the checksum restores the case.
		{"001A0000006Vm9riac", "001A0000006Vm9rIAC"},
		{"001a0000006vm9riac", "001A0000006Vm9rIAC"},
		{"001A0000006VM9RIAC", "001A0000006Vm9rIAC"},
		{"001d000000iqhsliaz", "001D000000IqhSLIAZ"},
		{"001D000000IQHSLIAZ", "001D000000IqhSLIAZ"},
		// Read case-insensitively, AAA says every letter is lower-case.
		{"001A0000006Vm9rAAA", "001a0000006vm9rAAA"},
		{"aaaaaaaaaaaaaaa555", "AAAAAAAAAAAAAAA555"},
	} {
		got, ok := normalizeID(tc.in)
		if !ok || got != tc.want {
			t.Errorf("normalizeID(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
		if !validID(tc.in) {
			t.Errorf("validID(%q) = false", tc.in)
		}
	}
	for _, in := range []string{
		"001A0000006Vm9rBAC", // B marks the first character, a digit, upper-case
		"001A0000006Vm9rIA9", // 9 is no checksum character
		"001A0000006Vm9",
		"001A0000006Vm9rIA",
		"001A0000006Vm9rIACX",
		"001A0000006Vm9r-AC",
		"001A0000006Vm9!",
		"001A0000006Vm9r\x00AC",
		"",
	} {
		if got, ok := normalizeID(in); ok || validID(in) {
			t.Errorf("normalizeID(%q) = %q, %v; want it rejected", in, got, ok)
		}
	}
}

func TestIDSequenceSkipsTakenIDs(t *testing.T) {
	q := &idSequence{prefix: prefixContact}
	first := q.take(func(string) bool { return false })
	if first != To18("003Dn0000000001") {
		t.Fatalf("first id = %s", first)
	}
	taken := To18("003Dn0000000002")
	second := q.take(func(id string) bool { return id == taken })
	if second != To18("003Dn0000000003") {
		t.Fatalf("second id = %s, want the one after the taken id", second)
	}
	if !validID(second) || second[:3] != prefixContact {
		t.Fatalf("id %s is not a valid contact id", second)
	}
}
