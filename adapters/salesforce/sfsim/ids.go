package sfsim

import (
	"fmt"
	"strings"
)

// checksumAlphabet maps the 5-bit case pattern of a block of an id to a character.
const checksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// base62 is the alphabet of id characters, in the order the counter of a new id
// runs through them.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Key prefixes of the simulated objects, and of query locators.
const (
	prefixAccount     = "001"
	prefixContact     = "003"
	prefixUser        = "005"
	prefixOpportunity = "006"
	prefixOrg         = "00D"
	prefixTask        = "00T"
	prefixCase        = "500"
	prefixLocator     = "01g"
)

// To18 returns the 18-character form of a 15-character id: the id followed by a
// checksum of its letter case, so that ids stay distinct where case is lost. An
// 18-character id is returned with its checksum recomputed. Anything else is
// returned as it is; use validID first.
func To18(id string) string {
	if len(id) != 15 && len(id) != 18 {
		return id
	}
	id15 := id[:15]
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
	return id15 + string(out[:])
}

// validID reports whether s is a well-formed id: 15 base-62 characters, or 18
// whose last three are a checksum of the letter case of the first 15.
func validID(s string) bool {
	_, ok := normalizeID(s)
	return ok
}

// normalizeID returns the 18-character form of a well-formed id, and false for
// anything else. A 15-character id is case-sensitive. An 18-character id is
// not: its checksum says which of the first 15 characters are upper-case
// letters, so Salesforce restores their case from it and accepts an id that a
// tool lowered or raised ("001a0000006vm9riac" is "001A0000006Vm9rIAC"). The
// checksum is wrong when a character it marks upper-case is no letter.
func normalizeID(s string) (string, bool) {
	if len(s) != 15 && len(s) != 18 {
		return "", false
	}
	for i := 0; i < 15; i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return "", false
		}
	}
	if len(s) == 15 {
		return To18(s), true
	}
	id := []byte(s)
	for block := 0; block < 3; block++ {
		n := strings.IndexByte(checksumAlphabet, upper(s[15+block]))
		if n < 0 {
			return "", false
		}
		id[15+block] = checksumAlphabet[n]
		for i := 0; i < 5; i++ {
			c := &id[block*5+i]
			isLetter := 'a' <= *c && *c <= 'z' || 'A' <= *c && *c <= 'Z'
			switch {
			case n&(1<<i) == 0:
				*c = lower(*c)
			case isLetter:
				*c = upper(*c)
			default:
				return "", false // a digit marked upper-case
			}
		}
	}
	return string(id), true
}

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

// idSequence hands out ids for one key prefix: prefix, a pod-like "Dn0000" and a
// base-62 counter, the way a real org's ids share a long common stem.
type idSequence struct {
	prefix string
	next   uint64
}

// id15 formats the n-th id of the sequence.
func (q *idSequence) id15(n uint64) string {
	var digits [6]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = base62[n%62]
		n /= 62
	}
	return fmt.Sprintf("%sDn0000%s", q.prefix, digits[:])
}

// take returns the next id for which taken is false, in 18-character form.
func (q *idSequence) take(taken func(string) bool) string {
	for {
		q.next++
		id := To18(q.id15(q.next))
		if !taken(id) {
			return id
		}
	}
}
