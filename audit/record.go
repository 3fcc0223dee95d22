// Package audit keeps a tamper-evident record of who saw which customer's
// data and what they did: one compact record per customer view, action,
// admin change, sign-in, sign-out, failed sign-in and refused access.
//
// Records are hash-chained (each record's hash covers the one before) and
// every so many records, and at shutdown, a checkpoint (sequence, head hash)
// is signed with Ed25519 and can be copied to a second place, so that
// rewriting or cutting off the newest records is detected by Verify. What
// names a person (subject, email, name, client address) is sealed with a key
// of that person; erasing the key erases it from every record without
// touching the chain, which covers the sealed bytes.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/atrium-dev/atrium/store"
)

// Kinds of records.
const (
	KindCustomerView  = "customer.view"
	KindSignIn        = "auth.sign_in"
	KindSignInFailed  = "auth.sign_in_failed"
	KindSignOut       = "auth.sign_out"
	KindAccessRefused = "access.refused"
	KindLinkDecision  = "admin.link"
	KindAction        = "action"
)

// Actor is who acted, as the identity provider named them.
type Actor struct {
	Subject string `json:"sub,omitempty"`
	Email   string `json:"email,omitempty"`
	Name    string `json:"name,omitempty"`
}

// Event is what happened, as a caller reports it.
type Event struct {
	At       time.Time // zero: when it is recorded
	Kind     string
	Actor    Actor
	Client   string   // the client's address
	Customer string   // the customer concerned, if any
	Sources  []string // the systems whose data was shown or changed
	Fields   []string // restricted fields that were shown
	Outcome  string   // "ok", "refused", "failed", …
	Detail   string   // what else matters; must name nobody
}

// body is the part of a record that names nobody, stored in clear.
type body struct {
	Sources []string `json:"sources,omitempty"`
	Fields  []string `json:"fields,omitempty"`
	Outcome string   `json:"outcome,omitempty"`
	Detail  string   `json:"detail,omitempty"`
}

// personal is the part that names a person, sealed with their key.
type personal struct {
	Actor
	Client string `json:"client,omitempty"`
}

// hashVersion starts every hashed record, so that a later encoding cannot
// be confused with this one.
const hashVersion = "atrium-audit/1"

// recordHash is the hash of r chained to prev: every stored field, each
// length-prefixed so that no two records encode alike.
func recordHash(r *store.AuditRecord) []byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(hashVersion))
	binary.BigEndian.PutUint64(n[:], uint64(r.Seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(r.At.UnixMilli()))
	h.Write(n[:])
	field([]byte(r.Kind))
	field([]byte(r.Customer))
	field([]byte(r.ActorRef))
	field(r.Body)
	field(r.Personal)
	field(r.Prev)
	return h.Sum(nil)
}

// chain is the store.ChainFunc of the trail: it links r to the record
// before it.
func chain(prevSeq int64, prevHash []byte, r *store.AuditRecord) error {
	r.Seq = prevSeq + 1 // hashed with its final sequence; the store sets the same
	r.Prev = prevHash
	r.Hash = recordHash(r)
	return nil
}

// hashMatches reports whether r's stored hash is the one its fields give.
func hashMatches(r store.AuditRecord) bool {
	return bytes.Equal(recordHash(&r), r.Hash)
}

func encodeBody(ev Event) []byte {
	b, _ := json.Marshal(body{Sources: ev.Sources, Fields: ev.Fields, Outcome: ev.Outcome, Detail: ev.Detail})
	return b
}
