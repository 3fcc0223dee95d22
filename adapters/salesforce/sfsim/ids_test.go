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

func TestValidID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"001A0000006Vm9r", true},
		{"001A0000006Vm9rIAC", true},
		{"001A0000006Vm9riac", true}, // the checksum tolerates lost case
		{"001A0000006Vm9rAAA", false},
		{"001A0000006Vm9", false},
		{"001A0000006Vm9r-AC", false},
		{"001A0000006Vm9!", false},
		{"", false},
	} {
		if got := validID(tc.id); got != tc.want {
			t.Errorf("validID(%q) = %v, want %v", tc.id, got, tc.want)
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
