// Package store persists what Atrium must remember across requests and restarts:
// sessions, pending logins and generated secrets (later also identity links, audit
// and the outbox). Callers use the Store interface; SQLite is the embedded
// implementation, and storetest is the contract any other (PostgreSQL, for
// scale-out) must pass.
package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist or has expired.
var ErrNotFound = errors.New("store: not found")

// Store is the persistence Atrium needs.
type Store interface {
	// CreateSession stores a session under id. The id is hashed before storage so
	// that a copy of the database cannot be used to hijack sessions.
	CreateSession(ctx context.Context, id string, s Session) error
	// Session returns the unexpired session stored under id, or ErrNotFound.
	Session(ctx context.Context, id string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, id string) error

	// SaveLogin stores a pending login, keyed by its OAuth state, within
	// limits: it drops the oldest logins of the same binding beyond
	// PerBinding, and refuses with *TooManyLoginsError when the client would
	// have more than PerClient live ones.
	SaveLogin(ctx context.Context, l Login, limits LoginLimits) error
	// TakeLogin returns and deletes the pending login of state whose binding
	// hash is binding: a state is usable once, and only by the browser that
	// started it. A wrong binding leaves the login in place for that
	// browser. Unknown, foreign and expired logins are all ErrNotFound.
	TakeLogin(ctx context.Context, state, binding string, now time.Time) (Login, error)

	// Secret returns the named secret, creating it with generate on first use.
	// Concurrent instances sharing the store agree on one value.
	Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)

	// LinkDecisions returns the decisions taken about the links of one
	// customer (the anchor record), newest first.
	LinkDecisions(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error)
	// DecideLink records a decision, replacing any earlier one about the same
	// pair, and appends it to the history.
	DecideLink(ctx context.Context, d LinkDecision) error
	// LinkHistory returns every decision taken about a customer, oldest first.
	LinkHistory(ctx context.Context, anchorSource, anchorID string) ([]LinkDecision, error)

	// DeleteExpired removes expired sessions and logins and reports how many.
	DeleteExpired(ctx context.Context, now time.Time) (int64, error)

	Ping(ctx context.Context) error
	Close() error
}

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

// Hash returns the hex SHA-256 of a secret token, the form in which tokens are
// stored and compared.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
