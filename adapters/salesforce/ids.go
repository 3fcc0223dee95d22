package salesforce

import (
	"fmt"

	"github.com/atrium-dev/atrium/adapters"
)

// checksumAlphabet maps the 5-bit case pattern of a block of an id to a character.
const checksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// ValidID reports whether s has the form of a Salesforce id: 15 or 18 base-62
// characters. It does not check the checksum; To18 does.
func ValidID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// To18 returns the 18-character, case-insensitive-safe form of an id. Ids must be
// compared in this form: the 15-character form differs only by case between
// records. An 18-character input is checked against its own checksum.
func To18(id string) (string, error) {
	if !ValidID(id) {
		return "", fmt.Errorf("salesforce: %q is not a Salesforce id (15 or 18 letters and digits): %w", id, adapters.ErrBadRequest)
	}
	id18, ok := to18(id)
	if !ok {
		return "", fmt.Errorf("salesforce: %q is not a Salesforce id: its checksum should be %q: %w", id, id18[15:], adapters.ErrBadRequest)
	}
	return id18, nil
}

// to18 returns the 18-character form of a valid-looking id, and whether an
// 18-character input carried the right checksum.
func to18(id string) (string, bool) {
	id18 := id[:15] + checksum(id[:15])
	return id18, len(id) == 15 || id == id18
}

// recordID returns the 18-character form of an id read from an answer.
func recordID(id string) (string, error) {
	if ValidID(id) {
		if id18, ok := to18(id); ok {
			return id18, nil
		}
	}
	return "", fmt.Errorf("record id %q is malformed", id)
}

// checksum computes the three suffix characters of a 15-character id: for each
// 5-character block, bit i is set when character i is an upper-case letter.
func checksum(id15 string) string {
	var out [3]byte
	for block := 0; block < 3; block++ {
		n := 0
		for i := 0; i < 5; i++ {
			if c := id15[block*5+i]; 'A' <= c && c <= 'Z' {
				n |= 1 << i
			}
		}
		out[block] = checksumAlphabet[n]
	}
	return string(out[:])
}
