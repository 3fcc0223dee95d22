package salesforce

import (
	"errors"
	"testing"

	"github.com/atrium-dev/atrium/adapters"
)

func TestTo18(t *testing.T) {
	// Suffixes computed by hand: per 5-character block, bit i = character i is A–Z,
	// indexed into ABCDEFGHIJKLMNOPQRSTUVWXYZ012345.
	tests := []struct{ in, want string }{
		{"001A0000006Vm9r", "001A0000006Vm9rIAC"}, // 00010→8=I, 0→A, 01000→2=C
		{"0015000000Gv7qJ", "0015000000Gv7qJAAR"}, // 0→A, 0→A, G(1)+J(16)=17→R
		{"003000000000001", "003000000000001AAA"},
		{"ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO555"}, // 31 in every block
		{"a0BZZZZZzzzzzzz", "a0BZZZZZzzzzzzz2HA"}, // 4+8+16=28→2, 1+2+4=7→H, 0→A
		{"001A0000006Vm9rIAC", "001A0000006Vm9rIAC"},
		{"a0BZZZZZzzzzzzz2HA", "a0BZZZZZzzzzzzz2HA"},
	}
	for _, tt := range tests {
		got, err := To18(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("To18(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestTo18Rejects(t *testing.T) {
	for _, in := range []string{
		"",
		"001A0000006Vm9",      // 14
		"001A0000006Vm9rI",    // 16
		"001A0000006Vm9rIACX", // 19
		"001A0000006Vm9rIAc",  // checksum is case-sensitive
		"001A0000006Vm9rIAD",  // wrong checksum
		"001a0000006Vm9rIAC",  // the 15-character part changed case
		"001A0000006Vm9-",
		"001A0000006Vm9' ",
	} {
		got, err := To18(in)
		if err == nil || !errors.Is(err, adapters.ErrBadRequest) {
			t.Errorf("To18(%q) = %q, %v; want an ErrBadRequest error", in, got, err)
		}
	}
}

func TestValidID(t *testing.T) {
	for in, want := range map[string]bool{
		"001A0000006Vm9r":      true,
		"001A0000006Vm9rIAC":   true,
		"001A0000006Vm9rIA":    false,
		"001A0000006Vm9r' OR ": false,
		"001A0000006Vm9ü":      false,
	} {
		if got := ValidID(in); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", in, got, want)
		}
	}
}
