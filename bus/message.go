package bus

import (
	"encoding/json"
	"fmt"
)

// Kind says what changed.
type Kind string

// The kinds of message. A kind is added here with its fields on Message, its
// constructor and its check in validate; instances that do not know a kind
// yet ignore it, so kinds can be added without changing the wire version.
const (
	// SessionEnded: a session was logged out or ended. Session holds
	// store.Hash of its id (never the id itself, which is a bearer secret).
	// Instances forget their remembered copy of it.
	SessionEnded Kind = "session_ended"
	// LinkDecided: a person confirmed, split or added a link between the
	// Customer (an id of the primary source) and a record of Source.
	// Instances drop the identity resolution they reuse for that pair.
	LinkDecided Kind = "link_decided"
	// CacheInvalid: what Source holds for the record ID changed. Facet names
	// the facet, or is empty for every facet of the record. Instances drop
	// their cached entries for it.
	CacheInvalid Kind = "cache_invalid"
	// Resync is never published: the bus delivers it to a subscriber that
	// may have missed messages (it fell behind, or the connection to Redis
	// was lost and is back). The subscriber drops everything it remembers.
	Resync Kind = "resync"
)

// known lists the kinds that travel between instances.
var known = map[Kind]bool{SessionEnded: true, LinkDecided: true, CacheInvalid: true}

// Message is one change. Only the fields of its Kind are set.
type Message struct {
	Kind Kind `json:"kind"`
	// Sender is the id of the instance that published the message; Publish
	// sets it.
	Sender string `json:"sender"`

	Session  string `json:"session,omitempty"`  // SessionEnded
	Customer string `json:"customer,omitempty"` // LinkDecided
	Source   string `json:"source,omitempty"`   // LinkDecided, CacheInvalid
	ID       string `json:"id,omitempty"`       // CacheInvalid
	Facet    string `json:"facet,omitempty"`    // CacheInvalid
}

// EndedSession is the message for a session that ended; sessionHash is
// store.Hash of the session id.
func EndedSession(sessionHash string) Message {
	return Message{Kind: SessionEnded, Session: sessionHash}
}

// DecidedLink is the message for a decision about how customer (an id of the
// primary source) links to a record of source.
func DecidedLink(customer, source string) Message {
	return Message{Kind: LinkDecided, Customer: customer, Source: source}
}

// InvalidCache is the message for source's record id whose facet changed
// (empty facet: every facet of the record).
func InvalidCache(source, id, facet string) Message {
	return Message{Kind: CacheInvalid, Source: source, ID: id, Facet: facet}
}

func (m Message) validate() error {
	var missing string
	switch {
	case m.Kind == Resync:
		return fmt.Errorf("%w: resync is delivered by the bus, never published", ErrInvalid)
	case !known[m.Kind]:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalid, m.Kind)
	case m.Kind == SessionEnded && m.Session == "":
		missing = "session"
	case m.Kind == LinkDecided && m.Customer == "":
		missing = "customer"
	case m.Kind == LinkDecided && m.Source == "", m.Kind == CacheInvalid && m.Source == "":
		missing = "source"
	case m.Kind == CacheInvalid && m.ID == "":
		missing = "id"
	}
	if missing != "" {
		return fmt.Errorf("%w: %s without %s", ErrInvalid, m.Kind, missing)
	}
	return nil
}

// wireVersion is the version of the encoding below. An instance ignores
// messages of another version, so a change that older instances would
// misread gets a new version and both are published during an upgrade.
const wireVersion = 1

// maxWire bounds an encoded message: messages name things, they never carry
// them.
const maxWire = 4 << 10

type wire struct {
	V int `json:"v"`
	Message
}

// encode returns m's wire form, e.g.
// {"v":1,"kind":"session_ended","sender":"3f…","session":"9b…"}.
func encode(m Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(wire{V: wireVersion, Message: m})
	if err != nil {
		return nil, fmt.Errorf("bus: encode %s: %w", m.Kind, err)
	}
	if len(b) > maxWire {
		return nil, fmt.Errorf("%w: %s is %d bytes encoded, more than %d", ErrInvalid, m.Kind, len(b), maxWire)
	}
	return b, nil
}

// decode reads a message published by an instance. ok is false, with no
// error, for a message this instance does not understand yet (another
// version or an unknown kind).
func decode(b []byte) (m Message, ok bool, err error) {
	if len(b) > maxWire {
		return Message{}, false, fmt.Errorf("bus: message of %d bytes, more than %d", len(b), maxWire)
	}
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return Message{}, false, fmt.Errorf("bus: decode: %w", err)
	}
	if w.V != wireVersion || !known[w.Kind] {
		return Message{}, false, nil
	}
	if err := w.Message.validate(); err != nil {
		return Message{}, false, err
	}
	if w.Sender == "" {
		return Message{}, false, fmt.Errorf("bus: %s without sender", w.Kind)
	}
	return w.Message, true, nil
}
