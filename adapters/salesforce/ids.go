package salesforce

import (
	"errors"
	"fmt"
	"strings"

	"github.com/atrium-dev/atrium/adapters"
)

// checksumAlphabet maps the 5-bit case pattern of a block of an id to a character.
const checksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// Canonical returns the canonical form of a Salesforce id, the one ids are
// compared, cached and linked by: 18 characters, the first 15 in their true
// case, then the checksum of that case. A 15-character id is case-sensitive
// and is given its checksum. An 18-character id is not: its checksum says, for
// each of the first 15 characters, whether it is an upper-case letter, so the
// case is restored from it, as Salesforce does ("001d000000iqhsliaz" and
// "001D000000IQHSLIAZ" are "001D000000IqhSLIAZ").
//
// Anything else names no record, and the error matches adapters.ErrNotFound:
// another length, a character that is not a letter or a digit, a checksum
// character outside A–Z and 0–5, or one that marks a digit upper-case.
func Canonical(id string) (string, error) {
	c, err := canonical(id)
	if err != nil {
		return "", fmt.Errorf("salesforce: %q is not a Salesforce id: %w: %w", id, err, adapters.ErrNotFound)
	}
	return c, nil
}

// Valid reports whether id is a Salesforce id in its 15- or 18-character form,
// in the sense of Canonical.
func Valid(id string) bool {
	_, err := canonical(id)
	return err == nil
}

// Reasons an id is malformed.
var (
	errIDLength   = errors.New("an id has 15 or 18 characters")
	errIDChar     = errors.New("an id has only letters and digits")
	errIDChecksum = errors.New("its last 3 characters are not the checksum of an id")
)

func canonical(id string) (string, error) {
	if len(id) != 15 && len(id) != 18 {
		return "", errIDLength
	}
	for i := 0; i < len(id); i++ {
		if !isLetter(id[i]) && !('0' <= id[i] && id[i] <= '9') {
			return "", errIDChar
		}
	}
	if len(id) == 15 {
		return id + checksum(id), nil
	}
	out := []byte(id)
	for block := 0; block < 3; block++ {
		n := strings.IndexByte(checksumAlphabet, upper(id[15+block]))
		if n < 0 {
			return "", errIDChecksum
		}
		out[15+block] = checksumAlphabet[n]
		for i := 0; i < 5; i++ {
			c := &out[block*5+i]
			switch {
			case n&(1<<i) == 0:
				*c = lower(*c)
			case isLetter(*c):
				*c = upper(*c)
			default:
				return "", errIDChecksum // a digit cannot be upper-case
			}
		}
	}
	return string(out), nil
}

// recordID returns the canonical form of an id read from an answer.
func recordID(id string) (string, error) {
	c, err := canonical(id)
	if err != nil {
		return "", fmt.Errorf("record id %q is malformed: %w", id, err)
	}
	return c, nil
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

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}
