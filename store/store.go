// Package store persists what Atrium must remember across requests and restarts:
// sessions and pending logins, identity link decisions with their history,
// generated secrets, and the customers each user opened and pinned (later also
// audit, the outbox and sync state).
//
// Each capability is a small interface declared by the package that uses it
// (auth.SessionStore, auth.Sweeper, customer.Decisions, …); this package holds
// the records they exchange and the implementations: SQLite, embedded, for one
// machine, and PostgreSQL for instances that share one database. Open picks
// the one the configuration names. storetest holds one contract suite per
// capability, which every implementation passes.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist or has expired.
var ErrNotFound = errors.New("store: not found")

// ErrTokenUsed is returned when a one-time token is presented again.
var ErrTokenUsed = errors.New("store: token already used")

// Session is a signed-in user's server-side session.
type Session struct {
	Subject     string
	Email       string
	Name        string
	Groups      []string
	IDToken     string // kept for the logout hint; never sent to the browser
	CSRFToken   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	TokenExpiry time.Time // expiry of the identity provider's tokens
	// ProviderSID is the identity provider's session id of the sign-in
	// (the ID token's sid claim; empty when it sent none): its
	// back-channel logout names the sessions to end by it.
	ProviderSID string
	// LastSeenAt is when the session was last used, as TouchSession
	// recorded it; CreatedAt until then.
	LastSeenAt time.Time
	// Device and Address are where it was signed in from: the browser's
	// User-Agent (shortened) and the client address, for the sessions page.
	Device, Address string
}

// SessionInfo is what the sessions page shows of one session: never its id.
type SessionInfo struct {
	Key        string // Hash of the session's id: names it to end it
	Device     string
	Address    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Login is an authorization request in flight, between the redirect to the
// identity provider and its callback.
type Login struct {
	State     string
	Binding   string // hash of the random value in the browser's login cookie
	Nonce     string
	Verifier  string // PKCE code verifier
	ReturnTo  string
	Client    string // the client address that started it
	CreatedAt time.Time
	ExpiresAt time.Time
}

// LoginLimits bound the pending logins SaveLogin keeps; 0 is no limit.
type LoginLimits struct {
	// PerBinding is how many pending logins of one browser are kept: a
	// browser may sign in from a few tabs at once.
	PerBinding int
	// PerClient is how many live pending logins one client address may
	// have.
	PerClient int
}

// TooManyLoginsError refuses a pending login to a client address that has
// PerClient in progress already.
type TooManyLoginsError struct {
	// Until is when the client's oldest pending login expires, making room.
	Until time.Time
}

func (e *TooManyLoginsError) Error() string {
	return "store: too many sign-ins in progress from this client until " + e.Until.UTC().Format(time.RFC3339)
}

// Link decisions.
const (
	DecisionConfirmed = "confirmed" // an automatic link a person confirmed
	DecisionManual    = "manual"    // a link a person added
	DecisionSplit     = "split"     // a pair a person said are not the same customer
	// DecisionCleared takes back the earlier decision about a pair (an
	// undone split): the rules decide again. It is kept in the history only.
	DecisionCleared = "cleared"
)

// LinkDecision is what a person decided about one record being the same
// customer as an anchor record.
type LinkDecision struct {
	AnchorSource string
	AnchorID     string
	Source       string
	RecordID     string
	Decision     string
	Rule         string // for a confirmed link: the rule that had found it
	Value        string
	Actor        string // who decided (email or subject)
	At           time.Time
}

// Visit is a customer one user opened or pinned, for their start page.
type Visit struct {
	Subject    string // the user: their identity provider's subject
	CustomerID string
	Name       string // the customer's name when last opened
	OpenedAt   time.Time
	// PinnedAt is when the user pinned the customer; zero when not pinned.
	PinnedAt time.Time
}

// Pinned reports whether the user pinned the customer.
func (v Visit) Pinned() bool { return !v.PinnedAt.IsZero() }

// ErrTooManyPins refuses a pin to a user who has pinned the most allowed.
var ErrTooManyPins = errors.New("store: too many pinned customers")

// Hash returns the hex SHA-256 of a secret token, the form in which tokens are
// stored and compared.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// providerSessions selects the sessions an identity provider's logout names
// by @sid (its session id) and @sub (the subject), either of which may be
// empty: the sessions of that provider session (of that subject, when it is
// named too), and the subject's sessions that have no provider session id
// to tell them apart (signed in before it was stored, or from a provider
// that sends none), or every session of the subject when no sid is given.
const providerSessions = `(@sid <> '' AND provider_sid = @sid AND (@sub = '' OR subject = @sub))
	OR (@sub <> '' AND subject = @sub AND (@sid = '' OR provider_sid = ''))`
